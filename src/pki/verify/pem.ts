/** PEM CERTIFICATE blocks (RFC 7468 §5) to DER for the validator, read with pki/pem.ts. */
import { InvalidInputError } from '../../errors.js';
import { decodePem } from '../pem.js';

/**
 * Extracts every CERTIFICATE block of `text` as DER, in order. Prose and other block types are
 * skipped. `source` names the input in messages.
 * @throws InvalidInputError `BAD_PEM` when a block is truncated or not base64 (pki/pem.ts),
 *   `PEM_EMPTY` when there is no CERTIFICATE block.
 */
export function parsePemCertificates(text: string, source: string): Uint8Array[] {
  const out = decodePem(text, source)
    .filter((block) => block.type === 'CERTIFICATE')
    .map((block) => block.der);
  if (out.length === 0) {
    throw new InvalidInputError('PEM_EMPTY', `no PEM CERTIFICATE block in "${source}"`, {
      hint: 'pass a PEM file with -----BEGIN CERTIFICATE----- blocks',
    });
  }
  return out;
}
