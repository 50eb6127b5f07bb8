/**
 * RKE's SAN rules (pki/util.go GetAltNames) and per-host certificate names (GetCrtNameForHost).
 */
import { canonicalIp } from '../../pki/san.js';
import type { AltNames } from '../../pki/san.js';
import { InvalidInputError } from '../../errors.js';
import type { RkeNode } from './spec.js';

/** The DNS names every kube-apiserver and etcd certificate carries after the host names. */
function kubernetesNames(clusterDomain: string): string[] {
  return [
    'localhost',
    'kubernetes',
    'kubernetes.default',
    'kubernetes.default.svc',
    `kubernetes.default.svc.${clusterDomain}`,
  ];
}

/** Adds `value` as an IP SAN when it parses as one, else as a DNS SAN. */
function addName(names: { dns: string[]; ip: string[] }, value: string): void {
  const ip = canonicalIp(value);
  if (ip === undefined) names.dns.push(value);
  else names.ip.push(ip);
}

/**
 * The SANs of one host: address, then internal_address and hostname_override when set and
 * different from the address (hostname_override is always a DNS name), as RKE orders them.
 */
export function hostAltNames(node: RkeNode): AltNames {
  const names = { dns: [] as string[], ip: [] as string[] };
  addName(names, node.address);
  if (node.internalAddress !== undefined && node.internalAddress !== node.address)
    addName(names, node.internalAddress);
  if (node.hostnameOverride !== undefined && node.hostnameOverride !== node.address)
    names.dns.push(node.hostnameOverride);
  return names;
}

/**
 * GetAltNames: every host's names, the extra SANs, 127.0.0.1, the first IP of every service CIDR,
 * then localhost and the kubernetes service names.
 * @throws InvalidInputError `BAD_SERVICE_CIDR` when a service range is not a CIDR.
 */
export function clusterAltNames(
  hosts: readonly RkeNode[],
  clusterDomain: string,
  serviceCidrs: readonly string[],
  extraSans: readonly string[],
): AltNames {
  const names = { dns: [] as string[], ip: [] as string[] };
  for (const host of hosts) {
    const own = hostAltNames(host);
    names.dns.push(...own.dns);
    names.ip.push(...own.ip);
  }
  for (const san of extraSans) addName(names, san);
  names.ip.push('127.0.0.1');
  for (const cidr of serviceCidrs) names.ip.push(firstIp(cidr));
  names.dns.push(...kubernetesNames(clusterDomain));
  return names;
}

/**
 * The network address of `cidr` plus one (the kubernetes service IP).
 * @throws InvalidInputError `BAD_SERVICE_CIDR`.
 */
export function firstIp(cidr: string): string {
  const [address, bitsText] = cidr.split('/');
  const ip = canonicalIp(address ?? '');
  const bits = Number(bitsText);
  const width = ip?.includes(':') ? 128 : 32;
  if (
    ip === undefined ||
    bitsText === undefined ||
    !Number.isInteger(bits) ||
    bits < 0 ||
    bits > width
  ) {
    throw new InvalidInputError(
      'BAD_SERVICE_CIDR',
      `service_cluster_ip_range "${cidr}" is not a CIDR`,
    );
  }
  const value = toBigInt(ip);
  const mask = ((1n << BigInt(width)) - 1n) ^ ((1n << BigInt(width - bits)) - 1n);
  return fromBigInt((value & mask) + 1n, width);
}

function toBigInt(ip: string): bigint {
  if (!ip.includes(':'))
    return ip.split('.').reduce((acc, part) => (acc << 8n) + BigInt(Number(part)), 0n);
  const [head = '', tail = ''] = ip.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = ip.includes('::') ? (tail === '' ? [] : tail.split(':')) : [];
  const groups = ip.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return groups.reduce((acc, group) => (acc << 16n) + BigInt(parseInt(group, 16)), 0n);
}

function fromBigInt(value: bigint, width: number): string {
  if (width === 32)
    return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 255n)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) =>
    ((value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16),
  );
  return canonicalIp(groups.join(':')) ?? groups.join(':');
}

/** GetCrtNameForHost: `<prefix>-<internal_address or address>` with dots as dashes, lower case. */
export function hostCertName(prefix: string, node: RkeNode): string {
  const address =
    node.internalAddress !== undefined && node.internalAddress !== node.address
      ? node.internalAddress
      : node.address;
  return `${prefix}-${address.replace(/\./g, '-').toLowerCase()}`;
}
