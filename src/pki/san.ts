/**
 * Subject alternative names: classifying user input into DNS names and IPs, validating DNS names
 * (RFC 1123 subdomains, as Kubernetes' validation does), and kubeadm's de-duplication rule.
 */
import { isIP } from 'node:net';

/** DNS and IP SANs of a certificate. IPs are in canonical text form. */
export interface AltNames {
  readonly dns: readonly string[];
  readonly ip: readonly string[];
}

/** An entry that was neither an IP nor a valid DNS name. */
export interface DroppedSan {
  readonly value: string;
}

const LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const SUBDOMAIN = new RegExp(`^${LABEL}(\\.${LABEL})*$`);

/** RFC 1123 subdomain as Kubernetes validates it: lower case, labels ≤ 63, total ≤ 253. */
export function isDnsSubdomain(value: string): boolean {
  return (
    value.length <= 253 &&
    SUBDOMAIN.test(value) &&
    value.split('.').every((label) => label.length <= 63)
  );
}

/** `*.` followed by a subdomain (Kubernetes' IsWildcardDNS1123Subdomain). */
export function isWildcardDnsSubdomain(value: string): boolean {
  return value.startsWith('*.') && isDnsSubdomain(value.slice(2));
}

/**
 * Canonical text form of an IP (IPv6 compressed and lower case, as Go prints it), or undefined
 * when `value` is not an IP. IPv4-mapped IPv6 addresses become IPv4, as Go's net.IP does.
 */
export function canonicalIp(value: string): string | undefined {
  const kind = isIP(value);
  if (kind === 4)
    return value
      .split('.')
      .map((part) => String(Number(part)))
      .join('.');
  if (kind !== 6) return undefined;
  const host = new URL(`http://[${value}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  if (mapped) {
    const hi = parseInt(mapped[1] ?? '0', 16);
    const lo = parseInt(mapped[2] ?? '0', 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return host;
}

/**
 * Splits free-form SAN entries into IPs and DNS names as kubeadm does for certSANs: an IP if it
 * parses as one, else a DNS name if it is a valid (or wildcard) subdomain, else dropped.
 */
export function classifySans(values: readonly string[]): {
  names: AltNames;
  dropped: DroppedSan[];
} {
  const dns: string[] = [];
  const ip: string[] = [];
  const dropped: DroppedSan[] = [];
  for (const value of values) {
    const address = canonicalIp(value);
    if (address !== undefined) ip.push(address);
    else if (isDnsSubdomain(value) || isWildcardDnsSubdomain(value)) dns.push(value);
    else dropped.push({ value });
  }
  return { names: { dns, ip }, dropped };
}

/** kubeadm's RemoveDuplicateAltNames: DNS names de-duplicated and sorted, IPs de-duplicated in order. */
export function dedupeAltNames(names: AltNames): AltNames {
  const dns = [...new Set(names.dns)].sort();
  const ip = [...new Set(names.ip.map((value) => canonicalIp(value) ?? value))];
  return { dns, ip };
}

/** Concatenates several AltNames in order. */
export function joinAltNames(...parts: AltNames[]): AltNames {
  return { dns: parts.flatMap((p) => p.dns), ip: parts.flatMap((p) => p.ip) };
}

/**
 * The octets of an IP SAN (RFC 5280 §4.2.1.6): 4 for IPv4 (IPv4-mapped IPv6 included, as Go
 * writes it), 16 for IPv6.
 * @throws Error when `value` is not an IP address.
 */
export function ipToBytes(value: string): Buffer {
  const canonical = canonicalIp(value);
  if (canonical === undefined) throw new Error(`"${value}" is not an IP address`);
  if (isIP(canonical) === 4) return Buffer.from(canonical.split('.').map(Number));
  // canonicalIp gives pure hex groups (the URL parser rewrites a dotted tail), so only :: needs expanding.
  const [head = '', tail] = canonical.split('::');
  const groups = (part: string | undefined): string[] => (part ? part.split(':') : []);
  const left = groups(head);
  const right = groups(tail);
  const all =
    tail === undefined
      ? left
      : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const bytes = Buffer.alloc(16);
  all.forEach((group, i) => bytes.writeUInt16BE(parseInt(group, 16), i * 2));
  return bytes;
}
