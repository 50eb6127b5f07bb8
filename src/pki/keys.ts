/**
 * Private keys: generation, reading (PKCS#1, SEC1, PKCS#8) and writing the way kubeadm, K3s and
 * RKE do (PKCS#1 `RSA PRIVATE KEY`, SEC1 `EC PRIVATE KEY`).
 */
import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { InvalidInputError } from '../errors.js';
import { decodePem, encodePem } from './pem.js';
import { privateKeyDer, spkiDer } from './key-der.js';

/** Key algorithms kpki generates; the names are kubeadm's `encryptionAlgorithm` values. */
export const KEY_ALGORITHMS = [
  'RSA-2048',
  'RSA-3072',
  'RSA-4096',
  'ECDSA-P256',
  'ECDSA-P384',
] as const;
export type KeyAlgorithm = (typeof KEY_ALGORITHMS)[number];

/** A private key with what kpki needs to know about it. */
export interface PrivateKey {
  /** `RSA-<bits>` or `ECDSA-P256` / `ECDSA-P384`; read keys may have RSA sizes kpki does not generate. */
  readonly algorithm: KeyAlgorithm | `RSA-${number}`;
  readonly keyObject: KeyObject;
}

/** True when `value` names an algorithm kpki can generate. */
export function isKeyAlgorithm(value: string): value is KeyAlgorithm {
  return (KEY_ALGORITHMS as readonly string[]).includes(value);
}

/**
 * Generates a key asynchronously (libuv thread pool: several calls in parallel use both cores).
 * @throws OperationError-free: rejects only on an OpenSSL failure.
 */
export async function generatePrivateKey(algorithm: KeyAlgorithm): Promise<PrivateKey> {
  const keyObject = await new Promise<KeyObject>((resolve, reject) => {
    const done = (error: Error | null, _pub: KeyObject, priv: KeyObject): void =>
      error ? reject(error) : resolve(priv);
    switch (algorithm) {
      case 'RSA-2048':
      case 'RSA-3072':
      case 'RSA-4096':
        generateKeyPair(
          'rsa',
          { modulusLength: Number(algorithm.slice(4)), publicExponent: 0x10001 },
          done,
        );
        return;
      case 'ECDSA-P256':
        generateKeyPair('ec', { namedCurve: 'prime256v1' }, done);
        return;
      case 'ECDSA-P384':
        generateKeyPair('ec', { namedCurve: 'secp384r1' }, done);
        return;
    }
  });
  return { algorithm, keyObject };
}

/**
 * Reads every private key in a PEM text, in order (RKE2's `service.key` holds several).
 * Blocks that are not keys (`EC PARAMETERS`, certificates) are skipped.
 * @throws InvalidInputError `ENCRYPTED_KEY` for passphrase-protected keys, `WRONG_KEY_TYPE` for keys
 *   that are neither RSA nor ECDSA P-256/P-384, `BAD_KEY` when no key is found or a block does not
 *   parse. Messages name `source`, never the key material.
 */
export function parsePrivateKeys(text: string, source: string): PrivateKey[] {
  const keys: PrivateKey[] = [];
  for (const block of decodePem(text, source)) {
    const format = KEY_BLOCK_FORMATS[block.type];
    if (
      block.type === 'ENCRYPTED PRIVATE KEY' ||
      (format && block.headers['Proc-Type']?.includes('ENCRYPTED'))
    ) {
      throw new InvalidInputError(
        'ENCRYPTED_KEY',
        `the private key in "${source}" is encrypted; kpki needs an unencrypted key`,
        {
          hint: `decrypt it first, e.g. openssl pkey -in ${source} -out ${source}.plain`,
        },
      );
    }
    if (!format) continue;
    let keyObject: KeyObject;
    try {
      keyObject = createPrivateKey({ key: Buffer.from(block.der), format: 'der', type: format });
    } catch {
      throw new InvalidInputError(
        'BAD_KEY',
        `the "${block.type}" block in "${source}" is not a valid private key`,
      );
    }
    keys.push({ algorithm: describeKey(keyObject, source), keyObject });
  }
  if (keys.length === 0)
    throw new InvalidInputError('BAD_KEY', `no private key found in "${source}"`);
  return keys;
}

/** Reads exactly the first private key of a PEM text; see {@link parsePrivateKeys}. */
export function parsePrivateKey(text: string, source: string): PrivateKey {
  return parsePrivateKeys(text, source)[0] as PrivateKey;
}

const KEY_BLOCK_FORMATS: Readonly<Record<string, 'pkcs1' | 'sec1' | 'pkcs8'>> = {
  'RSA PRIVATE KEY': 'pkcs1',
  'EC PRIVATE KEY': 'sec1',
  'PRIVATE KEY': 'pkcs8',
};

/** Names the algorithm of a key, or throws `WRONG_KEY_TYPE` for anything but RSA and ECDSA P-256/P-384. */
export function describeKey(key: KeyObject, source: string): PrivateKey['algorithm'] {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa' && details.modulusLength !== undefined)
    return `RSA-${details.modulusLength}`;
  if (key.asymmetricKeyType === 'ec' && details.namedCurve === 'prime256v1') return 'ECDSA-P256';
  if (key.asymmetricKeyType === 'ec' && details.namedCurve === 'secp384r1') return 'ECDSA-P384';
  const kind =
    key.asymmetricKeyType === 'ec'
      ? `EC ${details.namedCurve ?? 'unknown curve'}`
      : (key.asymmetricKeyType ?? 'unknown');
  throw new InvalidInputError(
    'WRONG_KEY_TYPE',
    `the key in "${source}" is ${kind}; only RSA and ECDSA P-256/P-384 are supported`,
  );
}

/** PEM of a private key as the distributions write it: PKCS#1 for RSA, SEC1 for ECDSA. */
export function encodePrivateKey(key: PrivateKey): string {
  const type = key.keyObject.asymmetricKeyType === 'rsa' ? 'RSA PRIVATE KEY' : 'EC PRIVATE KEY';
  return encodePem(type, privateKeyDer(key.keyObject));
}

/** PKIX `PUBLIC KEY` PEM of a key's public half (kubeadm's `sa.pub`). */
export function encodePublicKey(key: KeyObject): string {
  const der = createPublicKey(key).export({ type: 'spki', format: 'der' });
  return encodePem('PUBLIC KEY', der);
}

/** DER SubjectPublicKeyInfo of a private or public key, for comparing key pairs. */
export function spkiOf(key: KeyObject): Buffer {
  return spkiDer(key);
}

/** PKCS#8 DER of a private key (the form WebCrypto imports on Node 20). */
export function pkcs8Of(key: PrivateKey): Buffer {
  return key.keyObject.export({ type: 'pkcs8', format: 'der' });
}
