/**
 * RKE2/K3s signing authorities and the files of what they issue (a leaf's file is the leaf followed
 * by the CA file). Issuing itself is ops/shared/issue.ts with K3s's profile (layouts/rke2).
 */
import { ValidationError } from '../../errors.js';
import {
  keyMatchesCertificate,
  parseCertificates,
  type Certificate,
} from '../../pki/certificate.js';
import type { SigningAuthority } from '../../pki/issue.js';
import { encodePrivateKey, parsePrivateKeys, type PrivateKey } from '../../pki/keys.js';
import type { CaEntry } from '../../layouts/catalogue.js';
import type { Rke2Leaf } from '../../layouts/rke2/catalogue.js';
import { FileMode, type FileWrite, type OpsContext } from '../shared/ports.js';

/** A CA ready to sign: its first certificate and key, and the whole CA file as read or written. */
export interface Rke2Authority extends SigningAuthority {
  readonly bundlePem: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A CA just issued, as an authority whose CA file is its certificate alone. */
export function rke2Authority(ca: SigningAuthority): Rke2Authority {
  return { ...ca, bundlePem: ca.certificate.pem };
}

/** The certificate file of a leaf (leaf then the CA file) and, when `newKey`, its key file. */
export function leafFiles(
  entry: Rke2Leaf,
  cert: Certificate,
  key: PrivateKey,
  ca: Rke2Authority,
  newKey: boolean,
): FileWrite[] {
  const files: FileWrite[] = [
    {
      path: entry.certPath,
      data: encoder.encode(cert.pem + withNewline(ca.bundlePem)),
      mode: FileMode.cert,
    },
  ];
  if (newKey)
    files.push({
      path: entry.keyPath,
      data: encoder.encode(encodePrivateKey(key)),
      mode: FileMode.key,
    });
  return files;
}

/** Files of a new CA. */
export function rke2CaFiles(entry: CaEntry, ca: Rke2Authority): FileWrite[] {
  return [
    { path: entry.certPath, data: encoder.encode(ca.bundlePem), mode: FileMode.cert },
    { path: entry.keyPath, data: encoder.encode(encodePrivateKey(ca.key)), mode: FileMode.key },
  ];
}

/** Reads a file by path; undefined when absent. Lets CAs come from the tree or another data dir. */
export type FileSource = (path: string) => Promise<Uint8Array | undefined>;

/**
 * Loads a CA to sign with. K3s signs with the first key of the key file, which must match the
 * first certificate of the bundle.
 * @throws ValidationError `CA_KEY_MISSING` when the certificate or key is absent, `CA_KEY_MISMATCH`
 *   when they do not match, `NOT_A_CA`; InvalidInputError for unparseable files.
 */
export async function loadRke2Authority(
  read: FileSource,
  entry: CaEntry,
  where: string,
): Promise<Rke2Authority> {
  const certBytes = await read(entry.certPath);
  const keyBytes = await read(entry.keyPath);
  if (certBytes === undefined || keyBytes === undefined) {
    throw new ValidationError(
      'CA_KEY_MISSING',
      `cannot load CA "${entry.name}" from "${where}/${certBytes === undefined ? entry.certPath : entry.keyPath}": file missing`,
    );
  }
  const bundlePem = decoder.decode(certBytes);
  const [certificate] = parseCertificates(bundlePem, `${where}/${entry.certPath}`);
  const [key] = parsePrivateKeys(decoder.decode(keyBytes), `${where}/${entry.keyPath}`);
  if (!certificate || !key)
    throw new ValidationError('CA_KEY_MISSING', `cannot load CA "${entry.name}" from "${where}"`);
  if (!certificate.isCA)
    throw new ValidationError(
      'NOT_A_CA',
      `cannot load CA "${entry.name}" from "${where}/${entry.certPath}": not a CA certificate`,
    );
  if (!keyMatchesCertificate(certificate, key.keyObject)) {
    throw new ValidationError(
      'CA_KEY_MISMATCH',
      `cannot load CA "${entry.name}": "${where}/${entry.keyPath}" does not match "${where}/${entry.certPath}"`,
    );
  }
  return { certificate, key, bundlePem };
}

/** All keys of a key file in the tree, or undefined when it does not exist. */
export async function readKeys(ctx: OpsContext, path: string): Promise<PrivateKey[] | undefined> {
  const bytes = await ctx.tree.read(path);
  return bytes === undefined ? undefined : parsePrivateKeys(decoder.decode(bytes), path);
}

function withNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}
