/** The external-CA workflow: csr generate, csr sign, and kubeconfig user, through the built CLI. */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashTree, kpki, openssl, run, tempDir } from '../support/tools.js';

const FLAGS = ['--node-name', 'cp1', '--apiserver-advertise-address', '10.0.0.5'];

describe('csr generate → csr sign', () => {
  let tree: string;
  let csrDir: string;
  before(() => {
    tree = tempDir();
    assert.equal(kpki(['init', '--dir', tree, ...FLAGS]).status, 0);
    csrDir = join(tempDir(), 'csrs');
    const result = kpki(['csr', 'generate', '--dir', tree, '--csr-dir', csrDir, ...FLAGS]);
    assert.equal(result.status, 0, result.stderr);
  });

  it('writes a key and a self-signed CSR with the catalogue subject and SANs, and no usages, for every certificate', () => {
    const csrs = [
      ...readdirSync(join(csrDir, 'pki'))
        .filter((n) => n.endsWith('.csr'))
        .map((n) => `pki/${n}`),
      ...readdirSync(join(csrDir, 'pki/etcd'))
        .map((n) => `pki/etcd/${n}`)
        .filter((n) => n.endsWith('.csr')),
      ...readdirSync(csrDir).filter((n) => n.endsWith('.csr')),
    ];
    assert.equal(csrs.length, 12);
    for (const csr of csrs)
      assert.match(
        run('openssl', ['req', '-in', join(csrDir, csr), '-noout', '-verify']).stderr +
          run('openssl', ['req', '-in', join(csrDir, csr), '-noout', '-verify']).stdout,
        /verify OK/i,
      );
    const text = openssl(['req', '-in', join(csrDir, 'pki/apiserver.csr'), '-noout', '-text']);
    assert.match(text, /Subject: CN = kube-apiserver/);
    assert.match(text, /DNS:cp1, DNS:kubernetes/);
    assert.doesNotMatch(text, /Key Usage/);
    const partial = readFileSync(join(csrDir, 'admin.conf'), 'utf8');
    assert.match(partial, /client-key-data: /);
    assert.doesNotMatch(partial, /client-certificate-data|certificate-authority-data/);
  });

  it('refuses to overwrite an existing key or CSR', () => {
    const result = kpki(['csr', 'generate', '--dir', tree, '--csr-dir', csrDir, ...FLAGS]);
    assert.equal(result.status, 1);
    assert.match(
      result.stderr,
      /\[FILE_EXISTS\] file already exists in ".*csrs": .*pki\/apiserver.key/,
    );
  });

  it('refuses a set with a CSR that asks for another identity, and signs nothing', () => {
    const bad = tempDir();
    run('cp', ['-r', `${csrDir}/.`, bad]);
    const other = join(tempDir(), 'x');
    openssl([
      'req',
      '-new',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/O=system:masters/CN=kube-apiserver',
      '-keyout',
      `${other}.key`,
      '-out',
      `${other}.csr`,
    ]);
    writeFileSync(join(bad, 'pki/apiserver.csr'), readFileSync(`${other}.csr`));
    writeFileSync(join(bad, 'pki/apiserver.key'), readFileSync(`${other}.key`));
    const before_ = hashTree(tree);
    const result = kpki(['csr', 'sign', '--dir', tree, '--csr-dir', bad, ...FLAGS]);
    assert.equal(result.status, 3);
    assert.match(
      result.stderr,
      /\[BAD_CSR_SET\][\s\S]*"pki\/apiserver.csr" asks for CN=kube-apiserver O=system:masters, but "apiserver" is CN=kube-apiserver O=/,
    );
    assert.equal(hashTree(tree), before_);
  });

  it('refuses a CSR for apiserver that asks for other SANs, naming the difference', () => {
    const bad = tempDir();
    run('cp', ['-r', `${csrDir}/.`, bad]);
    const other = join(tempDir(), 'x');
    openssl([
      'req',
      '-new',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=kube-apiserver',
      '-addext',
      'subjectAltName=DNS:evil.example.com,IP:6.6.6.6',
      '-keyout',
      `${other}.key`,
      '-out',
      `${other}.csr`,
    ]);
    writeFileSync(join(bad, 'pki/apiserver.csr'), readFileSync(`${other}.csr`));
    writeFileSync(join(bad, 'pki/apiserver.key'), readFileSync(`${other}.key`));
    const before_ = hashTree(tree);
    const result = kpki(['csr', 'sign', '--dir', tree, '--csr-dir', bad, ...FLAGS]);
    assert.equal(result.status, 3, result.stderr);
    assert.match(
      result.stderr,
      /"pki\/apiserver.csr" asks for other SANs than "apiserver" has in the spec \(to match it: \+DNS:cp1 .*-DNS:evil\.example\.com -IP:6\.6\.6\.6\)/,
    );
    assert.equal(hashTree(tree), before_);
  });

  it('signs every CSR with the catalogue usages and installs certificates, keys and complete kubeconfigs', () => {
    const result = kpki(['csr', 'sign', '--dir', tree, '--csr-dir', csrDir, ...FLAGS]);
    assert.equal(result.status, 0, result.stderr);
    // init made the tree first, so every item says it replaces files (backed up first).
    assert.match(
      result.stdout,
      /replace apiserver +sign with CA "ca", replacing pki\/apiserver\.key, pki\/apiserver\.crt/,
    );
    assert.doesNotMatch(result.stdout, /^\s+create /m);
    assert.equal(
      readFileSync(join(tree, 'pki/apiserver.key'), 'utf8'),
      readFileSync(join(csrDir, 'pki/apiserver.key'), 'utf8'),
    );
    assert.match(
      openssl([
        'verify',
        '-x509_strict',
        '-CAfile',
        join(tree, 'pki/etcd/ca.crt'),
        join(tree, 'pki/etcd/peer.crt'),
      ]),
      /: OK/,
    );
    assert.match(
      openssl([
        'x509',
        '-noout',
        '-ext',
        'extendedKeyUsage,keyUsage',
        '-in',
        join(tree, 'pki/etcd/peer.crt'),
      ]),
      /TLS Web Server Authentication, TLS Web Client Authentication[\s\S]*Digital Signature, Key Encipherment|Digital Signature, Key Encipherment[\s\S]*TLS Web Server Authentication, TLS Web Client Authentication/,
    );
    assert.equal(
      run('kubectl', ['--kubeconfig', join(tree, 'admin.conf'), 'config', 'view']).status,
      0,
    );
    const check = kpki(['check', '--dir', tree, '-o', 'json']);
    assert.equal(check.status, 0, check.stdout);
  });
});

describe('csr generate without flags or --config', () => {
  it("takes the node name and address from the tree's certificates, not from the host", () => {
    const tree = tempDir();
    assert.equal(kpki(['init', '--dir', tree, ...FLAGS]).status, 0);
    const out = join(tempDir(), 'csrs');
    const result = kpki(['csr', 'generate', '--dir', tree, '--csr-dir', out]);
    assert.equal(result.status, 0, result.stderr);
    const text = openssl(['req', '-in', join(out, 'pki/apiserver.csr'), '-noout', '-text']);
    assert.match(text, /DNS:cp1, DNS:kubernetes/);
    assert.match(text, /IP Address:10\.96\.0\.1, IP Address:10\.0\.0\.5/);
    const peer = openssl(['req', '-in', join(out, 'pki/etcd/peer.csr'), '-noout', '-subject']);
    assert.match(peer, /CN ?= ?cp1/);
  });
});

describe('kubeconfig user', () => {
  it('prints a kubeconfig for a user with the given groups and lifetime, signed by ca', () => {
    const tree = tempDir();
    assert.equal(kpki(['init', '--dir', tree, ...FLAGS]).status, 0);
    const result = kpki([
      'kubeconfig',
      'user',
      '--dir',
      tree,
      '--client-name',
      'alice',
      '--org',
      'devs',
      '--org',
      'ops',
      '--validity',
      '24h',
    ]);
    assert.equal(result.status, 0, result.stderr);
    const file = join(tempDir(), 'alice.conf');
    writeFileSync(file, result.stdout);
    const view = JSON.parse(
      run('kubectl', ['--kubeconfig', file, 'config', 'view', '--raw', '-o', 'json']).stdout,
    ) as { users: { name: string; user: Record<string, string> }[] };
    assert.equal(view.users[0]?.name, 'alice');
    const cert = join(tempDir(), 'alice.crt');
    writeFileSync(
      cert,
      Buffer.from(view.users[0]?.user['client-certificate-data'] ?? '', 'base64'),
    );
    assert.match(
      openssl(['x509', '-noout', '-subject', '-in', cert]),
      /subject=O = ops \+ O = devs, CN = alice/,
    );
    assert.match(
      openssl(['verify', '-x509_strict', '-CAfile', join(tree, 'pki/ca.crt'), cert]),
      /: OK/,
    );
    const hours =
      (new Date(
        openssl(['x509', '-noout', '-enddate', '-in', cert]).split('=')[1] ?? '',
      ).getTime() -
        Date.now()) /
      3600_000;
    assert.ok(hours > 23 && hours <= 24);
    rmSync(join(tree, 'pki/ca.key'));
    const external = kpki(['kubeconfig', 'user', '--dir', tree, '--client-name', 'bob']);
    assert.equal(external.status, 3);
    assert.match(external.stderr, /CA_KEY_MISSING/);
  });
});
