/**
 * `kpki approver`'s policy and its judgement of CSRs. It judges two kinds of CSR and no other:
 *
 * - kubelet serving certificates (`kubernetes.io/kubelet-serving`), when enabled: CN
 *   `system:node:<name>`, O exactly `system:nodes`, requested by that same node (username and the
 *   `system:nodes` group), usages `server auth` and `digital signature` with optional `key
 *   encipherment` (what Kubernetes' own validation permits for the signer), DNS SANs that are the
 *   node's name or a name on its Node object or end in a configured suffix, IP SANs that are
 *   addresses on its Node object or inside a configured CIDR, and no other SAN types;
 * - kpki's own renewal CSRs (`kpki-<name>-<random>` for a `kpki.io/` signer or Kubernetes'
 *   client signers), when requested by a member of a configured group.
 *
 * Everything else is left alone: the approver never approves what it does not understand.
 *
 * Policy file (YAML):
 *
 *     apiVersion: kpki.io/v1alpha1
 *     kind: ApproverPolicy
 *     kubeletServing:
 *       enabled: true            # default false
 *       dnsSuffixes: [".nodes.example.com"]
 *       cidrs: ["10.0.0.0/8", "fd00::/8"]
 *     renewals:
 *       groups: ["kpki:renewers"]   # default none: no renewal CSR is approved
 */
import { InvalidInputError } from '../errors.js';
import { canonicalIp } from '../pki/san.js';
import { isWithinIpSubnet, parseIpAddress } from '../pki/verify/ip-address.js';
import { SIGNER_PREFIX } from './request-policy.js';
import { parseYamlValue } from './safe-parse.js';

/** The approver's policy. */
export interface ApproverPolicy {
  readonly kubeletServing: {
    readonly enabled: boolean;
    readonly dnsSuffixes: readonly string[];
    readonly cidrs: readonly string[];
  };
  readonly renewals: { readonly groups: readonly string[] };
}

/** What the approver knows of one CSR. */
export interface ApproverCsr {
  readonly name: string;
  readonly signerName: string;
  readonly username: string | undefined;
  readonly groups: readonly string[];
  readonly usages: readonly string[];
  readonly subject: { readonly cn: string | undefined; readonly o: readonly string[] };
  readonly dns: readonly string[];
  readonly ip: readonly string[];
  readonly otherSans: readonly string[];
}

/** The addresses on a Node object (`status.addresses[].address`), or undefined when it is absent. */
export type NodeAddresses = readonly string[] | undefined;

/** The approver's decision on one CSR. */
export type Judgement =
  | { readonly kind: 'approve'; readonly message: string }
  | { readonly kind: 'deny'; readonly message: string }
  | { readonly kind: 'ignore' };

const KUBELET_SERVING = 'kubernetes.io/kubelet-serving';
const CLIENT_SIGNERS = [
  'kubernetes.io/kube-apiserver-client',
  'kubernetes.io/kube-apiserver-client-kubelet',
];
const NODE_PREFIX = 'system:node:';

/** The node a kubelet serving CSR is for, so the caller can fetch its Node object. */
export function nodeOfCsr(csr: ApproverCsr): string | undefined {
  if (csr.signerName !== KUBELET_SERVING) return undefined;
  const cn = csr.subject.cn ?? '';
  return cn.startsWith(NODE_PREFIX) ? cn.slice(NODE_PREFIX.length) : undefined;
}

/** Judges one CSR; `node` is the Node object's addresses for a kubelet serving CSR. */
export function judgeCsr(policy: ApproverPolicy, csr: ApproverCsr, node: NodeAddresses): Judgement {
  if (csr.signerName === KUBELET_SERVING)
    return policy.kubeletServing.enabled ? judgeServing(policy, csr, node) : { kind: 'ignore' };
  const renewal =
    csr.name.startsWith('kpki-') &&
    (csr.signerName.startsWith(SIGNER_PREFIX) || CLIENT_SIGNERS.includes(csr.signerName));
  if (!renewal) return { kind: 'ignore' };
  const allowed = csr.groups.filter((g) => policy.renewals.groups.includes(g));
  if (allowed.length === 0)
    return policy.renewals.groups.length === 0
      ? { kind: 'ignore' }
      : {
          kind: 'deny',
          message: `requester ${csr.username ?? '?'} is in none of the groups allowed to renew (${policy.renewals.groups.join(', ')})`,
        };
  return {
    kind: 'approve',
    message: `kpki renewal requested by ${csr.username ?? '?'} (group ${allowed[0]!})`,
  };
}

function judgeServing(policy: ApproverPolicy, csr: ApproverCsr, node: NodeAddresses): Judgement {
  const problems: string[] = [];
  const name = nodeOfCsr(csr);
  if (name === undefined || name === '') problems.push(`CN is not ${NODE_PREFIX}<node name>`);
  if (csr.subject.o.length !== 1 || csr.subject.o[0] !== 'system:nodes')
    problems.push('O is not exactly system:nodes');
  if (name !== undefined && csr.username !== `${NODE_PREFIX}${name}`)
    problems.push(`requested by ${csr.username ?? '?'}, not by the node ${name} itself`);
  if (!csr.groups.includes('system:nodes')) problems.push('requester not in system:nodes');
  const usages = new Set(csr.usages);
  const allowed = new Set(['server auth', 'digital signature', 'key encipherment']);
  if (!usages.has('server auth') || !usages.has('digital signature'))
    problems.push('usages lack server auth or digital signature');
  const extra = csr.usages.filter((u) => !allowed.has(u));
  if (extra.length > 0) problems.push(`usages not allowed: ${extra.join(', ')}`);
  if (csr.otherSans.length > 0) problems.push(`SANs of other types: ${csr.otherSans.join(', ')}`);
  if (csr.dns.length + csr.ip.length === 0) problems.push('no DNS or IP SAN');
  if (node === undefined) problems.push(`no Node object "${name ?? ''}"`);
  else {
    const known = new Set(node.map((a) => canonicalIp(a) ?? a.toLowerCase()));
    const dnsBad = csr.dns.filter(
      (d) =>
        d.toLowerCase() !== name?.toLowerCase() &&
        !known.has(d.toLowerCase()) &&
        !policy.kubeletServing.dnsSuffixes.some((s) => d.toLowerCase().endsWith(s.toLowerCase())),
    );
    const subnets = policy.kubeletServing.cidrs.map(cidrConstraint);
    const ipBad = csr.ip.filter((ip) => {
      const canonical = canonicalIp(ip) ?? ip;
      const bytes = parseIpAddress(canonical);
      const inside = subnets.some(
        (n) => bytes !== undefined && n !== undefined && isWithinIpSubnet(bytes, n),
      );
      return !known.has(canonical) && !inside;
    });
    if (dnsBad.length > 0)
      problems.push(`DNS SANs not of node ${name ?? ''}: ${dnsBad.join(', ')}`);
    if (ipBad.length > 0) problems.push(`IP SANs not of node ${name ?? ''}: ${ipBad.join(', ')}`);
  }
  return problems.length === 0
    ? { kind: 'approve', message: `kubelet serving certificate of node ${name ?? ''}` }
    : { kind: 'deny', message: `kubelet serving CSR refused: ${problems.join('; ')}` };
}

/** A CIDR as a name-constraint style address + mask (8 or 32 octets); undefined when malformed. */
function cidrConstraint(cidr: string): Uint8Array | undefined {
  const [address, bits, rest] = cidr.split('/');
  const bytes = parseIpAddress(address ?? '');
  if (bytes === undefined || rest !== undefined || !/^\d{1,3}$/.test(bits ?? '')) return undefined;
  const prefix = Number(bits);
  if (prefix > bytes.length * 8) return undefined;
  const mask = Uint8Array.from(bytes, (_, i) =>
    prefix >= (i + 1) * 8 ? 0xff : prefix <= i * 8 ? 0 : (0xff << (8 - (prefix - i * 8))) & 0xff,
  );
  return Uint8Array.from([...bytes, ...mask]);
}

/**
 * Reads a policy file's text.
 * @throws InvalidInputError `BAD_POLICY` naming `source` and what is wrong.
 */
export function parseApproverPolicy(text: string, source: string): ApproverPolicy {
  const value = parseYamlValue(text, source, 'BAD_POLICY');
  const bad = (what: string): InvalidInputError =>
    new InvalidInputError('BAD_POLICY', `"${source}": ${what}`);
  if (typeof value !== 'object' || value === null) throw bad('not a mapping');
  const doc = value as Record<string, unknown>;
  if (doc.kind !== 'ApproverPolicy' || doc.apiVersion !== 'kpki.io/v1alpha1')
    throw bad('expected apiVersion kpki.io/v1alpha1, kind ApproverPolicy');
  const known = new Set(['apiVersion', 'kind', 'kubeletServing', 'renewals']);
  const unknown = Object.keys(doc).filter((k) => !known.has(k));
  if (unknown.length > 0) throw bad(`unknown field ${unknown.join(', ')}`);
  const section = (key: string): Record<string, unknown> => {
    const s = doc[key] ?? {};
    if (typeof s !== 'object' || s === null || Array.isArray(s))
      throw bad(`${key} is not a mapping`);
    return s as Record<string, unknown>;
  };
  const strings = (obj: Record<string, unknown>, key: string, path: string): string[] => {
    const v = obj[key] ?? [];
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string'))
      throw bad(`${path} is not a list of strings`);
    return v;
  };
  const serving = section('kubeletServing');
  const enabled = serving.enabled ?? false;
  if (typeof enabled !== 'boolean') throw bad('kubeletServing.enabled is not a boolean');
  const cidrs = strings(serving, 'cidrs', 'kubeletServing.cidrs');
  for (const cidr of cidrs)
    if (cidrConstraint(cidr) === undefined)
      throw bad(`kubeletServing.cidrs: "${cidr}" is not a CIDR`);
  return {
    kubeletServing: {
      enabled,
      dnsSuffixes: strings(serving, 'dnsSuffixes', 'kubeletServing.dnsSuffixes'),
      cidrs,
    },
    renewals: { groups: strings(section('renewals'), 'groups', 'renewals.groups') },
  };
}
