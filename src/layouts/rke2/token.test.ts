import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseCertificates } from '../../pki/certificate.js';
import { issue, makeChain } from '../../../test/support/make-chain.js';
import { formatJoinTokens, hashCa, tokenPassword } from './token.js';
import { testdata } from '../../../test/support/testdata.js';

const REAL = testdata('real');
const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

describe('hashCa (K3s hashCA)', () => {
  it('hashes the raw file bytes of a single real RKE2 server CA (newlines included)', () => {
    const bytes = readFileSync(`${REAL}/rke2-cachac-kubelabsAdmin/server-ca.crt`);
    const result = hashCa(bytes, 'server-ca.crt', new Date('2026-01-01T00:00:00Z'));
    assert.equal(result.basis, 'file-bytes');
    assert.equal(result.hash, sha256(bytes));
    assert.notEqual(
      result.hash,
      sha256(parseCertificates(bytes.toString(), 'x')[0]?.der ?? new Uint8Array()),
      'not the DER of the certificate',
    );
  });

  it('hashes the DER of the verified root for a bundle (intermediate first, root last)', async () => {
    const { root, ica } = await makeChain();
    const bytes = new TextEncoder().encode(`${ica.pem}\n${root.pem}\n`);
    const result = hashCa(bytes, 'server-ca.crt', new Date());
    assert.equal(result.basis, 'verified-root');
    assert.equal(result.hash, sha256(root.der));
  });

  it('falls back to the raw bytes when the bundle does not verify (unrelated certificates)', async () => {
    const a = await issue({ subject: 'CN=a', ca: true });
    const b = await issue({ subject: 'CN=b', ca: true });
    const bytes = new TextEncoder().encode(`${a.pem}\n${b.pem}\n`);
    const result = hashCa(bytes, 'server-ca.crt', new Date());
    assert.equal(result.basis, 'file-bytes-unverified');
    assert.equal(result.hash, sha256(bytes));
  });

  it('rejects a truncated CA file with BAD_PEM', () => {
    const text = readFileSync(`${REAL}/rke2-cachac-kubelabsAdmin/server-ca.crt`, 'utf8');
    assert.throws(
      () => hashCa(new TextEncoder().encode(text.slice(0, 200)), 'server-ca.crt', new Date()),
      (e: Error & { code?: string }) => e.code === 'BAD_PEM',
    );
  });
});

describe('join tokens', () => {
  it('formats K10<hash>::server:<pw> and K10<hash>::node:<pw>', () => {
    assert.deepEqual(formatJoinTokens('ab'.repeat(32), 'pw1', 'pw2'), {
      server: `K10${'ab'.repeat(32)}::server:pw1`,
      agent: `K10${'ab'.repeat(32)}::node:pw2`,
    });
  });
  it('refuses passwords K3s could not split', () => {
    assert.throws(() => formatJoinTokens('00', 'a:b', 'c'), /BAD_TOKEN|must be non-empty/);
    assert.throws(() => formatJoinTokens('00', '', 'c'), /must be non-empty/);
  });
  it('reads the password of a secure or a short token file', () => {
    assert.equal(tokenPassword(`K10${'0'.repeat(64)}::server:s3cret\n`), 's3cret');
    assert.equal(tokenPassword('plain-token\n'), 'plain-token');
  });
});
