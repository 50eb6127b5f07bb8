/**
 * Reading what a tree holds for each catalogue entry. Problems are recorded per entry rather than
 * thrown, so `check` can report a whole broken tree at once; commands that must change an entry
 * call {@link requireLoaded} to turn its problems into an error.
 */
import { describeError, InvalidInputError } from '../../errors.js';
import {
  keyMatchesCertificate,
  parseCertificates,
  type Certificate,
} from '../../pki/certificate.js';
import { chainProblem } from '../../layouts/chain-problem.js';
import { parsePrivateKeys, type PrivateKey } from '../../pki/keys.js';
import { readKubeconfig, type KubeconfigCredentials } from '../../layouts/kubeconfig.js';
import type { CaEntry, IssuedCertEntry } from '../../layouts/catalogue.js';
import type { ExternalFileReader, TreeReader } from '../shared/ports.js';

/** What was found for one entry. */
export interface Loaded<E> {
  readonly entry: E;
  /** The certificate file (or kubeconfig) exists. */
  readonly exists: boolean;
  /** First certificate of the file or kubeconfig; undefined when missing or unreadable. */
  readonly cert: Certificate | undefined;
  /** Further certificates after the first (a chain appended to a leaf). */
  readonly chain: readonly Certificate[];
  readonly key: PrivateKey | undefined;
  /** The key file exists (for a CA: absent means external-CA mode). */
  readonly keyExists: boolean;
  /** The kubeconfig text and its current credentials, for kubeconfig entries. */
  readonly kubeconfig?: { readonly text: string; readonly credentials: KubeconfigCredentials };
  /** Where the certificate was read from, for messages. */
  readonly source: string;
  readonly problems: readonly string[];
}

const decoder = new TextDecoder();

async function readText(reader: TreeReader, path: string): Promise<string | undefined> {
  const bytes = await reader.read(path);
  return bytes === undefined ? undefined : decoder.decode(bytes);
}

/** Loads a CA's certificate and key; a missing key is not a problem (external CA). */
export async function loadCa(reader: TreeReader, entry: CaEntry): Promise<Loaded<CaEntry>> {
  const problems: string[] = [];
  const certs = await parseOptional(reader, entry.certPath, problems, (t, s) =>
    parseCertificates(t, s),
  );
  const keys = await parseOptional(reader, entry.keyPath, problems, (t, s) =>
    parsePrivateKeys(t, s),
  );
  const cert = certs.value?.[0];
  const key = keys.value?.[0];
  if (cert && !cert.isCA) problems.push(`"${entry.certPath}" is not a CA certificate`);
  if (cert && key && !keyMatches(cert, key))
    problems.push(`"${entry.keyPath}" does not match "${entry.certPath}"`);
  return {
    entry,
    exists: certs.exists,
    cert,
    chain: certs.value?.slice(1) ?? [],
    key,
    keyExists: keys.exists,
    source: entry.certPath,
    problems,
  };
}

/** Loads a leaf's certificate (with any appended chain) and key, or a kubeconfig's credentials. */
export async function loadIssued(
  reader: TreeReader,
  entry: IssuedCertEntry,
  external?: ExternalFileReader,
): Promise<Loaded<IssuedCertEntry>> {
  if (entry.kind === 'kubeconfig') return loadKubeconfig(reader, entry, external);
  const problems: string[] = [];
  const certs = await parseOptional(reader, entry.certPath, problems, (t, s) =>
    parseCertificates(t, s),
  );
  const keys = await parseOptional(reader, entry.keyPath, problems, (t, s) =>
    parsePrivateKeys(t, s),
  );
  const cert = certs.value?.[0];
  const key = keys.value?.[0];
  if (certs.exists && !keys.exists) problems.push(`key "${entry.keyPath}" is missing`);
  if (cert && key && !keyMatches(cert, key))
    problems.push(`key "${entry.keyPath}" does not match certificate "${entry.certPath}"`);
  return {
    entry,
    exists: certs.exists,
    cert,
    chain: certs.value?.slice(1) ?? [],
    key,
    keyExists: keys.exists,
    source: entry.certPath,
    problems,
  };
}

async function loadKubeconfig(
  reader: TreeReader,
  entry: IssuedCertEntry & { kind: 'kubeconfig' },
  external?: ExternalFileReader,
): Promise<Loaded<IssuedCertEntry>> {
  const problems: string[] = [];
  const base = { entry, chain: [] as Certificate[], source: entry.path, problems };
  let text: string | undefined;
  try {
    text = await readText(reader, entry.path);
  } catch (error) {
    problems.push(describeError(error));
    return { ...base, exists: true, cert: undefined, key: undefined, keyExists: false };
  }
  if (text === undefined)
    return { ...base, exists: false, cert: undefined, key: undefined, keyExists: false };
  try {
    const credentials = readKubeconfig(text, entry.path);
    const { certText, keyText, source } = await credentialTexts(credentials, entry.path, external);
    const certs = certText === undefined ? undefined : parseCertificates(certText, source);
    const key = keyText === undefined ? undefined : parsePrivateKeys(keyText, `${source} (key)`)[0];
    if (certs === undefined && credentials.certFile === undefined)
      problems.push(`"${entry.path}" has no client certificate for user "${credentials.userName}"`);
    const cert = certs?.[0];
    if (cert && key && !keyMatches(cert, key))
      problems.push(`the client key in "${source}" does not match its certificate`);
    return {
      ...base,
      source,
      exists: true,
      cert,
      chain: certs?.slice(1) ?? [],
      key,
      keyExists: key !== undefined,
      kubeconfig: { text, credentials },
    };
  } catch (error) {
    problems.push(describeError(error));
    return { ...base, exists: true, cert: undefined, key: undefined, keyExists: false };
  }
}

/** Embedded data, or the files a kubeconfig references (kubelet.conf after TLS bootstrap). */
async function credentialTexts(
  creds: KubeconfigCredentials,
  path: string,
  external?: ExternalFileReader,
): Promise<{ certText: string | undefined; keyText: string | undefined; source: string }> {
  if (creds.certPem !== undefined || creds.certFile === undefined)
    return { certText: creds.certPem, keyText: creds.keyPem, source: path };
  const file = creds.certFile;
  // Without a reader for files outside the tree (init, renew), a reference is simply left alone.
  if (!external) return { certText: undefined, keyText: undefined, source: file };
  const bytes = await external.read(file);
  if (bytes === undefined) {
    throw new InvalidInputError(
      'MISSING_REFERENCE',
      `"${path}" refers to client certificate "${file}", which is not readable here`,
    );
  }
  const text = decoder.decode(bytes);
  const keyBytes =
    creds.keyFile === undefined || creds.keyFile === file
      ? bytes
      : await external.read(creds.keyFile);
  return {
    certText: text,
    keyText: keyBytes === undefined ? undefined : decoder.decode(keyBytes),
    source: file,
  };
}

async function parseOptional<T>(
  reader: TreeReader,
  path: string,
  problems: string[],
  parse: (text: string, source: string) => T,
): Promise<{ exists: boolean; value: T | undefined }> {
  try {
    const text = await readText(reader, path);
    if (text === undefined) return { exists: false, value: undefined };
    return { exists: true, value: parse(text, path) };
  } catch (error) {
    problems.push(describeError(error));
    return { exists: true, value: undefined };
  }
}

function keyMatches(cert: Certificate, key: PrivateKey): boolean {
  return keyMatchesCertificate(cert, key.keyObject);
}

/**
 * Problems between an issued entry and its CA at `at`: not chaining to it, or (kubeconfigs) CA data that
 * differs from the CA certificate file.
 */
export function chainProblems(
  loaded: Loaded<IssuedCertEntry>,
  ca: Loaded<CaEntry> | undefined,
  at: Date,
): string[] {
  const problems: string[] = [];
  const cert = loaded.cert;
  if (!ca?.cert) return problems;
  const chain = cert && chainProblem(cert, ca.cert, `CA "${ca.entry.name}" (${ca.source})`, at);
  if (chain) problems.push(chain.text);
  const caData = loaded.kubeconfig?.credentials.caPem;
  if (caData !== undefined && !sameFirstCertificate(caData, ca.cert)) {
    problems.push(`certificate-authority-data differs from "${ca.source}"`);
  }
  return problems;
}

function sameFirstCertificate(pem: string, cert: Certificate): boolean {
  try {
    const first = parseCertificates(pem, 'certificate-authority-data')[0];
    return first !== undefined && Buffer.from(first.der).equals(Buffer.from(cert.der));
  } catch {
    return false;
  }
}

/**
 * Throws the entry's first problem as an error, for commands that cannot proceed past it.
 * @throws InvalidInputError `BROKEN_ENTRY` naming the entry and listing its problems.
 */
export function requireLoaded<E extends { name: string }>(loaded: Loaded<E>): void {
  if (loaded.problems.length > 0) {
    throw new InvalidInputError(
      'BROKEN_ENTRY',
      `cannot use "${loaded.entry.name}": ${loaded.problems.join('; ')}`,
    );
  }
}
