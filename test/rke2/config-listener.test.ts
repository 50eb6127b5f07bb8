/**
 * The spec from config.yaml and the environment, and the dynamic listener cache, through the
 * built CLI.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeDynamicCert } from '../../src/layouts/rke2/dynamic-cert.js';
import { kpki, openssl, run, tempDir, KPKI } from '../support/tools.js';

describe('rke2 spec sources', () => {
  it('reads tls-san, node-name, node-ip, cluster-domain, service-cidr and disable-etcd from --config', () => {
    const dir = tempDir();
    const config = join(tempDir(), 'config.yaml');
    writeFileSync(
      config,
      'token: ignored\ntls-san:\n  - rancher.example.com\nnode-name: cfg-node\nnode-ip: 10.1.1.1\ncluster-domain: corp.local\nservice-cidr: 10.99.0.0/16\ndisable-etcd: true\n',
    );
    const result = kpki(['init', '--layout', 'rke2', '--dir', dir, '--config', config]);
    assert.equal(result.status, 0, result.stderr);
    const san = openssl([
      'x509',
      '-noout',
      '-ext',
      'subjectAltName',
      '-in',
      join(dir, 'server/tls/serving-kube-apiserver.crt'),
    ]);
    assert.match(
      san,
      /DNS:kubernetes\.default\.svc\.corp\.local, DNS:rancher\.example\.com, DNS:localhost, DNS:cfg-node, IP Address:127\.0\.0\.1, IP Address:0:0:0:0:0:0:0:1, IP Address:10\.1\.1\.1, IP Address:10\.99\.0\.1/,
    );
    assert.match(
      openssl(['x509', '-noout', '-subject', '-in', join(dir, 'agent/client-kubelet.crt')]),
      /CN = system:node:cfg-node/,
    );
    assert.equal(
      run('test', ['-e', join(dir, 'server/tls/etcd/server-client.crt')]).status,
      1,
      'disable-etcd: no etcd server certificate',
    );
    assert.equal(run('test', ['-e', join(dir, 'server/tls/etcd/client.crt')]).status, 0);
  });

  it('CATTLE_NEW_SIGNED_CERT_EXPIRATION_DAYS sets the leaf lifetime; CAs stay ten years', () => {
    const dir = tempDir();
    assert.equal(kpki(['init', '--layout', 'k3s', '--dir', dir]).status, 0);
    const env = { ...process.env, CATTLE_NEW_SIGNED_CERT_EXPIRATION_DAYS: '30' };
    const dir30 = tempDir();
    const made = spawnSync(process.execPath, [KPKI, 'init', '--layout', 'k3s', '--dir', dir30], {
      env,
      encoding: 'utf8',
    });
    assert.equal(made.status, 0, made.stderr);
    const days = (file: string): number => {
      const start = new Date(
        openssl(['x509', '-noout', '-startdate', '-in', file]).split('=')[1] ?? '',
      ).getTime();
      const end = new Date(
        openssl(['x509', '-noout', '-enddate', '-in', file]).split('=')[1] ?? '',
      ).getTime();
      return (end - start) / 86_400_000;
    };
    assert.equal(days(join(dir30, 'server/tls/client-admin.crt')), 30);
    assert.equal(days(join(dir30, 'server/tls/client-ca.crt')), 3650);
    assert.equal(days(join(dir, 'server/tls/client-admin.crt')), 365);
    const check = spawnSync(process.execPath, [KPKI, 'check', '--dir', dir30], {
      env,
      encoding: 'utf8',
    });
    assert.equal(check.status, 4, 'a 30-day leaf is inside the 120-day window');
  });
});

describe('the dynamic listener certificate in check', () => {
  it('check lists dynamic-cert.json (leaf and CA) for the <prog>-server service; a broken cache is reported', () => {
    const dir = tempDir();
    assert.equal(kpki(['init', '--layout', 'rke2', '--dir', dir]).status, 0);
    const cert = readFileSync(join(dir, 'server/tls/serving-kube-apiserver.crt'), 'utf8');
    const key = readFileSync(join(dir, 'server/tls/serving-kube-apiserver.key'), 'utf8');
    writeFileSync(
      join(dir, 'server/tls/dynamic-cert.json'),
      encodeDynamicCert('rke2', cert, key, {}),
    );
    const result = kpki(['check', '--dir', dir, '--service', 'rke2-server', '-o', 'json']);
    assert.equal(result.status, 0, result.stderr);
    const rows = (
      JSON.parse(result.stdout) as { Certificates: { Filename: string; Usages: string[] }[] }
    ).Certificates;
    assert.deepEqual(
      rows.map((r) => [r.Filename, r.Usages.join(',')]),
      [
        ['dynamic-cert.json', 'ServerAuth'],
        ['dynamic-cert.json', 'CertSign'],
      ],
    );
    writeFileSync(join(dir, 'server/tls/dynamic-cert.json'), '{"data":{}}');
    const broken = kpki(['check', '--dir', dir, '--service', 'rke2-server']);
    assert.equal(broken.status, 3);
    assert.match(broken.stderr, /\[?BAD_DYNAMIC_CERT\]?|has no "tls\.crt" and "tls\.key" data/);
  });
});
