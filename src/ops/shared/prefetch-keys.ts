/**
 * Starting every key generation of an operation at once. Generation is async on the libuv pool,
 * so with all keys requested up front an RSA init keeps both cores busy from the first moment,
 * instead of generating the CA keys, then the leaf keys, then the service-account key in turn.
 */
import type { KeyAlgorithm, PrivateKey } from '../../pki/keys.js';
import type { OpsContext } from './ports.js';

/**
 * A context whose key generator hands out keys already being generated, one per entry of
 * `algorithms`, in the order asked for; once an algorithm's keys are used up it generates anew.
 * A prefetched key that is never asked for is still generated (and dropped); a failure is
 * reported to whoever takes that key.
 */
export function withPrefetchedKeys(
  ctx: OpsContext,
  algorithms: readonly KeyAlgorithm[],
): OpsContext {
  const queues = new Map<KeyAlgorithm, Promise<PrivateKey>[]>();
  for (const algorithm of algorithms) {
    const key = ctx.keys.generate(algorithm);
    // Handled later by the taker; this only keeps an early failure from being "unhandled".
    key.catch(() => undefined);
    queues.set(algorithm, [...(queues.get(algorithm) ?? []), key]);
  }
  const generate = (algorithm: KeyAlgorithm): Promise<PrivateKey> =>
    queues.get(algorithm)?.shift() ?? ctx.keys.generate(algorithm);
  return { ...ctx, keys: { ...ctx.keys, generate } };
}
