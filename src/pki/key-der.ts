/**
 * Key DER (SubjectPublicKeyInfo, SEC1, PKCS#1) built from a key's JWK. OpenSSL 3.0's encoders cost
 * 15–200 µs per call (an encoder lookup each time, slower still while other threads generate
 * keys), more than generating a P-256 key; one JWK export per key takes under 10 µs and serves
 * every encoding. The DER written is the one OpenSSL writes (tests compare them), so key files,
 * key matching and certificates are unchanged.
 *
 * Hazard (Node 20): a KeyObject from `generateKeyPairSync` shares a mutex with the key-generation
 * job, which the garbage collector frees; a collection during this module's JWK export of that
 * key then deadlocks the process. kpki generates keys only with the async `generateKeyPair`
 * (whose jobs are freed explicitly); callers handing in sync-generated keys should re-import them
 * first (see test/support/key-pair.ts).
 */
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { bitString, NULL, oid, sequence, tlv } from './der-writer.js';
import { Tag } from './der-reader.js';

const EC_PUBLIC_KEY = oid('1.2.840.10045.2.1');
const curveInfo = (
  curveOid: Buffer,
  size: number,
): { curve: Buffer; algorithm: Buffer; size: number } => ({
  curve: curveOid,
  algorithm: sequence(EC_PUBLIC_KEY, curveOid),
  size,
});
const EC_CURVES: Readonly<
  Record<string, { readonly curve: Buffer; readonly algorithm: Buffer; readonly size: number }>
> = {
  'P-256': curveInfo(oid('1.2.840.10045.3.1.7'), 32),
  'P-384': curveInfo(oid('1.3.132.0.34'), 48),
};
const RSA_ALGORITHM = sequence(oid('1.2.840.113549.1.1.1'), NULL);

/** An unsigned big-endian INTEGER, with the 0x00 pad DER needs when the top bit is set. */
function unsignedInteger(bytes: Buffer): Buffer {
  let first = 0;
  while (first < bytes.length - 1 && bytes[first] === 0) first++;
  const trimmed = bytes.subarray(first);
  return tlv(
    Tag.integer,
    (trimmed[0] as number) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed,
  );
}

const jwks = new WeakMap<KeyObject, JsonWebKey>();

/** The key's JWK, exported once per KeyObject (keys are immutable). */
function jwkOf(key: KeyObject): JsonWebKey {
  let jwk = jwks.get(key);
  if (!jwk) {
    jwk = key.export({ format: 'jwk' });
    jwks.set(key, jwk);
  }
  return jwk;
}

const b64 = (value: string | undefined): Buffer => Buffer.from(value ?? '', 'base64url');

/**
 * DER SubjectPublicKeyInfo of a private or public key: RSA (rsaEncryption, NULL parameters) and
 * EC P-256/P-384 (named curve, uncompressed point) from the JWK; other keys through OpenSSL.
 */
export function spkiDer(key: KeyObject): Buffer {
  const type = key.asymmetricKeyType;
  if (type === 'ec' || type === 'rsa') {
    const jwk = jwkOf(key);
    if (type === 'rsa' && jwk.n !== undefined && jwk.e !== undefined) {
      const rsaKey = sequence(
        unsignedInteger(Buffer.from(jwk.n, 'base64url')),
        unsignedInteger(Buffer.from(jwk.e, 'base64url')),
      );
      return sequence(RSA_ALGORITHM, bitString(rsaKey));
    }
    const curve = EC_CURVES[jwk.crv ?? ''];
    if (type === 'ec' && curve && jwk.x !== undefined && jwk.y !== undefined) {
      const x = Buffer.from(jwk.x, 'base64url');
      const y = Buffer.from(jwk.y, 'base64url');
      if (x.length === curve.size && y.length === curve.size)
        return sequence(curve.algorithm, bitString(Buffer.concat([Buffer.from([4]), x, y])));
    }
  }
  return (key.type === 'public' ? key : createPublicKey(key)).export({
    type: 'spki',
    format: 'der',
  });
}

/**
 * DER of a private key as the distributions write it: PKCS#1 RSAPrivateKey for RSA, SEC1
 * ECPrivateKey (with curve parameters and public key, as OpenSSL writes it) for P-256/P-384;
 * other keys through OpenSSL (PKCS#1 / SEC1 export).
 * @throws Error when `key` is not a private key.
 */
export function privateKeyDer(key: KeyObject): Buffer {
  if (key.type !== 'private') throw new Error('not a private key');
  const jwk =
    key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'ec' ? jwkOf(key) : undefined;
  if (jwk?.kty === 'RSA' && jwk.d !== undefined && jwk.p !== undefined && jwk.q !== undefined) {
    const parts = [jwk.n, jwk.e, jwk.d, jwk.p, jwk.q, jwk.dp, jwk.dq, jwk.qi].map((v) =>
      unsignedInteger(b64(v)),
    );
    return sequence(tlv(Tag.integer, Buffer.from([0])), ...parts);
  }
  const curve = jwk?.kty === 'EC' ? EC_CURVES[jwk.crv ?? ''] : undefined;
  if (jwk && curve && jwk.d !== undefined) {
    const point = Buffer.concat([Buffer.from([4]), b64(jwk.x), b64(jwk.y)]);
    return sequence(
      tlv(Tag.integer, Buffer.from([1])),
      tlv(Tag.octetString, b64(jwk.d)),
      tlv(0xa0, curve.curve),
      tlv(0xa1, bitString(point)),
    );
  }
  return key.export({ type: key.asymmetricKeyType === 'rsa' ? 'pkcs1' : 'sec1', format: 'der' });
}
