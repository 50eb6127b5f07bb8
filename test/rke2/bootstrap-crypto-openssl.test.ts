// §8.3 implemented independently in the test — `openssl kdf` for PBKDF2-HMAC-SHA1 and node's own
// AES-256-GCM — must read what kpki writes, and kpki must read what it writes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { decryptBootstrap, encryptBootstrap } from '../../src/pki/bootstrap-crypto.js';
import { openssl } from '../support/tools.js';

const PASSPHRASE = 'token-Ω-password';

function opensslKey(passphrase: string, salt: string): Buffer {
  const out = openssl([
    'kdf',
    '-keylen',
    '32',
    '-kdfopt',
    'digest:SHA1',
    '-kdfopt',
    `hexpass:${Buffer.from(passphrase, 'utf8').toString('hex')}`,
    '-kdfopt',
    `salt:${salt}`,
    '-kdfopt',
    'iter:4096',
    'PBKDF2',
  ]);
  return Buffer.from(out.trim().replaceAll(':', ''), 'hex');
}

function independentDecrypt(passphrase: string, stored: string): Buffer {
  const [salt, body] = stored.split(/:(.*)/s) as [string, string];
  const sealed = Buffer.from(body, 'base64');
  const decipher = createDecipheriv(
    'aes-256-gcm',
    opensslKey(passphrase, salt),
    sealed.subarray(0, 12),
  );
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([
    decipher.update(sealed.subarray(12, sealed.length - 16)),
    decipher.final(),
  ]);
}

function independentEncrypt(passphrase: string, plaintext: Buffer): string {
  const salt = randomBytes(8).toString('hex');
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', opensslKey(passphrase, salt), nonce);
  const body = Buffer.concat([
    nonce,
    cipher.update(plaintext),
    cipher.final(),
    cipher.getAuthTag(),
  ]);
  return `${salt}:${body.toString('base64')}`;
}

describe('bootstrap encryption against an independent implementation', () => {
  const plaintext = Buffer.from(
    JSON.stringify({ ServerCA: { Timestamp: '2025-01-01T00:00:00Z', Content: 'LS0t' } }),
  );

  it('a value kpki encrypted decrypts with openssl kdf + node AES-GCM', async () => {
    const stored = Buffer.from(
      await encryptBootstrap(PASSPHRASE, plaintext, (n) => new Uint8Array(randomBytes(n))),
    ).toString();
    assert.deepEqual(independentDecrypt(PASSPHRASE, stored), plaintext);
  });

  it('a value the independent implementation encrypted decrypts with kpki', async () => {
    const stored = independentEncrypt(PASSPHRASE, plaintext);
    assert.deepEqual(
      Buffer.from(await decryptBootstrap(PASSPHRASE, Buffer.from(stored), 'k')),
      plaintext,
    );
  });
});
