/**
 * Key pairs for tests, made synchronously but safe to hand to kpki. Node 20's sync key
 * generation leaves its job object to the garbage collector, and the job's destructor locks the
 * key's mutex: a GC during a JWK export of that same key (kpki's pki/key-der.ts exports JWK)
 * then deadlocks the process (seen in CI; reproduced with `node --gc-interval=37` in ~1,500
 * generate + export rounds). Re-importing the key gives it a mutex of its own. kpki itself only
 * generates keys asynchronously, whose jobs are freed explicitly.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';

/** The key types and options the tests use. */
export type KeyPairOptions = {
  readonly modulusLength?: number;
  readonly publicExponent?: number;
  readonly namedCurve?: string;
};

const generate = generateKeyPairSync as unknown as (
  type: string,
  options?: KeyPairOptions,
) => { privateKey: KeyObject };

/** `generateKeyPairSync(type, options)`, returned as re-imported KeyObjects. */
export function keyPairSync(
  type: 'rsa' | 'ec' | 'ed25519',
  options?: KeyPairOptions,
): { privateKey: KeyObject; publicKey: KeyObject } {
  const made = generate(type, options);
  const privateKey = createPrivateKey(made.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  return { privateKey, publicKey: createPublicKey(privateKey) };
}
