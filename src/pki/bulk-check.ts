/**
 * Checking a bundle of named certificates in one pass: parse, expiry and signature against the
 * CA in the bundle that issued each one. This is the core of `check` over a large state file
 * (an RKE1 `cluster.rkestate` of a thousand nodes holds thousands of certificates); the layout
 * maps its format to entries and formats the rows.
 */
import { describeError } from '../errors.js';
import { isSignedBy, parseCertificate, type Certificate } from './certificate.js';

/** One named certificate of a bundle, as PEM text. */
export interface BundleEntry {
  readonly name: string;
  readonly pem: string;
}

/** The check result of one entry. `certificate` is undefined when the PEM did not parse. */
export interface BundleCheckRow {
  readonly name: string;
  readonly certificate: Certificate | undefined;
  readonly notAfter: Date | undefined;
  /** NotAfter minus `at`, negative once expired. */
  readonly residualMs: number | undefined;
  /** Name of the bundle entry that issued it (itself when self-signed); undefined when none matches. */
  readonly issuer: string | undefined;
  readonly problems: readonly string[];
}

const key = (der: Uint8Array): string =>
  Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('latin1');

/**
 * Checks every entry at time `at` (a parameter: pki/ has no clock). An entry whose issuer is in
 * the bundle must verify against it; an entry whose issuer is absent gets no signature problem
 * (an external CA). Rows keep the order of `entries`. Never throws: problems are per row.
 */
export function checkBundle(entries: readonly BundleEntry[], at: Date): BundleCheckRow[] {
  const parsed = entries.map((entry) => {
    try {
      return { entry, cert: parseCertificate(entry.pem, entry.name), error: undefined };
    } catch (error) {
      return { entry, cert: undefined, error: describeError(error) };
    }
  });
  const authorities = new Map<string, { name: string; cert: Certificate }>();
  for (const { entry, cert } of parsed) {
    if (cert?.isCA && !authorities.has(key(cert.subjectDer)))
      authorities.set(key(cert.subjectDer), { name: entry.name, cert });
  }
  return parsed.map(({ entry, cert, error }) => {
    if (!cert)
      return {
        name: entry.name,
        certificate: undefined,
        notAfter: undefined,
        residualMs: undefined,
        issuer: undefined,
        problems: [error ?? 'unreadable'],
      };
    const problems: string[] = [];
    const residualMs = cert.notAfter.getTime() - at.getTime();
    if (residualMs <= 0) problems.push(`expired at ${cert.notAfter.toISOString()}`);
    const issuer = authorities.get(key(cert.issuerDer));
    if (issuer && !isSignedBy(cert, issuer.cert))
      problems.push(`signature does not verify against "${issuer.name}"`);
    return {
      name: entry.name,
      certificate: cert,
      notAfter: cert.notAfter,
      residualMs,
      issuer: issuer?.name,
      problems,
    };
  });
}
