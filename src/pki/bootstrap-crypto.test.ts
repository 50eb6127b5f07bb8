import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { InvalidInputError, ValidationError } from '../errors.js';
import {
  bootstrapKeyName,
  decryptBootstrap,
  encryptBootstrap,
  normalizeServerToken,
} from './bootstrap-crypto.js';

const HASH = 'a'.repeat(64);
const random = (n: number): Uint8Array => new Uint8Array(randomBytes(n));

describe('normalizeServerToken', () => {
  const accepted: Record<string, [string, string]> = {
    'a bare password is itself': ['s3cret', 's3cret'],
    'a bare password keeps its colons': ['a:b:c', 'a:b:c'],
    'the secure form gives the password part': [`K10${HASH}::server:pw1`, 'pw1'],
    'the secure form without CA hash gives the password part': ['K10::server:pw2', 'pw2'],
    'a node token normalises the same way': [`K10${HASH}::node:pw3`, 'pw3'],
  };
  for (const [name, [token, want]] of Object.entries(accepted))
    it(name, () => assert.equal(normalizeServerToken(token), want));

  const refused: Record<string, string> = {
    'an empty token': '',
    'a CA hash of the wrong length': 'K10abcd::server:pw',
    'credentials without a password': `K10${HASH}::server:`,
    'credentials without user:password': `K10${HASH}::justpw`,
    'a kubeadm bootstrap token': 'abcdef.0123456789abcdef',
    'a secure token holding a kubeadm bootstrap token': `K10${HASH}::server:abcdef.0123456789abcdef`,
  };
  for (const [name, token] of Object.entries(refused)) {
    it(`refuses ${name} without echoing it`, () => {
      assert.throws(
        () => normalizeServerToken(token),
        (error: unknown) => {
          assert.ok(error instanceof InvalidInputError);
          assert.equal(error.code, 'BAD_TOKEN');
          if (token.length > 0) assert.ok(!error.message.includes(token));
          return true;
        },
      );
    });
  }
});

describe('bootstrapKeyName', () => {
  it('is /bootstrap/ and the first 12 hex of sha256 of the normalised token', () => {
    const want = createHash('sha256').update('pw1').digest('hex').slice(0, 12);
    assert.equal(bootstrapKeyName(`K10${HASH}::server:pw1`), `/bootstrap/${want}`);
    assert.equal(bootstrapKeyName('pw1'), `/bootstrap/${want}`);
  });
});

describe('encryptBootstrap / decryptBootstrap', () => {
  it('round-trips and has the salt:base64 shape with a 16-hex salt', async () => {
    const stored = await encryptBootstrap('pw', new TextEncoder().encode('{"a":1}'), random);
    assert.match(Buffer.from(stored).toString(), /^[0-9a-f]{16}:[A-Za-z0-9+/]+={0,2}$/);
    assert.equal(Buffer.from(await decryptBootstrap('pw', stored, 'k')).toString(), '{"a":1}');
  });

  it('says "wrong token" and nothing more for another passphrase', async () => {
    const stored = await encryptBootstrap(
      'right-token',
      new TextEncoder().encode('secret-material'),
      random,
    );
    await assert.rejects(
      decryptBootstrap('other-token', stored, '/bootstrap/x'),
      (error: unknown) => {
        assert.ok(error instanceof ValidationError);
        assert.equal(error.code, 'WRONG_TOKEN');
        assert.equal(error.message, 'cannot decrypt bootstrap record "/bootstrap/x": wrong token');
        assert.equal(error.cause, undefined);
        return true;
      },
    );
  });

  const corrupt: Record<string, string> = {
    'no colon': 'abcdef0123456789',
    'non-base64 cipher text': '0123456789abcdef:!!!!',
    'cipher text shorter than nonce and tag': `0123456789abcdef:${Buffer.alloc(20).toString('base64')}`,
  };
  for (const [name, value] of Object.entries(corrupt)) {
    it(`reports a corrupted record: ${name}`, async () => {
      await assert.rejects(
        decryptBootstrap('pw', Buffer.from(value), 'k'),
        (error: unknown) => error instanceof InvalidInputError && error.code === 'CORRUPT_RECORD',
      );
    });
  }

  it('treats a flipped cipher text bit as a wrong token (GCM cannot tell them apart)', async () => {
    const stored = Buffer.from(
      await encryptBootstrap('pw', Buffer.from('data'), random),
    ).toString();
    const [salt, body] = stored.split(':') as [string, string];
    const sealed = Buffer.from(body, 'base64');
    sealed[13] = (sealed[13] ?? 0) ^ 1;
    await assert.rejects(
      decryptBootstrap('pw', Buffer.from(`${salt}:${sealed.toString('base64')}`), 'k'),
      (error: unknown) => error instanceof ValidationError && error.code === 'WRONG_TOKEN',
    );
  });

  it('uses the injected randomness (deterministic output for fixed bytes)', async () => {
    const fixed = (n: number): Uint8Array => new Uint8Array(n).fill(7);
    const a = await encryptBootstrap('pw', Buffer.from('x'), fixed);
    const b = await encryptBootstrap('pw', Buffer.from('x'), fixed);
    assert.deepEqual(a, b);
    assert.ok(Buffer.from(a).toString().startsWith('0707070707070707:'));
  });
});
