/**
 * `kpki check` and `kpki token` on genuine K3s/RKE2 artifacts from ../shared/testdata/real
 * (PROVENANCE.md §3): partial server/tls copies and user kubeconfigs with chains. Each test lays
 * the files out as a data dir in a temporary directory (nothing is copied into the repository).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { kpki, tempDir } from '../support/tools.js';
import { testdata } from '../support/testdata.js';

const REAL = testdata('real');

interface Row {
  Filename: string;
  Subject: string;
  Issuer: string;
  Usages: string[];
  ExpiryTime: string;
  ResidualTime: number;
  Status: string;
}

/** A data dir holding `files` (real path → data-dir path). */
function dataDir(files: Record<string, string>): string {
  const dir = tempDir();
  mkdirSync(join(dir, 'server/tls'), { recursive: true });
  for (const [from, to] of Object.entries(files)) {
    mkdirSync(join(dir, to, '..'), { recursive: true });
    copyFileSync(join(REAL, from), join(dir, to));
  }
  return dir;
}

function checkJson(
  dir: string,
  layout: string,
  service: string,
): { status: number; rows: Row[]; stderr: string } {
  const result = kpki([
    'check',
    '--dir',
    dir,
    '--layout',
    layout,
    '--service',
    service,
    '-o',
    'json',
  ]);
  return {
    status: result.status,
    rows: (JSON.parse(result.stdout) as { Certificates: Row[] }).Certificates,
    stderr: result.stderr,
  };
}

describe('check on real K3s/RKE2 artifacts', () => {
  it('k3d/K3s 2024 client-kube-apiserver.crt: the leaf (expired) and the appended client CA, key matches', () => {
    const dir = dataDir({
      'k3s-bl000m-k3d_keycloak/client-kube-apiserver.crt': 'server/tls/client-kube-apiserver.crt',
      'k3s-bl000m-k3d_keycloak/client-kube-apiserver.key': 'server/tls/client-kube-apiserver.key',
      'k3s-bl000m-k3d_keycloak/server-ca.crt': 'server/tls/server-ca.crt',
    });
    const { status, rows, stderr } = checkJson(dir, 'k3s', 'api-server');
    assert.equal(status, 4, 'an expired certificate exits 4');
    assert.doesNotMatch(stderr, /error:/, 'the real key matches its certificate');
    assert.deepEqual(
      rows.map((r) => [
        r.Filename,
        r.Subject,
        r.Issuer,
        r.Usages.join(','),
        r.ExpiryTime,
        r.Status,
      ]),
      [
        [
          'client-kube-apiserver.crt',
          'system:apiserver',
          'k3s-client-ca@1718015090',
          'ClientAuth',
          '2025-06-10T10:24:50Z',
          'EXPIRED',
        ],
        [
          'client-kube-apiserver.crt',
          'k3s-client-ca@1718015090',
          'k3s-client-ca@1718015090',
          'CertSign',
          rows[1]?.ExpiryTime ?? '',
          'OK',
        ],
      ],
    );
    assert.match(rows[1]?.ExpiryTime ?? '', /^2034-06-08T/);
    assert.ok((rows[0]?.ResidualTime ?? 0) < 0 && Number.isInteger(rows[0]?.ResidualTime));
    const table = kpki(['check', '--dir', dir, '--layout', 'k3s', '-o', 'table']).stdout.split(
      '\n',
    );
    assert.equal(
      table[1],
      'FILENAME                    SUBJECT                    USAGES       EXPIRES                  RESIDUAL TIME   STATUS',
    );
    assert.match(
      table[3] ?? '',
      /^client-kube-apiserver\.crt {3}system:apiserver {11}ClientAuth {3}Jun 10, 2025 10:24 UTC {3}\d+ years? +EXPIRED$/,
    );
  });

  const kubeconfigs: Record<string, [string, string, string, string]> = {
    'K3s Jan 2021 (bjackman)': [
      'k3s-bjackman-my-rpi-k8s/k3s.yaml',
      'k3s',
      'k3s-client-ca@1611409997',
      'EXPIRED',
    ],
    'K3s Oct 2025 (JustYarick)': [
      'k3s-JustYarick-my-experemental-k3s-cluster-setup/k3s.yaml',
      'k3s',
      'k3s-client-ca@1761859205',
      'EXPIRED',
    ],
    'RKE2 Mar 2023 (Kiiroi88)': [
      'rke2-Kiiroi88-vagrant-rke2-cluster/rke2.yaml',
      'rke2',
      'rke2-client-ca@1678127580',
      'EXPIRED',
    ],
  };
  for (const [name, [file, layout, issuer, status]] of Object.entries(kubeconfigs)) {
    it(`${name}: the user kubeconfig's admin chain, two rows`, () => {
      const dir = dataDir({ [file]: `${layout}.yaml` });
      const result = checkJson(dir, layout, 'admin');
      assert.doesNotMatch(result.stderr, /error:/);
      assert.deepEqual(
        result.rows.map((r) => [r.Filename, r.Subject, r.Issuer, r.Usages.join(','), r.Status]),
        [
          [`${layout}.yaml`, 'system:admin', issuer, 'ClientAuth', status],
          [`${layout}.yaml`, issuer, issuer, 'CertSign', 'OK'],
        ],
      );
    });
  }

  it('K3s early 2020 (basic auth, no client certificate): no rows and no error', () => {
    const dir = dataDir({ 'k3s-cly1213-k3s-3nodes/k3s.yaml': 'k3s.yaml' });
    const result = checkJson(dir, 'k3s', 'admin');
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(result.rows, []);
  });

  it('RKE2 2022 CA copies (cachac): no leaf files means an empty table; the token hashes the real server-ca.crt bytes', () => {
    const dir = dataDir({
      'rke2-cachac-kubelabsAdmin/client-ca.crt': 'server/tls/client-ca.crt',
      'rke2-cachac-kubelabsAdmin/server-ca.crt': 'server/tls/server-ca.crt',
      'rke2-cachac-kubelabsAdmin/server-ca.key': 'server/tls/server-ca.key',
    });
    const table = kpki(['check', '--dir', dir, '-o', 'table']);
    assert.equal(table.status, 0, table.stderr);
    assert.equal(
      table.stdout,
      '\nFILENAME   SUBJECT   USAGES   EXPIRES   RESIDUAL TIME   STATUS\n--------   -------   ------   -------   -------------   ------\n',
    );
    const token = kpki(['token', '--dir', dir, '--layout', 'rke2', '--password', 'pw']);
    const hash = createHash('sha256')
      .update(readFileSync(join(REAL, 'rke2-cachac-kubelabsAdmin/server-ca.crt')))
      .digest('hex');
    assert.equal(
      token.stdout,
      `server token: K10${hash}::server:pw\nagent token:  K10${hash}::node:pw\n`,
    );
  });
});
