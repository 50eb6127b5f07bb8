/**
 * kubeadm CA rotation in three phases: between phases, certificates from the old and the new CA
 * both verify against every trust bundle; after finish, everything verifies against the new CA only.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { kpki, run, tempDir } from '../support/tools.js';

const LEAVES: Record<string, string> = {
  'pki/apiserver.crt': 'pki/ca.crt',
  'pki/apiserver-kubelet-client.crt': 'pki/ca.crt',
  'pki/front-proxy-client.crt': 'pki/front-proxy-ca.crt',
  'pki/etcd/server.crt': 'pki/etcd/ca.crt',
  'pki/etcd/peer.crt': 'pki/etcd/ca.crt',
  'pki/apiserver-etcd-client.crt': 'pki/etcd/ca.crt',
};
const KUBECONFIGS = [
  'admin.conf',
  'super-admin.conf',
  'controller-manager.conf',
  'scheduler.conf',
  'kubelet.conf',
];

const verifies = (bundle: string, cert: string): boolean =>
  run('openssl', ['verify', '-x509_strict', '-CAfile', bundle, cert]).status === 0;

/** Certificates of the tree, saved to `into` (leaf files and kubeconfig client certificates). */
function snapshot(dir: string, into: string): Record<string, string> {
  mkdirSync(into, { recursive: true });
  const saved: Record<string, string> = {};
  for (const path of Object.keys(LEAVES)) {
    saved[path] = join(into, path.replace(/\//g, '_'));
    writeFileSync(saved[path], readFileSync(join(dir, path)));
  }
  for (const conf of KUBECONFIGS) {
    saved[conf] = join(into, `${conf}.crt`);
    writeFileSync(
      saved[conf],
      Buffer.from(
        /client-certificate-data: (\S+)/.exec(readFileSync(join(dir, conf), 'utf8'))?.[1] ?? '',
        'base64',
      ),
    );
  }
  return saved;
}

/** Trust bundles a client holds: the CA files and every kubeconfig's CA data. */
function bundles(dir: string, into: string): Record<string, string> {
  mkdirSync(into, { recursive: true });
  const found: Record<string, string> = {
    'pki/ca.crt': join(dir, 'pki/ca.crt'),
    'pki/front-proxy-ca.crt': join(dir, 'pki/front-proxy-ca.crt'),
    'pki/etcd/ca.crt': join(dir, 'pki/etcd/ca.crt'),
  };
  for (const conf of KUBECONFIGS) {
    found[conf] = join(into, `${conf}.ca`);
    writeFileSync(
      found[conf],
      Buffer.from(
        /certificate-authority-data: (\S+)/.exec(readFileSync(join(dir, conf), 'utf8'))?.[1] ?? '',
        'base64',
      ),
    );
  }
  return found;
}

/** Which bundle should accept a saved certificate: its CA file, and for ca-signed ones every kubeconfig. */
function bundlesFor(path: string, all: Record<string, string>): string[] {
  const caFile = LEAVES[path] ?? 'pki/ca.crt';
  return caFile === 'pki/ca.crt'
    ? [all['pki/ca.crt'] ?? '', ...KUBECONFIGS.map((c) => all[c] ?? '')]
    : [all[caFile] ?? ''];
}

const phase = (dir: string, name: string): { status: number; stdout: string; stderr: string } =>
  kpki(['rotate-ca', '--phase', name, '--dir', dir]);

describe('kpki rotate-ca --layout kubeadm: trust, issue, finish', () => {
  let dir: string;
  let old: Record<string, string>;
  let fresh: Record<string, string>;
  before(() => {
    dir = tempDir();
    assert.equal(
      kpki([
        'init',
        '--dir',
        dir,
        '--node-name',
        'cp1',
        '--apiserver-advertise-address',
        '10.0.0.5',
      ]).status,
      0,
    );
    old = snapshot(dir, join(tempDir(), 'old'));
  });

  it('refuses to start anywhere but trust', () => {
    for (const name of ['issue', 'finish']) {
      const result = phase(dir, name);
      assert.equal(result.status, 1);
      assert.match(result.stderr, /\[ROTATION_ORDER\] .*the next phase is "trust"/);
    }
  });

  it('trust: old certificates still verify against every bundle, which now also holds the new CA', () => {
    const result = phase(dir, 'trust');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /run: kpki rotate-ca --phase issue/);
    const all = bundles(dir, join(tempDir(), 'b1'));
    for (const [path, cert] of Object.entries(old))
      for (const bundle of bundlesFor(path, all))
        assert.ok(verifies(bundle, cert), `${path} against ${bundle}`);
    assert.equal(
      (readFileSync(join(dir, 'pki/ca.crt'), 'utf8').match(/BEGIN CERTIFICATE/g) ?? []).length,
      2,
    );
    assert.equal(phase(dir, 'trust').status, 1, 'trust twice is refused');
  });

  it('issue: every certificate is re-issued by the new CA; old and new both verify against every bundle', () => {
    const result = phase(dir, 'issue');
    assert.equal(result.status, 0, result.stderr);
    fresh = snapshot(dir, join(tempDir(), 'new'));
    const all = bundles(dir, join(tempDir(), 'b2'));
    for (const [path, cert] of Object.entries(fresh)) {
      assert.notEqual(
        readFileSync(cert, 'utf8'),
        readFileSync(old[path] ?? '', 'utf8'),
        `${path} was re-issued`,
      );
      for (const bundle of bundlesFor(path, all)) {
        assert.ok(verifies(bundle, cert), `new ${path} against ${bundle}`);
        assert.ok(verifies(bundle, old[path] ?? ''), `old ${path} against ${bundle}`);
      }
    }
    assert.equal(kpki(['check', '--dir', dir]).status, 0);
  });

  it('finish: everything verifies against the new CA only, and old certificates no longer do', () => {
    const result = phase(dir, 'finish');
    assert.equal(result.status, 0, result.stderr);
    const all = bundles(dir, join(tempDir(), 'b3'));
    for (const bundle of Object.values(all))
      assert.equal(
        (readFileSync(bundle, 'utf8').match(/BEGIN CERTIFICATE/g) ?? []).length,
        1,
        bundle,
      );
    for (const [path, cert] of Object.entries(fresh)) {
      for (const bundle of bundlesFor(path, all)) {
        assert.ok(verifies(bundle, cert), `new ${path} against ${bundle}`);
        assert.ok(
          !verifies(bundle, old[path] ?? ''),
          `old ${path} must not verify against ${bundle}`,
        );
      }
    }
    for (const conf of KUBECONFIGS)
      assert.equal(run('kubectl', ['--kubeconfig', join(dir, conf), 'config', 'view']).status, 0);
    assert.equal(kpki(['check', '--dir', dir]).status, 0);
    assert.match(phase(dir, 'issue').stderr, /no rotation is in progress/);
  });
});
