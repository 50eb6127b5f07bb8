import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { withPrefetchedKeys } from './prefetch-keys.js';
import type { KeyAlgorithm, PrivateKey } from '../../pki/keys.js';
import type { OpsContext } from './ports.js';
import { keyPairSync } from '../../../test/support/key-pair.js';

/** A fake generator that numbers the keys it makes, so tests can see which one was handed out. */
function countingContext(fail?: KeyAlgorithm): { ctx: OpsContext; made: string[] } {
  const made: string[] = [];
  const ec = keyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
  const generate = (algorithm: KeyAlgorithm): Promise<PrivateKey> => {
    made.push(algorithm);
    if (algorithm === fail) return Promise.reject(new Error(`cannot make ${algorithm}`));
    return Promise.resolve({
      algorithm,
      keyObject: ec,
      serialForTest: made.length,
    } as PrivateKey & { serialForTest: number });
  };
  return { ctx: { keys: { generate } } as unknown as OpsContext, made };
}

const order = (key: PrivateKey): number =>
  (key as PrivateKey & { serialForTest: number }).serialForTest;

describe('withPrefetchedKeys', () => {
  it('starts every generation at once and hands the keys out in the order asked, per algorithm', async () => {
    const { ctx, made } = countingContext();
    const prefetched = withPrefetchedKeys(ctx, ['RSA-2048', 'ECDSA-P256', 'RSA-2048']);
    assert.deepEqual(made, ['RSA-2048', 'ECDSA-P256', 'RSA-2048']);
    assert.equal(order(await prefetched.keys.generate('RSA-2048')), 1);
    assert.equal(order(await prefetched.keys.generate('ECDSA-P256')), 2);
    assert.equal(order(await prefetched.keys.generate('RSA-2048')), 3);
  });

  it('generates anew once the prefetched keys of an algorithm are used up', async () => {
    const { ctx, made } = countingContext();
    const prefetched = withPrefetchedKeys(ctx, ['ECDSA-P256']);
    await prefetched.keys.generate('ECDSA-P256');
    assert.equal(order(await prefetched.keys.generate('ECDSA-P256')), 2);
    assert.equal(order(await prefetched.keys.generate('RSA-4096')), 3);
    assert.deepEqual(made, ['ECDSA-P256', 'ECDSA-P256', 'RSA-4096']);
  });

  it('reports a failed generation to the one who takes that key', async () => {
    const { ctx } = countingContext('RSA-3072');
    const prefetched = withPrefetchedKeys(ctx, ['RSA-3072']);
    await assert.rejects(prefetched.keys.generate('RSA-3072'), /cannot make RSA-3072/);
  });
});
