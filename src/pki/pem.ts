/**
 * PEM decoding and encoding (RFC 7468) with size limits, so a hostile or truncated file
 * produces a clear error instead of a huge allocation or a silent partial read.
 */
import { InvalidInputError } from '../errors.js';

/** One decoded PEM block. `headers` holds RFC 1421 headers such as `Proc-Type`. */
export interface PemBlock {
  readonly type: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly der: Uint8Array;
}

/** Largest PEM text accepted (a bundle of many certificates still fits). */
export const MAX_PEM_BYTES = 4 * 1024 * 1024;
/** Largest number of blocks accepted in one file. */
export const MAX_PEM_BLOCKS = 1024;

const BEGIN = /^-----BEGIN ([A-Z0-9 ]+)-----$/;
const END = /^-----END ([A-Z0-9 ]+)-----$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Decodes every PEM block in `text`, in order. Text outside blocks is ignored (as OpenSSL and Go
 * do). `source` names the file or field in error messages.
 * @throws InvalidInputError `BAD_PEM` when a block is truncated, has bad base64, or the text is
 *   over the limits; the message never contains the block's content.
 */
export function decodePem(text: string, source: string): PemBlock[] {
  if (text.length > MAX_PEM_BYTES) {
    throw new InvalidInputError(
      'BAD_PEM',
      `"${source}" is too large for a PEM file (${text.length} bytes, limit ${MAX_PEM_BYTES})`,
    );
  }
  const lines = text.split(/\r?\n/);
  const blocks: PemBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const begin = BEGIN.exec(lines[i]?.trim() ?? '');
    if (!begin) continue;
    const type = begin[1] ?? '';
    const headers: Record<string, string> = {};
    let body = '';
    let j = i + 1;
    for (; j < lines.length; j++) {
      const line = (lines[j] ?? '').trim();
      const end = END.exec(line);
      if (end) {
        if (end[1] !== type) throw badPem(source, `block "${type}" ends with "${end[1] ?? ''}"`);
        break;
      }
      const header = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (header && body === '') headers[header[1] ?? ''] = header[2] ?? '';
      else body += line;
    }
    if (j >= lines.length) throw badPem(source, `block "${type}" is truncated (no END line)`);
    if (!BASE64.test(body) || body.length % 4 !== 0)
      throw badPem(source, `block "${type}" has invalid base64`);
    const der = Buffer.from(body, 'base64');
    if (der.length === 0) throw badPem(source, `block "${type}" is empty`);
    blocks.push({ type, headers, der: new Uint8Array(der) });
    if (blocks.length > MAX_PEM_BLOCKS) throw badPem(source, `more than ${MAX_PEM_BLOCKS} blocks`);
    i = j;
  }
  return blocks;
}

/** Encodes DER as one PEM block with 64-column lines and a trailing newline. */
export function encodePem(type: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${type}-----\n${lines.join('\n')}\n-----END ${type}-----\n`;
}

function badPem(source: string, what: string): InvalidInputError {
  return new InvalidInputError('BAD_PEM', `malformed PEM in "${source}": ${what}`);
}
