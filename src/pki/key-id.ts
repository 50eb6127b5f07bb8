/** Key identifiers (RFC 5280 §4.2.1.2) as Go computes them. */
import { createHash } from 'node:crypto';
import { contentOf, expectTlv, Tag } from './der-reader.js';

/**
 * SHA-1 over the subjectPublicKey BIT STRING's bits (RFC 5280 §4.2.1.2 method 1, what Go uses),
 * as lower-case hex.
 * @throws DerError when `spkiDer` is not a SubjectPublicKeyInfo.
 */
export function subjectKeyIdOf(spkiDer: Uint8Array): string {
  const spki = expectTlv(spkiDer, 0, spkiDer.length, Tag.sequence);
  const algorithm = expectTlv(spkiDer, spki.contentStart, spki.end, Tag.sequence);
  const key = expectTlv(spkiDer, algorithm.end, spki.end, Tag.bitString);
  // The first content byte counts unused bits; Go hashes the bytes after it.
  return createHash('sha1').update(contentOf(spkiDer, key).subarray(1)).digest('hex');
}
