/** Reading a CA the user hands in on the command line (`--root-cert/--root-key`, …). */
import { readInputText } from '../stores/bounded-read.js';
import { FileAccessError } from '../errors.js';
import { parseCertificates } from '../pki/certificate.js';
import { parsePrivateKey } from '../pki/keys.js';
import type { GivenCa } from '../ops/shared/ca-generate.js';

async function readText(path: string): Promise<string> {
  try {
    return await readInputText(path, 'pem');
  } catch (error) {
    throw new FileAccessError('UNREADABLE', `cannot read "${path}"`, { cause: error });
  }
}

/** Reads a certificate file (a chain allowed) and its optional key; undefined when no file was named. */
export async function readGivenCa(
  certPath: unknown,
  keyPath: unknown,
): Promise<GivenCa | undefined> {
  if (typeof certPath !== 'string') return undefined;
  const certs = parseCertificates(await readText(certPath), certPath);
  const key =
    typeof keyPath === 'string' ? parsePrivateKey(await readText(keyPath), keyPath) : undefined;
  return { certs, source: certPath, ...(key && { key }) };
}
