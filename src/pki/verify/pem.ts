/** PEM CERTIFICATE blocks (RFC 7468 §5) to DER. Text outside the blocks is ignored. */
import { InvalidInputError } from '../../errors.js';

const BLOCK = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;

/**
 * Extracts every CERTIFICATE block of `text` as DER, in order. Prose and other block types are
 * skipped. Throws InvalidInputError `PEM_INVALID` when a block's body is not base64 and
 * `PEM_EMPTY` when there is no CERTIFICATE block; `source` names the input in the message.
 */
export function parsePemCertificates(text: string, source: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const match of text.matchAll(BLOCK)) {
    const body = (match[1] ?? '').replace(/\s+/g, '');
    if (body.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(body) || body.length % 4 !== 0) {
      throw new InvalidInputError('PEM_INVALID', `certificate block ${out.length + 1} in "${source}" is not valid base64`);
    }
    out.push(new Uint8Array(Buffer.from(body, 'base64')));
  }
  if (out.length === 0) {
    throw new InvalidInputError('PEM_EMPTY', `no PEM CERTIFICATE block in "${source}"`, { hint: 'pass a PEM file with -----BEGIN CERTIFICATE----- blocks' });
  }
  return out;
}
