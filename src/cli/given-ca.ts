/** Reading a CA the user hands in on the command line (`--root-cert/--root-key`, …). */
import { readInputText } from '../stores/bounded-read.js';
import { FileAccessError } from '../errors.js';
import { parseCertificates } from '../pki/certificate.js';
import { parsePrivateKey } from '../pki/keys.js';
import type { GivenCa } from '../ops/shared/ca-generate.js';
import type { GivenCaPaths } from './options/ca.js';

async function readText(path: string): Promise<string> {
  try {
    return await readInputText(path, 'pem');
  } catch (error) {
    throw new FileAccessError('UNREADABLE', `cannot read "${path}"`, { cause: error });
  }
}

/**
 * Reads a certificate file (a chain allowed) and its optional key; undefined when no file was named.
 * @throws FileAccessError `UNREADABLE` for a file that cannot be read; InvalidInputError for bad PEM.
 */
export async function readGivenCa(paths: GivenCaPaths | undefined): Promise<GivenCa | undefined> {
  if (paths === undefined) return undefined;
  const certs = parseCertificates(await readText(paths.cert), paths.cert);
  const key =
    paths.key === undefined ? undefined : parsePrivateKey(await readText(paths.key), paths.key);
  return { certs, source: paths.cert, ...(key && { key }) };
}
