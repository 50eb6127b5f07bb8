/**
 * Checks that need the certificate's place in a path: validity at the given time, issuer
 * capability, path length, extended key usage and name constraints (RFC 5280 §6.1.3-§6.1.4),
 * and the leaf's host name or IP address (RFC 6125 §6.4).
 */
import type { DecodedCertificate } from './decoded-certificate.js';
import { isValidDnsName, matchesHostName, parseSanDnsName } from './dns-name.js';
import { bytesEqual } from '../der-reader.js';
import { parseIpAddress } from './ip-address.js';
import { checkNameConstraints } from './name-constraints.js';
import { Oid } from './oids.js';
import { failure, quoted } from './types.js';
import type { Failure, Purpose, ValidationPolicy } from './types.js';

/** ISO 8601 without milliseconds, for messages. */
export function formatTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * RFC 5280 §4.1.2.5: both bounds are inclusive. Certificate times have whole-second precision,
 * so the instant is truncated to its second first: 5 ms past a notAfter is still that second
 * (x509-limbo rfc5280::validity::notafter-fractional), 1 ms before a notBefore second is not.
 */
export function checkValidity(cert: DecodedCertificate, time: Date): Failure | undefined {
  const t = Math.floor(time.getTime() / 1000) * 1000;
  if (t < cert.notBefore.getTime())
    return failure(
      'NOT_YET_VALID',
      `${quoted(cert)} is not valid before ${formatTime(cert.notBefore)}`,
    );
  if (t > cert.notAfter.getTime())
    return failure('EXPIRED', `${quoted(cert)} expired at ${formatTime(cert.notAfter)}`);
  return undefined;
}

/** RFC 5280 §6.1.4(k),(n): an issuer must be a CA allowed to sign certificates. */
export function checkIssuerCapability(
  cert: DecodedCertificate,
  requireBasicConstraints: boolean,
): Failure | undefined {
  const bc = cert.basicConstraints;
  if (bc === undefined ? requireBasicConstraints : !bc.ca) {
    return failure(
      'NOT_A_CA',
      `${quoted(cert)} is not a CA (basicConstraints cA is not set) but issues certificates`,
    );
  }
  if (cert.keyUsage !== undefined && !cert.keyUsage.keyCertSign) {
    return failure(
      'KEY_USAGE',
      `${quoted(cert)} issues certificates but its keyUsage lacks keyCertSign`,
    );
  }
  return undefined;
}

const PURPOSE_OID: Readonly<Record<Purpose, string>> = {
  server: Oid.serverAuth,
  client: Oid.clientAuth,
};

/**
 * RFC 5280 §4.2.1.12 for the leaf, and the common practice (Go, NSS, webpki, BetterTLS
 * BAD_EKU) of treating an EKU on a CA as a limit on what it may issue. anyExtendedKeyUsage
 * satisfies any purpose.
 */
export function checkPurpose(
  cert: DecodedCertificate,
  purpose: Purpose | undefined,
): Failure | undefined {
  if (purpose === undefined || cert.extKeyUsage === undefined) return undefined;
  const eku = cert.extKeyUsage;
  if (eku.includes(PURPOSE_OID[purpose]) || eku.includes(Oid.anyExtendedKeyUsage)) return undefined;
  return failure(
    'EXTENDED_KEY_USAGE',
    `${quoted(cert)} is not valid for ${purpose} authentication (extKeyUsage ${eku.join(', ')})`,
  );
}

/** RFC 6125 §6.4 / §6.2: the leaf's SAN must carry the DNS name or IP address asked for. */
export function checkPeerName(
  leaf: DecodedCertificate,
  host: string | undefined,
  ip: string | undefined,
): Failure | undefined {
  const sans = leaf.subjectAltNames ?? [];
  if (host !== undefined) {
    if (!isValidDnsName(host))
      return failure('BAD_INPUT', `"${host}" is not a valid DNS host name`);
    const ok = sans.some((n) => {
      const pattern = n.kind === 'dns' ? parseSanDnsName(n.value) : undefined;
      return pattern !== undefined && matchesHostName(pattern, host);
    });
    if (!ok) return failure('NAME_MISMATCH', `${quoted(leaf)} is not valid for host "${host}"`);
  }
  if (ip !== undefined) {
    const bytes = parseIpAddress(ip);
    if (bytes === undefined) return failure('BAD_INPUT', `"${ip}" is not a valid IP address`);
    if (!sans.some((n) => n.kind === 'ip' && bytesEqual(n.bytes, bytes)))
      return failure('NAME_MISMATCH', `${quoted(leaf)} is not valid for IP address ${ip}`);
  }
  return undefined;
}

/**
 * RFC 5280 §6.1.4(l),(m): a CA's pathLenConstraint bounds the non-self-issued intermediates
 * below it; the leaf never counts (x509-limbo pathlen::validation-ignores-pathlen-in-leaf).
 */
function checkPathLength(
  path: readonly DecodedCertificate[],
  issuerIndex: number,
): Failure | undefined {
  const issuer = path[issuerIndex];
  const limit = issuer?.basicConstraints?.pathLen;
  if (issuer === undefined || limit === undefined) return undefined;
  const below = path.slice(1, issuerIndex).filter((c) => !c.selfIssued).length;
  if (below <= limit) return undefined;
  return failure(
    'PATH_LENGTH_EXCEEDED',
    `${quoted(issuer)} allows ${limit} intermediate(s) below it but the path has ${below}`,
  );
}

/**
 * Checks that span the whole path (leaf first, anchor last): path length, EKU on every
 * certificate and name constraints of each CA over the certificates below it. Self-issued
 * intermediates are exempt from a CA's name constraints (RFC 5280 §6.1.3(b)).
 */
export function checkPathConstraints(
  path: readonly DecodedCertificate[],
  purpose: Purpose | undefined,
  policy: ValidationPolicy,
): Failure | undefined {
  const budget = { remaining: policy.maxNameConstraintChecks };
  const last = policy.anchor.constraints ? path.length : path.length - 1;
  for (let i = 0; i < last; i++) {
    const cert = path[i]!;
    const problem = checkPurpose(cert, purpose) ?? (i > 0 ? checkPathLength(path, i) : undefined);
    if (problem !== undefined) return problem;
    for (let j = 0; j < i && cert.nameConstraints !== undefined; j++) {
      const subject = path[j]!;
      if (j > 0 && subject.selfIssued) continue;
      const nc = checkNameConstraints(cert, subject, budget);
      if (nc !== undefined) return nc;
    }
  }
  return undefined;
}
