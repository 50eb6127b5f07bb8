/** The signature algorithm Go picks for a key, in WebCrypto's terms. */
import type { KeyObject, webcrypto as WebCrypto } from 'node:crypto';

/** WebCrypto parameters for signing with RSA PKCS#1 v1.5 or ECDSA. */
export type SigningAlgorithm =
  | WebCrypto.RsaHashedImportParams
  | (WebCrypto.EcKeyImportParams & WebCrypto.EcdsaParams);

/** Go's default signature algorithm for a key: SHA-256 for RSA and P-256, SHA-384 for P-384. */
export function algorithmOf(key: KeyObject): SigningAlgorithm {
  if (key.asymmetricKeyType === 'rsa') return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (key.asymmetricKeyType === 'ec' && curve === 'prime256v1')
    return { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  if (key.asymmetricKeyType === 'ec' && curve === 'secp384r1')
    return { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' };
  throw new Error(
    `unsupported key type ${key.asymmetricKeyType ?? 'unknown'} ${curve ?? ''}`.trim(),
  );
}
