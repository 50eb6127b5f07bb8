/**
 * Verifying a certificate's signature straight from its DER: the TBS bytes, the algorithm and the
 * signature are sliced out and handed to node:crypto `verify`, so a check over thousands of
 * certificates does not parse each one a second time into an X509Certificate.
 */
import { verify, X509Certificate, type KeyObject } from 'node:crypto';
import { readSignedParts } from './certificate-layout.js';
import { childrenOf, contentOf, decodeOid, encodingOf, readTlv, Tag } from './der-reader.js';

/** Hashes of the signature algorithms Go and OpenSSL write for RSA PKCS#1 v1.5 and ECDSA. */
const HASHES: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};

/**
 * True when `issuerKey` verifies the signature of the DER certificate `der`. Other algorithms
 * (RSA-PSS, Ed25519) go through OpenSSL's own certificate check. Never throws: malformed input
 * is simply not verified.
 */
export function verifyCertificateSignature(der: Uint8Array, issuerKey: KeyObject): boolean {
  try {
    const { tbs, signatureAlgorithm, signatureValue } = readSignedParts(der, readTlv(der, 0));
    const oid = childrenOf(der, signatureAlgorithm)[0];
    const hash = oid?.tag === Tag.oid ? HASHES[decodeOid(contentOf(der, oid))] : undefined;
    if (hash === undefined) return new X509Certificate(der).verify(issuerKey);
    const bits = contentOf(der, signatureValue);
    if (bits[0] !== 0) return false;
    return verify(hash, encodingOf(der, tbs), issuerKey, bits.subarray(1));
  } catch {
    return false;
  }
}
