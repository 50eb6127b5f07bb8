/** kpki ca generate for kubeadm: made, given-root and given-intermediate hierarchies, checked by openssl. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashTree, kpki, openssl, tempDir } from '../support/tools.js';

const CAS = ['pki/ca.crt', 'pki/front-proxy-ca.crt', 'pki/etcd/ca.crt'];

function opensslRoot(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'corp-root.pem');
  const key = join(dir, 'corp-root.key');
  openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=corp-root',
    '-days',
    '3650',
    '-keyout',
    key,
    '-out',
    cert,
    '-addext',
    'basicConstraints=critical,CA:true',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
  ]);
  return { cert, key };
}

describe('kpki ca generate --layout kubeadm', () => {
  it('makes root → intermediate → the three CAs; init builds on them; every chain verifies to the root', () => {
    const out = join(tempDir(), 'pki-root');
    const result = kpki(['ca', 'generate', '--layout', 'kubeadm', '--out', out]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /move root-ca.key/);
    assert.equal(kpki(['init', '--dir', out, '--node-name', 'cp1']).status, 0);
    const root = join(out, 'root-ca.pem');
    for (const ca of CAS) {
      assert.equal(
        (readFileSync(join(out, ca), 'utf8').match(/BEGIN CERTIFICATE/g) ?? []).length,
        1,
        `${ca} holds the CA alone`,
      );
      assert.match(
        openssl([
          'verify',
          '-x509_strict',
          '-CAfile',
          root,
          '-untrusted',
          join(out, 'intermediate-ca.pem'),
          join(out, ca),
        ]),
        /: OK/,
      );
    }
    assert.match(
      openssl([
        'verify',
        '-x509_strict',
        '-CAfile',
        root,
        '-untrusted',
        join(out, 'intermediate-ca.pem'),
        '-untrusted',
        join(out, 'pki/etcd/ca.crt'),
        join(out, 'pki/etcd/peer.crt'),
      ]),
      /: OK/,
    );
    assert.match(
      openssl(['x509', '-noout', '-subject', '-in', join(out, 'intermediate-ca.pem')]),
      /CN = kubernetes-intermediate-ca@\d+/,
    );
    assert.equal(kpki(['check', '--dir', out]).status, 0);
  });

  it('uses a given root (made by openssl) and signs a new intermediate with it', () => {
    const dir = tempDir();
    const root = opensslRoot(dir);
    const out = join(dir, 'out');
    const result = kpki([
      'ca',
      'generate',
      '--layout',
      'kubeadm',
      '--out',
      out,
      '--root-cert',
      root.cert,
      '--root-key',
      root.key,
    ]);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(existsSync(join(out, 'root-ca.key')), false);
    assert.match(
      openssl([
        'verify',
        '-x509_strict',
        '-CAfile',
        root.cert,
        '-untrusted',
        join(out, 'intermediate-ca.pem'),
        join(out, 'pki/ca.crt'),
      ]),
      /: OK/,
    );
  });

  it('uses a given root and intermediate; no root key needed', () => {
    const dir = tempDir();
    const first = join(dir, 'first');
    assert.equal(kpki(['ca', 'generate', '--layout', 'kubeadm', '--out', first]).status, 0);
    const out = join(dir, 'out');
    const result = kpki([
      'ca',
      'generate',
      '--layout',
      'kubeadm',
      '--out',
      out,
      '--root-cert',
      join(first, 'root-ca.pem'),
      '--intermediate-cert',
      join(first, 'intermediate-ca.pem'),
      '--intermediate-key',
      join(first, 'intermediate-ca.key'),
    ]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(
      openssl([
        'verify',
        '-x509_strict',
        '-CAfile',
        join(first, 'root-ca.pem'),
        '-untrusted',
        join(first, 'intermediate-ca.pem'),
        join(out, 'pki/front-proxy-ca.crt'),
      ]),
      /: OK/,
    );
  });

  it('refuses a key that does not match its certificate, an intermediate from another root, and a non-empty output', () => {
    const dir = tempDir();
    const a = opensslRoot(join(tempDir()));
    const b = opensslRoot(join(tempDir()));
    const mismatch = kpki([
      'ca',
      'generate',
      '--layout',
      'kubeadm',
      '--out',
      join(dir, 'x'),
      '--root-cert',
      a.cert,
      '--root-key',
      b.key,
    ]);
    assert.equal(mismatch.status, 3);
    assert.match(
      mismatch.stderr,
      /\[BAD_CA_INPUT\] .*the key given for ".*corp-root.pem" does not match it/,
    );
    const first = join(dir, 'first');
    assert.equal(kpki(['ca', 'generate', '--layout', 'kubeadm', '--out', first]).status, 0);
    const foreign = kpki([
      'ca',
      'generate',
      '--layout',
      'kubeadm',
      '--out',
      join(dir, 'y'),
      '--root-cert',
      a.cert,
      '--intermediate-cert',
      join(first, 'intermediate-ca.pem'),
      '--intermediate-key',
      join(first, 'intermediate-ca.key'),
    ]);
    assert.equal(foreign.status, 3);
    assert.match(foreign.stderr, /is not signed by/);
    const before_ = hashTree(first);
    const again = kpki(['ca', 'generate', '--layout', 'kubeadm', '--out', first]);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /\[FILE_EXISTS\]/);
    assert.equal(hashTree(first), before_);
  });
});

describe('kpki ca generate --layout rke2|k3s', () => {
  const TYPES = ['client', 'server', 'request-header', 'etcd/peer', 'etcd/server'];
  const tls = (out: string, file: string): string => join(out, 'server/tls', file);
  const count = (path: string): number =>
    (readFileSync(path, 'utf8').match(/BEGIN CERTIFICATE/g) ?? []).length;

  it('makes the five CAs as the custom-CA script does; init builds a data dir on them that openssl verifies to the root', () => {
    const out = join(tempDir(), 'data');
    const result = kpki(['ca', 'generate', '--layout', 'rke2', '--out', out]);
    assert.equal(result.status, 0, result.stderr);
    const root = join(out, 'root-ca.pem');
    for (const type of TYPES) {
      assert.equal(
        count(tls(out, `${type}-ca.crt`)),
        3,
        `${type}-ca.crt holds CA + intermediate + root`,
      );
      assert.equal(count(tls(out, `${type}-ca.pem`)), 1);
      assert.match(
        openssl([
          'verify',
          '-x509_strict',
          '-CAfile',
          root,
          '-untrusted',
          tls(out, `${type}-ca.crt`),
          tls(out, `${type}-ca.pem`),
        ]),
        /: OK/,
      );
      assert.match(
        openssl(['x509', '-noout', '-subject', '-in', tls(out, `${type}-ca.pem`)]),
        new RegExp(`CN = rke2-${type.replace('/', '-')}-ca@\\d+`),
      );
      assert.match(
        openssl(['pkey', '-noout', '-text', '-in', tls(out, `${type}-ca.key`)]),
        /prime256v1/,
      );
    }
    assert.match(
      openssl(['x509', '-noout', '-subject', '-in', join(out, 'intermediate-ca.pem')]),
      /CN = rke2-intermediate-ca@\d+/,
    );
    assert.match(
      openssl(['rsa', '-noout', '-text', '-in', tls(out, 'service.key')]),
      /Private-Key: \(2048 bit/,
    );
    assert.equal(
      existsSync(tls(out, 'root-ca.key')),
      false,
      'the root key stays out of server/tls',
    );
    assert.equal(
      kpki(['init', '--layout', 'rke2', '--dir', out, '--node-name', 'n1', '--node-ip', '10.0.0.9'])
        .status,
      0,
    );
    for (const leaf of [
      'serving-kube-apiserver.crt',
      'client-admin.crt',
      'etcd/peer-server-client.crt',
      'client-auth-proxy.crt',
    ]) {
      assert.match(
        openssl([
          'verify',
          '-x509_strict',
          '-CAfile',
          root,
          '-untrusted',
          tls(out, leaf),
          tls(out, leaf),
        ]),
        /: OK/,
        leaf,
      );
    }
    assert.equal(kpki(['check', '--layout', 'rke2', '--dir', out]).status, 0);
    assert.equal(
      kpki([
        'verify',
        tls(out, 'serving-kube-apiserver.crt'),
        '--ca',
        root,
        '--untrusted',
        tls(out, 'server-ca.crt'),
        '--purpose',
        'server',
        '--ip',
        '10.0.0.9',
      ]).status,
      0,
    );
  });

  it('names the CAs after k3s and keeps an existing service.key behind the new one', () => {
    const out = join(tempDir(), 'data');
    const old = join(tempDir(), 'old.key');
    openssl(['genrsa', '-traditional', '-out', old, '2048']);
    kpkiMkdir(join(out, 'server/tls'));
    const oldText = readFileSync(old, 'utf8');
    writeFileSync(tls(out, 'service.key'), oldText);
    const result = kpki(['ca', 'generate', '--layout', 'k3s', '--out', out]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /renew +service\.key/);
    const keys = readFileSync(tls(out, 'service.key'), 'utf8');
    assert.equal((keys.match(/BEGIN RSA PRIVATE KEY/g) ?? []).length, 2);
    assert.ok(
      keys.endsWith(oldText) && !keys.startsWith(oldText),
      'new key first, old key kept after it',
    );
    assert.match(
      openssl(['x509', '-noout', '-subject', '-in', tls(out, 'etcd/server-ca.pem')]),
      /CN = k3s-etcd-server-ca@\d+/,
    );
  });

  it('signs a new intermediate with a given root; every bundle ends in that root', () => {
    const dir = tempDir();
    const root = opensslRoot(dir);
    const out = join(dir, 'data');
    const result = kpki([
      'ca',
      'generate',
      '--layout',
      'k3s',
      '--out',
      out,
      '--root-cert',
      root.cert,
      '--root-key',
      root.key,
    ]);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(existsSync(join(out, 'root-ca.key')), false);
    const rootPem = readFileSync(root.cert, 'utf8');
    for (const type of TYPES) {
      assert.ok(
        readFileSync(tls(out, `${type}-ca.crt`), 'utf8').endsWith(rootPem),
        `${type}-ca.crt ends in the given root`,
      );
      assert.match(
        openssl([
          'verify',
          '-x509_strict',
          '-CAfile',
          root.cert,
          '-untrusted',
          tls(out, `${type}-ca.crt`),
          tls(out, `${type}-ca.pem`),
        ]),
        /: OK/,
      );
    }
  });

  it('refuses an existing service.key that is not RSA, changing nothing', () => {
    const out = join(tempDir(), 'data');
    kpkiMkdir(join(out, 'server/tls'));
    openssl([
      'ecparam',
      '-name',
      'prime256v1',
      '-genkey',
      '-noout',
      '-out',
      tls(out, 'service.key'),
    ]);
    const before = hashTree(out);
    const result = kpki(['ca', 'generate', '--layout', 'rke2', '--out', out]);
    assert.equal(result.status, 3, result.stderr);
    assert.match(result.stderr, /\[WRONG_KEY_TYPE\]/);
    assert.equal(hashTree(out), before);
  });
});

function kpkiMkdir(path: string): void {
  mkdirSync(path, { recursive: true });
}
