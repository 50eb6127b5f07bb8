/**
 * Validating a custom certificate directory (reference rke.md §6.1) — more than RKE's issuer-name
 * comparison: each certificate's signature is verified against the given CA, each key must be
 * unencrypted RSA and match its certificate, validity, extended key usages, the subjects RBAC
 * relies on, and the SANs the cluster file needs are all checked. Every problem is collected.
 */
import { describeError } from '../../errors.js';
import {
  keyMatchesCertificate,
  parseCertificate,
  type Certificate,
} from '../../pki/certificate.js';
import { chainProblem, withSubject } from '../chain-problem.js';
import { parsePrivateKey, type PrivateKey } from '../../pki/keys.js';
import { KUBE_CA, REQUESTHEADER_CA, type RkeCatalogue, type RkeCertEntry } from './catalogue.js';

/**
 * The files of an entry in a custom certificate directory (`--cert-dir`), as RKE names them:
 * `<name>.pem`, `<name>-key.pem` and, for CSRs, `<name>-csr.pem`.
 */
export function customCertFiles(name: string): { cert: string; key: string; csr: string } {
  return { cert: `${name}.pem`, key: `${name}-key.pem`, csr: `${name}-csr.pem` };
}

/** The texts found for one name: `<name>.pem` and `<name>-key.pem`. */
export interface CustomFiles {
  readonly certText: string | undefined;
  readonly keyText: string | undefined;
}

/** A certificate (and key) that passed. */
export interface CustomPair {
  readonly cert: Certificate;
  readonly key: PrivateKey | undefined;
}

/** The outcome: usable pairs by name, and every problem found. */
export interface CustomCertsResult {
  readonly pairs: ReadonlyMap<string, CustomPair>;
  readonly problems: readonly string[];
  readonly warnings: readonly string[];
}

/** Server certificates whose CN nothing checks; every other subject is what RBAC or the apiserver matches on. */
const CN_FREE = (entry: RkeCertEntry): boolean =>
  entry.name === 'kube-apiserver' || entry.family === 'kube-etcd';

/**
 * Validates the files of `files` (name → texts) against the catalogue at `now`. The CA keys and
 * the request-header CA are optional; every leaf but the service-account entry is required.
 */
export function validateCustomCerts(
  catalogue: RkeCatalogue,
  files: ReadonlyMap<string, CustomFiles>,
  now: Date,
): CustomCertsResult {
  const problems: string[] = [];
  const warnings: string[] = [];
  const pairs = new Map<string, CustomPair>();
  const kubeCa = readPair(KUBE_CA, files.get(KUBE_CA), false, problems);
  if (!files.get(KUBE_CA)?.certText)
    problems.push(`${KUBE_CA}.pem is missing: the CA that signed the certificates is required`);
  if (kubeCa) checkCa(KUBE_CA, kubeCa, now, problems, pairs);
  let headerCa = readPair(REQUESTHEADER_CA, files.get(REQUESTHEADER_CA), false, problems);
  if (headerCa) checkCa(REQUESTHEADER_CA, headerCa, now, problems, pairs);
  else if (!files.get(REQUESTHEADER_CA)?.certText) {
    warnings.push(
      `${REQUESTHEADER_CA}.pem not found: using ${KUBE_CA} as the request-header CA, as RKE does`,
    );
    headerCa = kubeCa && { cert: kubeCa.cert, key: undefined };
  }
  for (const entry of catalogue.leaves.filter((leaf) => !leaf.preserveKey)) {
    const pair = readPair(entry.name, files.get(entry.name), true, problems);
    if (!pair) continue;
    const ca = entry.ca === REQUESTHEADER_CA ? headerCa : kubeCa;
    const before = problems.length;
    checkLeaf(entry, pair, ca?.cert, now, problems);
    if (problems.length === before) pairs.set(entry.name, pair);
  }
  return { pairs, problems, warnings };
}

function readPair(
  name: string,
  texts: CustomFiles | undefined,
  keyRequired: boolean,
  problems: string[],
): CustomPair | undefined {
  if (!texts?.certText) {
    if (keyRequired) problems.push(`${name}.pem is missing`);
    return undefined;
  }
  if (keyRequired && !texts.keyText) problems.push(`${name}-key.pem is missing`);
  try {
    const cert = parseCertificate(texts.certText, `${name}.pem`);
    const key = texts.keyText ? parsePrivateKey(texts.keyText, `${name}-key.pem`) : undefined;
    if (key && key.keyObject.asymmetricKeyType !== 'rsa')
      problems.push(`${name}-key.pem is ${key.algorithm}; RKE reads only RSA keys`);
    if (key && !keyMatchesCertificate(cert, key.keyObject))
      problems.push(`${name}-key.pem does not match ${name}.pem`);
    return { cert, key };
  } catch (error) {
    problems.push(describeError(error));
    return undefined;
  }
}

function checkCa(
  name: string,
  pair: CustomPair,
  now: Date,
  problems: string[],
  pairs: Map<string, CustomPair>,
): void {
  const before = problems.length;
  if (!pair.cert.isCA || !pair.cert.keyUsage.includes('keyCertSign'))
    problems.push(`${name}.pem is not a CA certificate (CA:TRUE and keyCertSign required)`);
  checkValidity(name, pair.cert, now, problems);
  if (problems.length === before) pairs.set(name, pair);
}

function checkValidity(name: string, cert: Certificate, now: Date, problems: string[]): void {
  if (now > cert.notAfter) problems.push(`${name}.pem expired on ${cert.notAfter.toISOString()}`);
  if (now < cert.notBefore)
    problems.push(`${name}.pem is not valid before ${cert.notBefore.toISOString()}`);
}

function checkLeaf(
  entry: RkeCertEntry,
  pair: CustomPair,
  ca: Certificate | undefined,
  now: Date,
  problems: string[],
): void {
  const { cert } = pair;
  const file = `${entry.name}.pem`;
  const chain =
    ca &&
    chainProblem(
      cert,
      ca,
      entry.ca === REQUESTHEADER_CA ? 'the request-header CA' : `${KUBE_CA}.pem`,
      now,
    );
  if (chain) problems.push(withSubject(file, chain));
  checkValidity(entry.name, cert, now, problems);
  const lacking = entry.extKeyUsage.filter((usage) => !cert.extKeyUsage.includes(usage));
  if (lacking.length > 0) problems.push(`${file} lacks extended key usage ${lacking.join(', ')}`);
  if (!CN_FREE(entry) && cert.subject.cn !== entry.subject.cn)
    problems.push(`${file} has CN "${cert.subject.cn ?? ''}"; it must be "${entry.subject.cn}"`);
  const orgs = (entry.subject.o ?? []).filter((o) => !cert.subject.o.includes(o));
  if (orgs.length > 0) problems.push(`${file} lacks O "${orgs.join('", "')}"`);
  const missing = [
    ...entry.altNames.dns.filter((dns) => !cert.dnsNames.includes(dns)),
    ...entry.altNames.ip.filter((ip) => !cert.ipAddresses.includes(ip)),
  ];
  if (missing.length > 0)
    problems.push(`${file} lacks SANs the cluster file needs: ${missing.join(', ')}`);
}
