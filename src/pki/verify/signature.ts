/**
 * Certificate signature verification with node:crypto, and the key policy an issuer key must
 * meet: RSA of at least 2048 bits in whole bytes, ECDSA on P-256/P-384/P-521 given as a named
 * curve, or Ed25519 (CA/Browser Forum BR §6.1.5; RFC 5480 §2.1.1 forbids explicit curves).
 */
import { constants, createPublicKey, verify } from 'node:crypto';
import type { KeyObject, KeyType } from 'node:crypto';
import { bytesEqual, contentOf, decodeOid, childrenOf, readTlv } from '../der-reader.js';
import type { DecodedCertificate } from './decoded-certificate.js';
import { decodeSignatureAlgorithm } from './signature-algorithm.js';
import type { SignatureScheme } from './signature-algorithm.js';

/** The outcome of checking one signature. */
export type SignatureOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: string };

const NAMED_CURVES = new Set(['prime256v1', 'secp384r1', 'secp521r1']);

const EC_PUBLIC_KEY = '1.2.840.10045.2.1';

// RFC 5480 §2.1.1: ECParameters MUST be a namedCurve. OpenSSL maps explicit parameters that
// equal a known curve back to its name, so the encoding is checked before import.
function hasExplicitCurve(spki: Uint8Array): boolean {
  const [algorithm] = childrenOf(spki, readTlv(spki, 0));
  if (algorithm === undefined) return false;
  const [oid, params] = childrenOf(spki, algorithm);
  if (oid?.tag !== 0x06 || decodeOid(contentOf(spki, oid)) !== EC_PUBLIC_KEY) return false;
  return params?.tag !== 0x06;
}

/** Import results by SPKI content: a tree's CA key is imported once, not once per leaf it signed. */
const imported = new Map<string, KeyObject | string>();
const REMEMBERED_KEYS = 512;

/**
 * Imports an SPKI and applies the key policy. Returns the key, or a reason it is refused; never
 * throws. The same bytes give the same (shared, immutable) KeyObject: the {@link REMEMBERED_KEYS}
 * most recently used inputs are remembered by content, never by buffer identity.
 */
export function importPublicKey(spki: Uint8Array): KeyObject | string {
  const id = Buffer.from(spki.buffer, spki.byteOffset, spki.byteLength).toString('latin1');
  const known = imported.get(id);
  if (known !== undefined) {
    imported.delete(id);
    imported.set(id, known);
    return known;
  }
  const result = importFresh(spki);
  if (imported.size >= REMEMBERED_KEYS) imported.delete(imported.keys().next().value as string);
  imported.set(id, result);
  return result;
}

function importFresh(spki: Uint8Array): KeyObject | string {
  let key: KeyObject;
  try {
    if (hasExplicitCurve(spki)) return 'EC keys must name their curve (RFC 5480 §2.1.1)';
    key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch {
    return 'public key cannot be parsed';
  }
  const details = key.asymmetricKeyDetails ?? {};
  const type: KeyType | undefined = key.asymmetricKeyType;
  switch (type) {
    case 'rsa':
    case 'rsa-pss': {
      const bits = details.modulusLength ?? 0;
      if (bits < 2048 || bits % 8 !== 0)
        return `RSA key of ${bits} bits is not allowed (2048+ in whole bytes)`;
      return key;
    }
    case 'ec':
      return NAMED_CURVES.has(details.namedCurve ?? '')
        ? key
        : `EC curve ${details.namedCurve ?? '(explicit)'} is not allowed`;
    case 'ed25519':
      return key;
    case 'dsa':
    case 'ed448':
    case 'x25519':
    case 'x448':
    case undefined:
      return `${type ?? 'unknown'} keys are not supported`;
  }
}

function keyFits(scheme: SignatureScheme, key: KeyObject): boolean {
  const type = key.asymmetricKeyType;
  switch (scheme.kind) {
    case 'rsa-pkcs1':
      return type === 'rsa';
    case 'rsa-pss':
      return type === 'rsa' || type === 'rsa-pss';
    case 'ecdsa':
      return type === 'ec';
    case 'ed25519':
      return type === 'ed25519';
  }
}

function runVerify(
  scheme: SignatureScheme,
  key: KeyObject,
  data: Uint8Array,
  sig: Uint8Array,
): boolean {
  switch (scheme.kind) {
    case 'rsa-pkcs1':
      return verify(scheme.hash, data, { key, padding: constants.RSA_PKCS1_PADDING }, sig);
    case 'rsa-pss':
      return verify(
        scheme.hash,
        data,
        { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: scheme.saltLength },
        sig,
      );
    case 'ecdsa':
      return verify(scheme.hash, data, key, sig);
    case 'ed25519':
      return verify(null, data, key, sig);
  }
}

/**
 * Verifies that `cert` was signed by the key in `issuerSpki`. Never throws. Fails when the two
 * signature algorithm fields differ (RFC 5280 §4.1.1.2), the algorithm or key is not accepted,
 * or the signature does not verify.
 */
export function verifyCertificateSignature(
  cert: DecodedCertificate,
  issuerKey: KeyObject,
): SignatureOutcome {
  if (!bytesEqual(cert.signatureAlgorithm, cert.tbsSignatureAlgorithm)) {
    return {
      ok: false,
      reason: 'signatureAlgorithm differs from the tbsCertificate signature field',
    };
  }
  let scheme: SignatureScheme;
  try {
    scheme = decodeSignatureAlgorithm(cert.signatureAlgorithm);
  } catch (error) {
    return {
      ok: false,
      reason: error instanceof Error ? error.message : 'bad signature algorithm',
    };
  }
  if (!keyFits(scheme, issuerKey))
    return {
      ok: false,
      reason: `a ${issuerKey.asymmetricKeyType ?? '?'} key cannot make a ${scheme.kind} signature`,
    };
  try {
    return runVerify(scheme, issuerKey, cert.tbs, cert.signature)
      ? { ok: true }
      : { ok: false, reason: 'signature does not verify' };
  } catch {
    return { ok: false, reason: 'signature does not verify' };
  }
}
