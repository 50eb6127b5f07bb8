/**
 * `kpki sa-key rotate` and `kpki token` on an RKE2 data dir through the built CLI: old tokens stay
 * verifiable after a key rotation; the token CA hash matches K3s's hashCA for a single CA file and
 * for a custom bundle (DER of the verified root, computed here with openssl).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kpki, openssl, tempDir } from '../support/tools.js';

const KEY_BLOCK = /-----BEGIN RSA PRIVATE KEY-----\n[\s\S]*?-----END RSA PRIVATE KEY-----\n/g;
const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

/** A minimal RS256 JWT, as kube-apiserver signs service-account tokens. */
function jwt(keyPem: string, claims: Record<string, unknown>): string {
  const body = `${b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}`;
  return `${body}.${b64url(sign('sha256', Buffer.from(body), createPrivateKey(keyPem)))}`;
}

/** True when any key of a multi-key file verifies the token (kube-apiserver's --service-account-key-file). */
function verifiesWithAny(keyFile: string, token: string): boolean {
  const [header = '', payload = '', signature = ''] = token.split('.');
  return (readFileSync(keyFile, 'utf8').match(KEY_BLOCK) ?? []).some((pem) =>
    verify(
      'sha256',
      Buffer.from(`${header}.${payload}`),
      createPublicKey(pem),
      Buffer.from(signature, 'base64url'),
    ),
  );
}

function initTree(): string {
  const dir = tempDir();
  assert.equal(kpki(['init', '--layout', 'rke2', '--dir', dir, '--node-name', 'cp1']).status, 0);
  return dir;
}

describe('kpki sa-key rotate', () => {
  it('puts a new RSA 2048 key first, keeps the old one after it, and makes it service.current.key', () => {
    const dir = initTree();
    const keyFile = join(dir, 'server/tls/service.key');
    const old = readFileSync(keyFile, 'utf8');
    const oldToken = jwt(old, { sub: 'system:serviceaccount:default:old' });
    const result = kpki(['sa-key', 'rotate', '--dir', dir]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /kube-apiserver, kube-controller-manager, rke2-server/);
    const blocks = readFileSync(keyFile, 'utf8').match(KEY_BLOCK) ?? [];
    assert.equal(blocks.length, 2);
    assert.equal(blocks[1], old, 'the old key is kept byte for byte after the new one');
    assert.notEqual(blocks[0], old);
    assert.match(openssl(['rsa', '-noout', '-text'], blocks[0]), /Private-Key: \(2048 bit/);
    assert.equal(readFileSync(join(dir, 'server/tls/service.current.key'), 'utf8'), blocks[0]);
    assert.ok(verifiesWithAny(keyFile, oldToken), 'a token signed by the old key still verifies');
    const newToken = jwt(readFileSync(join(dir, 'server/tls/service.current.key'), 'utf8'), {
      sub: 'new',
    });
    assert.ok(verifiesWithAny(keyFile, newToken));
    assert.equal(kpki(['sa-key', 'rotate', '--dir', dir]).status, 0);
    assert.equal(
      (readFileSync(keyFile, 'utf8').match(KEY_BLOCK) ?? []).length,
      3,
      'a second rotation keeps both older keys',
    );
    assert.ok(verifiesWithAny(keyFile, oldToken));
  });

  it('refuses a service.key holding an ECDSA key (exit 3, nothing changes)', () => {
    const dir = initTree();
    const keyFile = join(dir, 'server/tls/service.key');
    writeFileSync(keyFile, readFileSync(join(dir, 'server/tls/client-admin.key')));
    const before = readFileSync(keyFile, 'utf8');
    const result = kpki(['sa-key', 'rotate', '--dir', dir]);
    assert.equal(result.status, 3);
    assert.match(result.stderr, /\[WRONG_KEY_TYPE\]/);
    assert.equal(readFileSync(keyFile, 'utf8'), before);
  });
});

describe('kpki token', () => {
  it('hashes the raw bytes of a single self-signed server CA file', () => {
    const dir = initTree();
    const hash = createHash('sha256')
      .update(readFileSync(join(dir, 'server/tls/server-ca.crt')))
      .digest('hex');
    const result = kpki(['token', '--dir', dir, '--password', 'p4ss', '-o', 'json']);
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), {
      server: `K10${hash}::server:p4ss`,
      agent: `K10${hash}::node:p4ss`,
      caHash: hash,
      basis: 'file-bytes',
    });
  });

  it('takes the passwords from server/token and server/agent-token when none is given', () => {
    const dir = initTree();
    writeFileSync(join(dir, 'server/token'), `K10${'0'.repeat(64)}::server:fromfile\n`);
    writeFileSync(join(dir, 'server/agent-token'), 'agentpw\n');
    const result = kpki(['token', '--dir', dir]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(
      result.stdout,
      /^server token: K10[0-9a-f]{64}::server:fromfile\nagent token: {2}K10[0-9a-f]{64}::node:agentpw\n$/,
    );
    const none = kpki(['token', '--dir', initTree()]);
    assert.equal(none.status, 3);
    assert.match(none.stderr, /\[NO_PASSWORD\]/);
  });

  it('hashes the DER of the verified root for a custom intermediate + root bundle', () => {
    const dir = initTree();
    const work = tempDir();
    const ext = join(work, 'ext.cnf');
    writeFileSync(
      ext,
      'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,digitalSignature\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n',
    );
    openssl([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      join(work, 'root.key'),
      '-out',
      join(work, 'root.pem'),
      '-subj',
      '/CN=k3s-root-ca@1',
      '-days',
      '3650',
    ]);
    openssl([
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      join(work, 'int.key'),
      '-out',
      join(work, 'int.csr'),
      '-subj',
      '/CN=k3s-server-ca@1',
    ]);
    openssl([
      'x509',
      '-req',
      '-in',
      join(work, 'int.csr'),
      '-CA',
      join(work, 'root.pem'),
      '-CAkey',
      join(work, 'root.key'),
      '-days',
      '3000',
      '-extfile',
      ext,
      '-out',
      join(work, 'int.pem'),
    ]);
    writeFileSync(
      join(dir, 'server/tls/server-ca.crt'),
      readFileSync(join(work, 'int.pem'), 'utf8') + readFileSync(join(work, 'root.pem'), 'utf8'),
    );
    const rootDer = Buffer.from(
      openssl([
        'x509',
        '-in',
        join(work, 'root.pem'),
        '-outform',
        'DER',
        '-out',
        join(work, 'root.der'),
      ]) === ''
        ? readFileSync(join(work, 'root.der'))
        : '',
    );
    const expected = createHash('sha256').update(rootDer).digest('hex');
    const result = kpki(['token', '--dir', dir, '--password', 'pw', '-o', 'json']);
    assert.equal(result.status, 0, result.stderr);
    const parsed = JSON.parse(result.stdout) as { caHash: string; basis: string };
    assert.equal(parsed.basis, 'verified-root');
    assert.equal(parsed.caHash, expected);
  });
});
