/**
 * Reading the certificates and keys of a `certificatesBundle`. The PEMs are the truth; the
 * metadata fields are not trusted (§2.3). Problems are recorded per entry so `check` can report a
 * whole broken state at once; commands that change the state refuse a bundle with problems.
 */
import { describeError } from '../../errors.js';
import {
  keyMatchesCertificate,
  parseCertificates,
  type Certificate,
} from '../../pki/certificate.js';
import { parsePrivateKey, type PrivateKey } from '../../pki/keys.js';
import { chainProblem } from '../chain-problem.js';
import type { Bundle, BundleEntry } from './state.js';

/** One bundle entry, parsed. */
export interface LoadedEntry {
  readonly name: string;
  readonly raw: BundleEntry;
  readonly cert: Certificate | undefined;
  readonly key: PrivateKey | undefined;
  /** Where the entry lives, for messages: `cluster.rkestate: desiredState["kube-ca"]`. */
  readonly source: string;
  readonly problems: readonly string[];
}

/**
 * Parses every entry of a bundle. RKE's loader asserts RSA keys, so any other key type is a
 * problem; so are unparsable PEMs and keys that do not match their certificate.
 */
export function loadBundle(bundle: Bundle, where: string): Map<string, LoadedEntry> {
  const loaded = new Map<string, LoadedEntry>();
  for (const [name, raw] of Object.entries(bundle))
    loaded.set(name, loadEntry(name, raw, `${where}["${name}"]`));
  return loaded;
}

function loadEntry(name: string, raw: BundleEntry, source: string): LoadedEntry {
  const problems: string[] = [];
  const certText = raw.certificatePEM ?? '';
  const keyText = raw.keyPEM ?? '';
  const cert =
    certText === ''
      ? undefined
      : attempt(() => parseCertificates(certText, `${source}.certificatePEM`)[0], problems);
  const key =
    keyText === ''
      ? undefined
      : attempt(() => parsePrivateKey(keyText, `${source}.keyPEM`), problems);
  if (key && key.keyObject.asymmetricKeyType !== 'rsa')
    problems.push(`${source}.keyPEM is ${key.algorithm}; RKE reads only RSA keys`);
  if (cert && key && !keyMatchesCertificate(cert, key.keyObject))
    problems.push(`${source}.keyPEM does not match its certificate`);
  return { name, raw, cert, key, source, problems };
}

function attempt<T>(parse: () => T, problems: string[]): T | undefined {
  try {
    return parse();
  } catch (error) {
    problems.push(describeError(error));
    return undefined;
  }
}

/** Problems between a leaf and its CA at `at`: not chaining to it (signature checked, not just the issuer name). */
export function chainProblems(
  entry: LoadedEntry,
  ca: LoadedEntry | undefined,
  caName: string,
  at: Date,
): string[] {
  if (!entry.cert) return [];
  if (!ca?.cert) return [`its CA "${caName}" is missing or unreadable`];
  const problem = chainProblem(entry.cert, ca.cert, `CA "${caName}"`, at);
  return problem === undefined ? [] : [problem.text];
}
