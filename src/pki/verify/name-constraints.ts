/**
 * Name constraints (RFC 5280 §4.2.1.10, §6.1.3(b)-(c)) for dNSName, iPAddress and
 * directoryName. Other name forms are not interpreted, so a constraint of such a form fails the
 * path when a name of that form is present (RFC 5280 §4.2.1.10: a system that cannot process a
 * constraint form for a name it meets must reject), and is a no-op otherwise.
 */
import { bytesEqual, encodingOf, childrenOf, readTlv } from '../der-reader.js';
import type { DecodedCertificate, NameConstraintsInfo } from './decoded-certificate.js';
import { parseSanDnsName, patternWithinSubtree } from './dns-name.js';
import { formatIpAddress, isWithinIpSubnet } from './ip-address.js';
import type { GeneralName } from './general-names.js';
import { failure, quoted } from './types.js';
import type { Failure } from './types.js';

function rdns(nameDer: Uint8Array): Uint8Array[] {
  const seq = readTlv(nameDer, 0);
  return childrenOf(nameDer, seq).map((rdn) => encodingOf(nameDer, rdn));
}

/** RFC 5280 §7.1 subtree test for DNs: the constraint's RDNs are a prefix of the name's. */
function dnWithin(nameDer: Uint8Array, subtreeDer: Uint8Array): boolean {
  const name = rdns(nameDer);
  const subtree = rdns(subtreeDer);
  return (
    subtree.length <= name.length &&
    subtree.every((rdn, i) => bytesEqual(rdn, name[i] ?? new Uint8Array()))
  );
}

/** Does `name` fall in `base`? `mode` says whether all or any names a wildcard stands for count. */
function within(name: GeneralName, base: GeneralName, mode: 'all' | 'any'): boolean {
  if (name.kind === 'dns' && base.kind === 'dns') {
    const pattern = parseSanDnsName(name.value);
    return pattern !== undefined && patternWithinSubtree(pattern, base.value, mode);
  }
  if (name.kind === 'ip' && base.kind === 'ip') return isWithinIpSubnet(name.bytes, base.bytes);
  if (name.kind === 'directory' && base.kind === 'directory') return dnWithin(name.der, base.der);
  return false;
}

function describe(name: GeneralName): string {
  switch (name.kind) {
    case 'dns':
    case 'email':
    case 'uri':
      return `${name.kind} name "${name.value}"`;
    case 'ip':
      return `IP address ${formatIpAddress(name.bytes)}`;
    case 'directory':
      return 'directory name';
    case 'other':
      return `otherName ${name.typeId}`;
    case 'x400':
    case 'edi':
    case 'registeredId':
      return `${name.kind} name`;
  }
}

const INTERPRETED = new Set(['dns', 'ip', 'directory']);

function checkName(name: GeneralName, nc: NameConstraintsInfo): string | undefined {
  const permitted = nc.permitted.filter((b) => b.kind === name.kind);
  const excluded = nc.excluded.filter((b) => b.kind === name.kind);
  if (permitted.length + excluded.length === 0) return undefined;
  if (!INTERPRETED.has(name.kind))
    return `${describe(name)} meets a name constraint of a form this validator does not evaluate`;
  if (excluded.some((base) => within(name, base, 'any')))
    return `${describe(name)} is in an excluded subtree`;
  if (permitted.length > 0 && !permitted.some((base) => within(name, base, 'all')))
    return `${describe(name)} is outside the permitted subtrees`;
  return undefined;
}

/** The names a certificate asserts: its SANs plus a non-empty subject DN (RFC 5280 §6.1.3(b)). */
export function assertedNames(cert: DecodedCertificate): GeneralName[] {
  const names: GeneralName[] = [...(cert.subjectAltNames ?? [])];
  if (!cert.subjectEmpty) names.push({ kind: 'directory', der: cert.subjectDer });
  return names;
}

/**
 * Checks the names of `subject` against the constraints of `issuer`. `budget.remaining` is
 * decremented by the comparisons it would take and the check fails with LIMIT_EXCEEDED once it
 * would go below zero, so hostile certificates (x509-limbo nc-dos) cannot make it quadratic.
 */
export function checkNameConstraints(
  issuer: DecodedCertificate,
  subject: DecodedCertificate,
  budget: { remaining: number },
): Failure | undefined {
  const nc = issuer.nameConstraints;
  if (nc === undefined) return undefined;
  const names = assertedNames(subject);
  budget.remaining -= names.length * (nc.permitted.length + nc.excluded.length);
  if (budget.remaining < 0)
    return failure(
      'LIMIT_EXCEEDED',
      `name constraints of ${quoted(issuer)} are too costly to evaluate against ${quoted(subject)}`,
    );
  for (const name of names) {
    const problem = checkName(name, nc);
    if (problem !== undefined)
      return failure('NAME_CONSTRAINTS', `${quoted(subject)}: ${problem} of ${quoted(issuer)}`);
  }
  return undefined;
}
