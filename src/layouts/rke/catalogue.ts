/**
 * The RKE1 catalogue (reference rke.md §2): the two CAs, every leaf with its subject, usages and
 * SANs, which `--service` rotates it, which nodes receive it (§5) and which containers load it
 * (§3.4). Pure data computed from the cluster spec.
 */
import type { CaEntry, CaRole, LeafEntry } from '../catalogue.js';
import type { ExtKeyUsageName, KeyUsageName } from '../../pki/certificate.js';
import type { SubjectFields } from '../../pki/name.js';
import type { AltNames } from '../../pki/san.js';
import { clusterAltNames, hostAltNames, hostCertName } from './alt-names.js';
import type { RkeNode, RkeRole, RkeSpec } from './spec.js';

/** `rke cert rotate --service` values: container names, not certificate names. */
export const RKE_SERVICES = [
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kubelet',
  'kube-proxy',
  'etcd',
] as const;
/** A `--service` value. */
export type RkeService = (typeof RKE_SERVICES)[number];

/** Containers that load certificates, in the order RKE restarts them (etcd, control plane, worker plane). */
export const RKE_CONTAINERS = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kubelet',
  'kube-proxy',
] as const;
/** A container that loads certificates. */
export type RkeContainer = (typeof RKE_CONTAINERS)[number];

/** Which nodes receive an entry's files (cert-deployer's getCertKeys). */
export type RkeDeploy = 'all' | RkeRole;

/** RKE's certificate and CA lifetime: 10 × 365 days. */
export const RKE_VALIDITY_MS = 3650 * 86_400_000;
/** Directory on every node where cert-deployer writes the files. */
export const RKE_SSL_DIR = '/etc/kubernetes/ssl';

const LEAF_USAGE: readonly KeyUsageName[] = ['digitalSignature', 'keyEncipherment'];
const CA_USAGE: readonly KeyUsageName[] = ['digitalSignature', 'keyEncipherment', 'keyCertSign'];
const NO_NAMES: AltNames = { dns: [], ip: [] };

/** A CA of the RKE bundle. */
export interface RkeCaEntry extends CaEntry {
  readonly deploy: RkeDeploy;
  /** RKE writes a component kubeconfig for the requestheader CA too (nothing reads it). */
  readonly kubeconfig: 'component' | 'none';
  /** Containers to restart when it changes (§3.4). */
  readonly restart: readonly RkeContainer[];
}

/** A leaf (or the service-account key holder) of the RKE bundle. */
export interface RkeCertEntry extends LeafEntry {
  /** Containers that load it (§3.4; kube-node is also kube-apiserver's etcd client certificate). */
  readonly restart: readonly RkeContainer[];
  /** The `--service` that rotates it; undefined for entries only a full rotation renews. */
  readonly service: RkeService | undefined;
  /** The host of a per-host certificate (`kube-etcd-<addr>`, `kube-kubelet-<addr>`). */
  readonly host: RkeNode | undefined;
  readonly deploy: RkeDeploy;
  /** `component`: file-path kubeconfig in `config`; `admin`: embedded admin kubeconfig. */
  readonly kubeconfig: 'component' | 'admin' | 'none';
  /** The service-account key: kept through every rotation (ServiceAccount tokens stay valid). */
  readonly preserveKey: boolean;
  /** Per-host families whose stale members (hosts that left) are removed when rotated. */
  readonly family: 'kube-etcd' | 'kube-kubelet' | undefined;
}

/** Everything RKE keeps in `certificatesBundle` for a cluster. */
export interface RkeCatalogue {
  readonly cas: readonly RkeCaEntry[];
  readonly leaves: readonly RkeCertEntry[];
}

/** The cluster CA: signs everything but the proxy client. */
export const KUBE_CA = 'kube-ca';
/** The aggregation-layer CA: signs kube-apiserver-proxy-client only. */
export const REQUESTHEADER_CA = 'kube-apiserver-requestheader-ca';
/** The admin client certificate, the one the admin kubeconfig embeds. */
export const KUBE_ADMIN = 'kube-admin';
/** The service-account token key (its certificate is a placeholder nothing verifies). */
export const SERVICE_ACCOUNT_TOKEN = 'kube-service-account-token';
/**
 * With external etcd, the user's client certificate for it and that etcd's CA: bundle entries RKE
 * keeps but never issues, so they are no catalogue entries and kpki leaves them as they are.
 */
export const EXTERNAL_ETCD_CLIENT = 'kube-etcd-client';
export const EXTERNAL_ETCD_CLIENT_CA = 'kube-etcd-client-ca';

function sslPath(name: string): { certPath: string; keyPath: string } {
  return { certPath: `${RKE_SSL_DIR}/${name}.pem`, keyPath: `${RKE_SSL_DIR}/${name}-key.pem` };
}

function ca(
  name: string,
  role: CaRole,
  longName: string,
  deploy: RkeDeploy,
  restart: readonly RkeContainer[],
  kubeconfig: RkeCaEntry['kubeconfig'],
): RkeCaEntry {
  return {
    name,
    role,
    longName,
    ...sslPath(name),
    subject: { cn: name },
    altNames: NO_NAMES,
    keyUsage: CA_USAGE,
    validityMs: RKE_VALIDITY_MS,
    keyAlgorithm: 'RSA-2048',
    deploy,
    restart,
    kubeconfig,
  };
}

interface LeafSpec {
  readonly longName: string;
  readonly subject: SubjectFields;
  readonly server?: boolean;
  readonly altNames?: AltNames;
  readonly ca?: string;
  readonly service: RkeService | undefined;
  readonly deploy: RkeDeploy;
  readonly kubeconfig: RkeCertEntry['kubeconfig'];
  readonly restart: readonly RkeContainer[];
  readonly host?: RkeNode;
  readonly family?: RkeCertEntry['family'];
  readonly preserveKey?: boolean;
}

function leaf(name: string, spec: LeafSpec): RkeCertEntry {
  const eku: ExtKeyUsageName[] =
    spec.server === true ? ['clientAuth', 'serverAuth'] : ['clientAuth'];
  return {
    kind: 'leaf',
    name,
    longName: spec.longName,
    ca: spec.ca ?? KUBE_CA,
    subject: spec.subject,
    altNames: spec.altNames ?? NO_NAMES,
    keyUsage: LEAF_USAGE,
    extKeyUsage: eku,
    validityMs: RKE_VALIDITY_MS,
    keyAlgorithm: 'RSA-2048',
    restart: spec.restart,
    ...sslPath(name),
    service: spec.service,
    host: spec.host,
    deploy: spec.deploy,
    kubeconfig: spec.kubeconfig,
    preserveKey: spec.preserveKey === true,
    family: spec.family,
  };
}

/** Hosts with a role, in cluster.yml order. */
export function hostsWithRole(spec: RkeSpec, role: RkeRole): RkeNode[] {
  return spec.nodes.filter((node) => node.roles.includes(role));
}

/**
 * The catalogue of a cluster (§2.1, §2.2). External etcd clusters have no `kube-etcd-*` entries
 * (their client certificate is the user's, not RKE's); kubelet serving certificates exist only
 * with `generate_serving_certificate: true`.
 */
export function rkeCatalogue(spec: RkeSpec): RkeCatalogue {
  const controlPlane = hostsWithRole(spec, 'controlplane');
  const etcdHosts = hostsWithRole(spec, 'etcd');
  const apiNames = clusterAltNames(
    controlPlane,
    spec.clusterDomain,
    spec.serviceClusterIpRanges,
    spec.sans,
  );
  const etcdNames = clusterAltNames(etcdHosts, spec.clusterDomain, spec.serviceClusterIpRanges, []);
  const leaves: RkeCertEntry[] = [
    leaf('kube-apiserver', {
      longName: 'Kubernetes API server',
      subject: { cn: 'kube-apiserver' },
      server: true,
      altNames: apiNames,
      service: 'kube-apiserver',
      deploy: 'controlplane',
      kubeconfig: 'none',
      restart: ['kube-apiserver', 'kube-controller-manager'],
    }),
    leaf(SERVICE_ACCOUNT_TOKEN, {
      longName: 'Service account token key',
      subject: { cn: SERVICE_ACCOUNT_TOKEN },
      service: undefined,
      deploy: 'controlplane',
      kubeconfig: 'none',
      restart: ['kube-apiserver', 'kube-controller-manager'],
      preserveKey: true,
    }),
    leaf('kube-controller-manager', {
      longName: 'Kube Controller',
      subject: { cn: 'system:kube-controller-manager' },
      service: 'kube-controller-manager',
      deploy: 'controlplane',
      kubeconfig: 'component',
      restart: ['kube-controller-manager'],
    }),
    leaf('kube-scheduler', {
      longName: 'Kube Scheduler',
      subject: { cn: 'system:kube-scheduler' },
      service: 'kube-scheduler',
      deploy: 'controlplane',
      kubeconfig: 'component',
      restart: ['kube-scheduler'],
    }),
    leaf('kube-proxy', {
      longName: 'Kube Proxy',
      subject: { cn: 'system:kube-proxy' },
      service: 'kube-proxy',
      deploy: 'all',
      kubeconfig: 'component',
      restart: ['kube-proxy'],
    }),
    // kube-node is every kubelet's client certificate and also kube-apiserver's etcd client certificate.
    leaf('kube-node', {
      longName: 'Node',
      subject: { cn: 'system:node', o: ['system:nodes'] },
      service: 'kubelet',
      deploy: 'all',
      kubeconfig: 'component',
      restart: ['kubelet', 'kube-apiserver'],
    }),
    leaf(KUBE_ADMIN, {
      longName: 'Admin',
      subject: { cn: KUBE_ADMIN, o: ['system:masters'] },
      service: undefined,
      deploy: 'controlplane',
      kubeconfig: 'admin',
      restart: [],
    }),
    leaf('kube-apiserver-proxy-client', {
      longName: 'Kubernetes API server proxy client',
      subject: { cn: 'kube-apiserver-proxy-client' },
      server: true,
      ca: REQUESTHEADER_CA,
      service: undefined,
      deploy: 'controlplane',
      kubeconfig: 'component',
      restart: ['kube-apiserver'],
    }),
  ];
  if (spec.externalEtcd === undefined) {
    for (const host of etcdHosts) {
      leaves.push(
        leaf(hostCertName('kube-etcd', host), {
          longName: `etcd ${host.address}`,
          subject: { cn: 'kube-etcd' },
          server: true,
          altNames: etcdNames,
          service: 'etcd',
          deploy: 'etcd',
          kubeconfig: 'none',
          restart: ['etcd'],
          host,
          family: 'kube-etcd',
        }),
      );
    }
  }
  if (spec.generateServingCertificate) {
    for (const host of spec.nodes) {
      const name = hostCertName('kube-kubelet', host);
      leaves.push(
        leaf(name, {
          longName: `kubelet serving ${host.address}`,
          subject: { cn: name },
          server: true,
          altNames: hostAltNames(host),
          service: 'kubelet',
          deploy: 'all',
          kubeconfig: 'none',
          restart: ['kubelet'],
          host,
          family: 'kube-kubelet',
        }),
      );
    }
  }
  return {
    cas: [
      ca(
        KUBE_CA,
        'cluster',
        'Kubernetes CA',
        'all',
        ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kubelet'],
        'none',
      ),
      ca(
        REQUESTHEADER_CA,
        'request-header',
        'Kubernetes API server requestheader CA',
        'controlplane',
        ['kube-apiserver'],
        'component',
      ),
    ],
    leaves,
  };
}

/** The per-host family a bundle name belongs to, if any (`kube-etcd-10-0-0-1` → `kube-etcd`). */
export function familyOf(name: string): RkeCertEntry['family'] {
  if (
    name.startsWith('kube-etcd-') &&
    name !== EXTERNAL_ETCD_CLIENT &&
    name !== EXTERNAL_ETCD_CLIENT_CA
  )
    return 'kube-etcd';
  if (name.startsWith('kube-kubelet-')) return 'kube-kubelet';
  return undefined;
}

/** Entries a `--service` rotates (§3.2). */
export function entriesForService(catalogue: RkeCatalogue, service: RkeService): RkeCertEntry[] {
  return catalogue.leaves.filter((entry) => entry.service === service);
}

/** The per-host family whose stale entries a service's rotation removes. */
export function familiesOfService(service: RkeService): NonNullable<RkeCertEntry['family']>[] {
  if (service === 'etcd') return ['kube-etcd'];
  // Like RKE: with serving certificates off, every kube-kubelet-* is unused and goes.
  if (service === 'kubelet') return ['kube-kubelet'];
  return [];
}

/** True when `name` is a `--service` value. */
export function isRkeService(name: string): name is RkeService {
  return (RKE_SERVICES as readonly string[]).includes(name);
}
