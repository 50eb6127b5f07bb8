/**
 * Signature algorithm identifiers the validator accepts: RSA PKCS#1 v1.5 and RSASSA-PSS with
 * SHA-2 (RFC 4055), ECDSA with SHA-2 (RFC 5758) and Ed25519 (RFC 8410). SHA-1 and MD5 are refused:
 * collisions make them unfit for certificate signatures.
 */
import { DerError, contentOf, decodeOid, childrenOf, readTlv } from '../der-reader.js';
import type { Tlv } from '../der-reader.js';
import { Oid } from './oids.js';

/** How to verify a signature with node:crypto. */
export type SignatureScheme =
  | { readonly kind: 'rsa-pkcs1'; readonly hash: string }
  | { readonly kind: 'rsa-pss'; readonly hash: string; readonly saltLength: number }
  | { readonly kind: 'ecdsa'; readonly hash: string }
  | { readonly kind: 'ed25519' };

const HASHES: Readonly<Record<string, string>> = {
  [Oid.sha256]: 'sha256',
  [Oid.sha384]: 'sha384',
  [Oid.sha512]: 'sha512',
};

const SIMPLE: Readonly<Record<string, SignatureScheme>> = {
  [Oid.sha256WithRsa]: { kind: 'rsa-pkcs1', hash: 'sha256' },
  [Oid.sha384WithRsa]: { kind: 'rsa-pkcs1', hash: 'sha384' },
  [Oid.sha512WithRsa]: { kind: 'rsa-pkcs1', hash: 'sha512' },
  [Oid.ecdsaWithSha256]: { kind: 'ecdsa', hash: 'sha256' },
  [Oid.ecdsaWithSha384]: { kind: 'ecdsa', hash: 'sha384' },
  [Oid.ecdsaWithSha512]: { kind: 'ecdsa', hash: 'sha512' },
  [Oid.ed25519]: { kind: 'ed25519' },
};

function hashOf(der: Uint8Array, algorithm: Tlv | undefined): string {
  if (algorithm?.tag !== 0x30) throw new DerError('malformed hash algorithm');
  const [oid] = childrenOf(der, algorithm);
  const hash = oid?.tag === 0x06 ? HASHES[decodeOid(contentOf(der, oid))] : undefined;
  if (hash === undefined) throw new DerError('unsupported PSS hash (SHA-256/384/512 only)');
  return hash;
}

function decodePss(der: Uint8Array, params: Tlv | undefined): SignatureScheme {
  // RFC 4055 §3.1: the SHA-1 defaults are not accepted, so all three fields must be explicit.
  if (params?.tag !== 0x30) throw new DerError('RSASSA-PSS without parameters');
  const fields = new Map(childrenOf(der, params).map((f) => [f.tag, f]));
  const hashField = fields.get(0xa0);
  const mgfField = fields.get(0xa1);
  const saltField = fields.get(0xa2);
  if (!hashField || !mgfField || !saltField) throw new DerError('RSASSA-PSS parameters incomplete');
  const hash = hashOf(der, readTlv(der, hashField.contentStart));
  const mgf = childrenOf(der, readTlv(der, mgfField.contentStart));
  const mgfOid = mgf[0]?.tag === 0x06 ? decodeOid(contentOf(der, mgf[0])) : '';
  if (mgfOid !== Oid.mgf1 || hashOf(der, mgf[1]) !== hash)
    throw new DerError('RSASSA-PSS MGF must be MGF1 with the same hash');
  const salt = readTlv(der, saltField.contentStart);
  if (salt.tag !== 0x02 || salt.end - salt.contentStart > 2)
    throw new DerError('bad PSS salt length');
  const saltLength = [...contentOf(der, salt)].reduce((n, b) => n * 256 + b, 0);
  return { kind: 'rsa-pss', hash, saltLength };
}

/**
 * Maps the DER of an AlgorithmIdentifier to a {@link SignatureScheme}. Throws {@link DerError}
 * with a readable message for unsupported or malformed identifiers.
 */
export function decodeSignatureAlgorithm(der: Uint8Array): SignatureScheme {
  const seq = readTlv(der, 0);
  const [oidTlv, params, extra] = childrenOf(der, seq);
  if (oidTlv?.tag !== 0x06 || extra !== undefined)
    throw new DerError('malformed AlgorithmIdentifier');
  const oid = decodeOid(contentOf(der, oidTlv));
  if (oid === Oid.rsaPss) return decodePss(der, params);
  const scheme = SIMPLE[oid];
  if (scheme === undefined) throw new DerError(`unsupported signature algorithm ${oid}`);
  // RFC 4055 §5 wants NULL parameters for PKCS#1 v1.5; RFC 5758 §3.2 and RFC 8410 §3 want none.
  const nullOk = scheme.kind === 'rsa-pkcs1';
  if (
    params !== undefined &&
    !(nullOk && params.tag === 0x05 && params.end === params.contentStart)
  ) {
    throw new DerError(`unexpected parameters for signature algorithm ${oid}`);
  }
  return scheme;
}
