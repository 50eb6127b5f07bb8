/**
 * The kubeadm cluster spec: the subset of InitConfiguration and ClusterConfiguration that decides
 * what the PKI tree looks like, with kubeadm's defaults.
 */
import { InvalidInputError } from '../../errors.js';
import { canonicalIp } from '../../pki/san.js';
import type { KeyAlgorithm } from '../../pki/keys.js';

const HOUR = 3_600_000;

/** kubeadm's defaults (constants.go, v1beta4 defaults). */
export const KUBEADM_DEFAULTS = {
  bindPort: 6443,
  dnsDomain: 'cluster.local',
  serviceSubnet: '10.96.0.0/12',
  clusterName: 'kubernetes',
  certificatesDir: '/etc/kubernetes/pki',
  kubeconfigDir: '/etc/kubernetes',
  encryptionAlgorithm: 'RSA-2048' as KeyAlgorithm,
  certificateValidityMs: 8760 * HOUR,
  caCertificateValidityMs: 87600 * HOUR,
  /** NotBefore is set this far before the start of the run (kubeadm ≥ 1.31, PR #124652). */
  backdateMs: 5 * 60_000,
} as const;

/** Local (stacked) etcd with extra SANs, or external etcd (no etcd CA or etcd certificates). */
export type EtcdSpec =
  | {
      readonly external: false;
      readonly serverCertSANs: readonly string[];
      readonly peerCertSANs: readonly string[];
    }
  | { readonly external: true };

/** Everything the kubeadm catalogue is computed from. */
export interface KubeadmSpec {
  readonly nodeName: string;
  readonly advertiseAddress: string;
  readonly bindPort: number;
  readonly controlPlaneEndpoint: string | undefined;
  readonly dnsDomain: string;
  readonly serviceSubnet: string;
  readonly certSANs: readonly string[];
  readonly etcd: EtcdSpec;
  /** Directory of the certificates relative to the tree root (`pki` for /etc/kubernetes/pki). */
  readonly certificatesDir: string;
  readonly clusterName: string;
  readonly encryptionAlgorithm: KeyAlgorithm;
  readonly certificateValidityMs: number;
  readonly caCertificateValidityMs: number;
  /**
   * `kubernetesVersion` (`v1.28.3`), from the config or the static-pod manifests' image tags; it
   * decides the identities kubeadm of that version writes. Undefined: the newest behaviour.
   */
  readonly kubernetesVersion?: string | undefined;
}

/**
 * The Kubernetes minor version of the spec (`v1.28.3` → 28); Infinity when unknown or not a
 * `v1.N` version, so the newest behaviour applies.
 */
export function kubernetesMinor(spec: Pick<KubeadmSpec, 'kubernetesVersion'>): number {
  const match = /^v?1\.(\d+)(?:\.|$|-)/.exec(spec.kubernetesVersion ?? '');
  return match ? Number(match[1]) : Infinity;
}

/** The static-pod manifest kubeadm writes for the API server, relative to the tree root. */
export const APISERVER_MANIFEST = 'manifests/kube-apiserver.yaml';

/**
 * The version in a kube-apiserver static-pod manifest's image tag (`…/kube-apiserver:v1.28.3`),
 * or undefined when there is none. Pure; reads only the `image:` line.
 */
export function kubernetesVersionFromManifest(text: string): string | undefined {
  return /^\s*(?:-\s+)?image:\s*["']?[^\s"']*\/kube-apiserver:(v\d+\.\d+\.\d+[^\s"'@]*)/m.exec(
    text,
  )?.[1];
}

/** Values the environment supplies when neither config nor flags do (host name, primary IP). */
export interface HostDefaults {
  readonly hostname: string;
  readonly address: string;
}

/**
 * The spec for a tree with nothing configured: kubeadm's defaults and the host's name and address.
 * kubeadm lower-cases the host name for the node name.
 */
export function defaultKubeadmSpec(host: HostDefaults): KubeadmSpec {
  return {
    nodeName: host.hostname.toLowerCase(),
    advertiseAddress: host.address,
    bindPort: KUBEADM_DEFAULTS.bindPort,
    controlPlaneEndpoint: undefined,
    dnsDomain: KUBEADM_DEFAULTS.dnsDomain,
    serviceSubnet: KUBEADM_DEFAULTS.serviceSubnet,
    certSANs: [],
    etcd: { external: false, serverCertSANs: [], peerCertSANs: [] },
    certificatesDir: 'pki',
    clusterName: KUBEADM_DEFAULTS.clusterName,
    encryptionAlgorithm: KUBEADM_DEFAULTS.encryptionAlgorithm,
    certificateValidityMs: KUBEADM_DEFAULTS.certificateValidityMs,
    caCertificateValidityMs: KUBEADM_DEFAULTS.caCertificateValidityMs,
  };
}

/**
 * First address of the first CIDR of `serviceSubnet` (the `kubernetes` Service IP), as kubeadm
 * computes it for the apiserver SAN.
 * @throws InvalidInputError `BAD_CONFIG` when the subnet is not a CIDR.
 */
export function kubernetesServiceIp(serviceSubnet: string): string {
  const first = serviceSubnet.split(',')[0]?.trim() ?? '';
  const [address, bits] = first.split('/');
  const ip = canonicalIp(address ?? '');
  if (ip === undefined || bits === undefined || !/^\d+$/.test(bits)) {
    throw new InvalidInputError(
      'BAD_CONFIG',
      `networking.serviceSubnet: "${serviceSubnet}" is not a CIDR`,
    );
  }
  const v6 = ip.includes(':');
  const width = v6 ? 128 : 32;
  const prefix = Number(bits);
  if (prefix > width)
    throw new InvalidInputError(
      'BAD_CONFIG',
      `networking.serviceSubnet: "${serviceSubnet}" has an invalid prefix length`,
    );
  const value = v6 ? ipv6ToBigInt(ip) : ipv4ToBigInt(ip);
  const mask = ((1n << BigInt(width)) - 1n) ^ ((1n << BigInt(width - prefix)) - 1n);
  const next = (value & mask) + 1n;
  return v6 ? bigIntToIpv6(next) : bigIntToIpv4(next);
}

function ipv4ToBigInt(ip: string): bigint {
  return ip.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function bigIntToIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 255n)).join('.');
}

function ipv6ToBigInt(ip: string): bigint {
  const [head = '', tail = ''] = ip.split('::');
  const headParts = head === '' ? [] : head.split(':');
  const tailParts = tail === '' ? [] : tail.split(':');
  const missing = ip.includes('::') ? 8 - headParts.length - tailParts.length : 0;
  const groups = [...headParts, ...Array<string>(missing).fill('0'), ...tailParts];
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n);
}

function bigIntToIpv6(value: bigint): string {
  const groups: string[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n)
    groups.push(((value >> shift) & 0xffffn).toString(16));
  return canonicalIp(groups.join(':')) ?? groups.join(':');
}

/**
 * The `server:` URL of kubeconfigs that point at the control-plane endpoint: the endpoint's host
 * and port when set (its port, else bindPort), otherwise the advertise address. IPv6 bracketed.
 */
export function controlPlaneUrl(spec: KubeadmSpec): string {
  if (spec.controlPlaneEndpoint !== undefined && spec.controlPlaneEndpoint !== '') {
    const { host, port } = splitHostPort(spec.controlPlaneEndpoint);
    return httpsUrl(host, port ?? spec.bindPort);
  }
  return localApiUrl(spec);
}

/** The `server:` URL of kubeconfigs that use the local API endpoint (controller-manager, scheduler). */
export function localApiUrl(spec: KubeadmSpec): string {
  return httpsUrl(spec.advertiseAddress, spec.bindPort);
}

/** Splits `host:port`, `[v6]:port`, a bare host or a bare IPv6 address. */
export function splitHostPort(endpoint: string): { host: string; port: number | undefined } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(endpoint);
  if (bracketed)
    return {
      host: bracketed[1] ?? '',
      port: bracketed[2] === undefined ? undefined : Number(bracketed[2]),
    };
  if (canonicalIp(endpoint)?.includes(':')) return { host: endpoint, port: undefined };
  const match = /^(.*):(\d+)$/.exec(endpoint);
  return match
    ? { host: match[1] ?? '', port: Number(match[2]) }
    : { host: endpoint, port: undefined };
}

function httpsUrl(host: string, port: number): string {
  return host.includes(':') ? `https://[${host}]:${port}` : `https://${host}:${port}`;
}
