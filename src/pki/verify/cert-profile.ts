/**
 * Checks on one certificate by itself, by the role it plays in a path. These are the encoding
 * rules of RFC 5280 §4 that a relying party may enforce; the `strict` profile enforces the
 * "conforming CA MUST" ones too (see ValidationPolicy).
 */
import type { DecodedCertificate } from './decoded-certificate.js';
import { isValidDnsName, parseSanDnsName } from './dns-name.js';
import { isValidIpConstraint } from './ip-address.js';
import { HANDLED_EXTENSIONS, Oid } from './oids.js';
import { bytesEqual } from '../der-reader.js';
import { failure, quoted } from './types.js';
import type { Failure, ValidationPolicy } from './types.js';

/** The role a certificate plays in a candidate path. */
export type CertRole = 'leaf' | 'intermediate' | 'anchor';

type Check = (cert: DecodedCertificate, role: CertRole) => string | undefined;

function sanIsWellFormed(cert: DecodedCertificate): string | undefined {
  for (const name of cert.subjectAltNames ?? []) {
    if (name.kind === 'dns' && parseSanDnsName(name.value) === undefined)
      return `has a malformed dNSName SAN "${name.value}"`;
    if (name.kind === 'ip' && name.bytes.length !== 4 && name.bytes.length !== 16)
      return 'has a malformed iPAddress SAN';
  }
  return undefined;
}

function constraintsAreWellFormed(cert: DecodedCertificate): string | undefined {
  const nc = cert.nameConstraints;
  if (nc === undefined) return undefined;
  for (const base of [...nc.permitted, ...nc.excluded]) {
    // RFC 5280 §4.2.1.10: a DNS constraint is a host name with zero or more labels added on the
    // left; wildcards and leading periods are not part of that syntax.
    if (base.kind === 'dns' && base.value !== '' && !isValidDnsName(base.value))
      return `has a malformed dNSName name constraint "${base.value}"`;
    if (base.kind === 'ip' && !isValidIpConstraint(base.bytes))
      return 'has a malformed iPAddress name constraint';
  }
  return undefined;
}

function nonCriticalOnly(c: DecodedCertificate): string | undefined {
  const mustNot = new Set<string>([
    Oid.subjectKeyIdentifier,
    Oid.authorityKeyIdentifier,
    Oid.authorityInfoAccess,
  ]);
  const critical = c.extensions.find((e) => e.critical && mustNot.has(e.oid));
  return critical === undefined
    ? undefined
    : `marks extension ${critical.oid} critical (RFC 5280 §4.2.1.1, §4.2.1.2, §4.2.2.1)`;
}

function caConsistency(c: DecodedCertificate): string | undefined {
  const isCa = c.basicConstraints?.ca === true;
  if (isCa && c.keyUsage !== undefined && !c.keyUsage.keyCertSign)
    return 'is a CA whose keyUsage lacks keyCertSign (RFC 5280 §4.2.1.3)';
  if (c.nameConstraints !== undefined && !isCa)
    return 'has nameConstraints but is not a CA (RFC 5280 §4.2.1.10)';
  return undefined;
}

function emptySubjectSan(c: DecodedCertificate): string | undefined {
  if (!c.subjectEmpty || (c.subjectAltNames !== undefined && c.subjectAltNamesCritical))
    return undefined;
  return 'has an empty subject without a critical subjectAltName (RFC 5280 §4.2.1.6)';
}

/** Rules every profile applies: they are about what the certificate says, not how CAs encode. */
const BASE_CHECKS: readonly Check[] = [
  (c) =>
    c.duplicateExtensions.length > 0
      ? `repeats extension ${c.duplicateExtensions.join(', ')} (RFC 5280 §4.2)`
      : undefined,
  (c) => (c.issuerEmpty ? 'has an empty issuer name (RFC 5280 §4.1.2.4)' : undefined),
  (c, role) =>
    role !== 'leaf' && c.subjectEmpty
      ? 'is a CA with an empty subject (RFC 5280 §4.1.2.6)'
      : undefined,
  sanIsWellFormed,
  (c, role) => (role === 'leaf' ? undefined : constraintsAreWellFormed(c)),
  nonCriticalOnly,
  caConsistency,
  emptySubjectSan,
];

function akiProblem(c: DecodedCertificate, role: CertRole): string | undefined {
  const aki = c.authorityKeyId;
  if (role !== 'anchor') {
    if (!c.selfIssued && aki?.keyId === undefined)
      return 'lacks an authorityKeyIdentifier keyIdentifier (RFC 5280 §4.2.1.1)';
    return undefined;
  }
  if (aki === undefined) return undefined;
  // CA/Browser Forum BR §7.1.2.1.3: a root's AKI, if present, is keyIdentifier only and, on a
  // self-signed root, equal to its own SKI.
  if (aki.keyId === undefined || aki.hasIssuerAndSerial)
    return 'has an authorityKeyIdentifier that is not keyIdentifier-only';
  if (c.selfIssued && c.subjectKeyId !== undefined && !bytesEqual(aki.keyId, c.subjectKeyId))
    return 'is self-issued with an AKI that differs from its SKI';
  return undefined;
}

function caEncodingProblem(c: DecodedCertificate, role: CertRole): string | undefined {
  const bc = c.basicConstraints;
  const isCa = bc?.ca === true;
  if (c.keyUsage?.keyCertSign && !isCa)
    return 'asserts keyCertSign without basicConstraints cA (RFC 5280 §4.2.1.9)';
  if (bc?.pathLen !== undefined && !isCa)
    return 'has pathLenConstraint without cA (RFC 5280 §4.2.1.9)';
  if (role === 'leaf') return undefined;
  if (bc !== undefined && !bc.critical)
    return 'is a CA with non-critical basicConstraints (RFC 5280 §4.2.1.9)';
  if (c.subjectKeyId === undefined)
    return 'is a CA without subjectKeyIdentifier (RFC 5280 §4.2.1.2)';
  return undefined;
}

/** Rules of the strict profile only: "conforming CA MUST"s and CA/Browser Forum encodings. */
const STRICT_CHECKS: readonly Check[] = [
  (c) => (c.version !== 3 ? `is X.509 v${c.version}, not v3` : undefined),
  akiProblem,
  caEncodingProblem,
  // CA/Browser Forum BR §7.1.2.7.12: SAN is critical only when the subject is empty.
  (c, role) =>
    role === 'leaf' && c.subjectAltNamesCritical && !c.subjectEmpty
      ? 'marks subjectAltName critical with a non-empty subject'
      : undefined,
];

/**
 * Checks one certificate for the role it plays. Returns the first problem as a
 * PROFILE_VIOLATION, UNKNOWN_CRITICAL_EXTENSION or MALFORMED_CERTIFICATE failure, or
 * `undefined`. An anchor's own rules apply only when the policy enforces anchor constraints.
 */
export function checkCertificateProfile(
  cert: DecodedCertificate,
  role: CertRole,
  policy: ValidationPolicy,
): Failure | undefined {
  if (role === 'anchor' && !policy.anchor.constraints) return undefined;
  const unknown = cert.extensions.find((e) => e.critical && !HANDLED_EXTENSIONS.has(e.oid));
  if (unknown !== undefined) {
    return failure(
      'UNKNOWN_CRITICAL_EXTENSION',
      `${quoted(cert)} has unrecognised critical extension ${unknown.oid} (RFC 5280 §4.2)`,
    );
  }
  const checks = policy.profile === 'strict' ? [...BASE_CHECKS, ...STRICT_CHECKS] : BASE_CHECKS;
  for (const check of checks) {
    const problem = check(cert, role);
    if (problem !== undefined) return failure('PROFILE_VIOLATION', `${quoted(cert)} ${problem}`);
  }
  return undefined;
}
