// Wycheproof PBKDF2-HMAC-SHA1 and AES-GCM (96-bit IV groups) against the very primitives the
// bootstrap record uses (src/pki/bootstrap-crypto.ts), read in place from ../shared/testdata.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { aesGcmOpen, aesGcmSeal, pbkdf2Sha1 } from '../../src/pki/bootstrap-crypto.js';
import { testdata } from '../support/testdata.js';

const ROOT = testdata('wycheproof');

interface PbkdfCase {
  tcId: number;
  password: string;
  salt: string;
  iterationCount: number;
  dkLen: number;
  dk: string;
  result: string;
}
interface GcmCase {
  tcId: number;
  key: string;
  iv: string;
  aad: string;
  msg: string;
  ct: string;
  tag: string;
  result: string;
}
interface GcmGroup {
  ivSize: number;
  keySize: number;
  tagSize: number;
  tests: GcmCase[];
}

const hex = (value: string): Buffer => Buffer.from(value, 'hex');
const load = <T>(name: string): T => JSON.parse(readFileSync(`${ROOT}/${name}`, 'utf8')) as T;

describe('wycheproof PBKDF2-HMAC-SHA1', () => {
  const file = load<{ numberOfTests: number; testGroups: { tests: PbkdfCase[] }[] }>(
    'pbkdf2_hmacsha1_test.json',
  );
  const cases = file.testGroups.flatMap((g) => g.tests);

  it('holds every vector the file declares (64)', () => {
    assert.equal(cases.length, file.numberOfTests);
    assert.equal(cases.length, 64);
  });

  it('derives the expected key for every vector, the 16 777 216-iteration one included', async () => {
    const results = await Promise.all(
      cases.map(async (c) => {
        const dk = await pbkdf2Sha1(hex(c.password), hex(c.salt), c.iterationCount, c.dkLen);
        return { c, ok: dk.toString('hex') === c.dk };
      }),
    );
    const failed = results.filter((r) => r.ok !== (r.c.result === 'valid')).map((r) => r.c.tcId);
    assert.deepEqual(failed, []);
    assert.equal(results.filter((r) => r.ok).length, 64);
  });
});

describe('wycheproof AES-GCM, 96-bit IV groups', () => {
  const file = load<{ testGroups: GcmGroup[] }>('aes_gcm_test.json');
  const groups = file.testGroups.filter((g) => g.ivSize === 96);
  const cases = groups.flatMap((g) => g.tests.map((t) => ({ ...t, keySize: g.keySize })));

  it('has the 197 vectors the README counts (66 of them AES-256)', () => {
    assert.equal(cases.length, 197);
    assert.equal(cases.filter((c) => c.keySize === 256).length, 66);
  });

  it('opens every valid vector to its message and rejects every invalid one', () => {
    const wrong = cases.filter((c) => {
      const opened = aesGcmOpen(
        hex(c.key),
        hex(c.iv),
        Buffer.concat([hex(c.ct), hex(c.tag)]),
        hex(c.aad),
      );
      const ok = opened !== undefined && opened.toString('hex') === c.msg;
      return ok !== (c.result === 'valid');
    });
    assert.deepEqual(
      wrong.map((c) => c.tcId),
      [],
    );
  });

  it('seals every valid vector to its ciphertext and tag', () => {
    const valid = cases.filter((c) => c.result === 'valid');
    assert.ok(valid.length > 100);
    const wrong = valid.filter(
      (c) =>
        aesGcmSeal(hex(c.key), hex(c.iv), hex(c.msg), hex(c.aad)).toString('hex') !== c.ct + c.tag,
    );
    assert.deepEqual(
      wrong.map((c) => c.tcId),
      [],
    );
  });
});
