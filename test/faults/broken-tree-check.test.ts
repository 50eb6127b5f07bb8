/**
 * `check` never stays green on a broken tree (issue #13, hole 7): a missing leaf is exit 3, and a
 * certificate that cannot be read is a problem, not an OK row.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kpki, openssl } from '../support/tools.js';
import { testdata } from '../support/testdata.js';
import { tempDir } from '../support/temp-dir.js';
import { initTree, writeKubeadmConfig } from './fault-commands.js';

describe('check on a broken tree', () => {
  let config: string;
  before(() => {
    config = writeKubeadmConfig();
  });

  it('kubeadm: pki/apiserver.crt deleted is a !MISSING! row and exit 3', () => {
    const dir = initTree(config);
    rmSync(join(dir, 'pki/apiserver.crt'));
    const result = kpki(['check', '--dir', dir]);
    assert.match(result.stdout, /!MISSING! apiserver/);
    assert.equal(result.status, 3, result.stderr);
  });

  it('kubeadm: a missing kubeconfig is exit 3 too', () => {
    const dir = initTree(config);
    rmSync(join(dir, 'scheduler.conf'));
    assert.equal(kpki(['check', '--dir', dir]).status, 3);
  });

  it('kubeadm: no super-admin.conf (a joined control-plane node, or kubeadm < 1.29) is listed, not broken', () => {
    const dir = initTree(config);
    rmSync(join(dir, 'super-admin.conf'));
    const result = kpki(['check', '--dir', dir]);
    assert.match(result.stdout, /!MISSING! super-admin\.conf/);
    assert.equal(result.status, 0, result.stderr);
  });

  it('kubeadm: an empty CA certificate is a problem and exit 3', () => {
    const dir = initTree(config);
    writeFileSync(join(dir, 'pki/front-proxy-ca.crt'), '');
    const result = kpki(['check', '--dir', dir, '-o', 'json']);
    assert.equal(result.status, 3, result.stderr);
  });

  it('a healthy tree is still exit 0', () => {
    assert.equal(kpki(['check', '--dir', initTree(config)]).status, 0);
  });

  for (const [name, damage] of Object.entries({
    'client-ca.crt empty': (d: string) => writeFileSync(join(d, 'server/tls/client-ca.crt'), ''),
    'server-ca.key empty': (d: string) => writeFileSync(join(d, 'server/tls/server-ca.key'), ''),
    'server-ca.crt missing': (d: string) => rmSync(join(d, 'server/tls/server-ca.crt')),
    'server-ca.crt garbage': (d: string) =>
      writeFileSync(join(d, 'server/tls/server-ca.crt'), 'garbage\n'),
    'server-ca.crt a 10,000-certificate bundle (renew refuses it as too large)': (d: string) => {
      const one = readFileSync(join(d, 'server/tls/server-ca.crt'), 'utf8');
      writeFileSync(join(d, 'server/tls/server-ca.crt'), one.repeat(10_000));
    },
    'service.key a directory': (d: string) => {
      rmSync(join(d, 'server/tls/service.key'));
      mkdirSync(join(d, 'server/tls/service.key'));
    },
    'service.current.key no longer the first key of service.key': (d: string) => {
      const keys = readFileSync(join(d, 'server/tls/service.key'), 'utf8');
      writeFileSync(join(d, 'server/tls/service.key'), openssl(['genrsa', '2048']) + keys);
    },
  })) {
    it(`rke2: ${name} is reported and check exits non-zero`, (t) => {
      const dir = tempDir('kpki-rke2-', t);
      assert.equal(
        kpki(['init', '--layout', 'rke2', '--dir', dir, '--node-name', 'cp1']).status,
        0,
      );
      assert.equal(kpki(['check', '--dir', dir]).status, 0, 'healthy before the damage');
      damage(dir);
      const result = kpki(['check', '--dir', dir]);
      assert.equal(result.status, 3, result.stdout);
      assert.match(result.stderr, /CA "[a-z-]+"|service(\.current)?\.key/);
      assert.doesNotMatch(result.stderr, /INTERNAL/);
    });
  }

  it('rke1: !MISSING! kube-scheduler (gone from the state) is exit 3', (t) => {
    const dir = tempDir('kpki-rke-', t);
    const state = JSON.parse(
      readFileSync(testdata('real/rke1-rancher-rke/cluster.rkestate'), 'utf8'),
    ) as Record<string, { rkeConfig?: unknown; certificatesBundle?: Record<string, unknown> }>;
    writeFileSync(join(dir, 'cluster.yml'), JSON.stringify(state.desiredState?.rkeConfig));
    for (const side of ['desiredState', 'currentState'])
      delete state[side]?.certificatesBundle?.['kube-scheduler'];
    writeFileSync(join(dir, 'cluster.rkestate'), JSON.stringify(state), { mode: 0o600 });
    const args = ['check', '--layout', 'rke', '--dir', dir, '--config', join(dir, 'cluster.yml')];
    const result = kpki(args);
    assert.match(result.stdout, /!MISSING! kube-scheduler/);
    assert.equal(result.status, 3, result.stderr);
  });

  it('no row has a null date with missing: false unless it carries a problem (exit 3)', () => {
    for (const damage of [
      (d: string) => writeFileSync(join(d, 'pki/apiserver.crt'), 'junk\n'),
      (d: string) => writeFileSync(join(d, 'pki/apiserver.crt'), ''),
      (d: string) => {
        rmSync(join(d, 'pki/apiserver.crt'));
        mkdirSync(join(d, 'pki/apiserver.crt'));
      },
      (d: string) => writeFileSync(join(d, 'scheduler.conf'), 'client-certificate-data: !!!\n'),
    ]) {
      const dir = initTree(config);
      damage(dir);
      const result = kpki(['check', '--dir', dir, '-o', 'json']);
      assert.equal(result.status, 3, result.stderr);
      const report = JSON.parse(result.stdout) as Record<string, Row[] | undefined>;
      const rows = [...(report.certificates ?? []), ...(report.certificateAuthorities ?? [])];
      const silent = rows.filter(
        (row) => row.expirationDate === null && !row.missing && (row.problems ?? []).length === 0,
      );
      assert.deepEqual(silent, []);
      assert.ok(rows.some((row) => (row.problems ?? []).length > 0));
    }
  });
});

interface Row {
  readonly expirationDate: string | null;
  readonly missing: boolean;
  readonly problems?: readonly string[];
}
