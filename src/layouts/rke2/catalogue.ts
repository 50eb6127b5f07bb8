/**
 * The RKE2/K3s catalogue (reference/rke2-k3s.md §1–§4): five CAs, the server and agent leaves
 * grouped by service, the legacy server-side signing keys, the service-account key, the CA copies,
 * the component kubeconfigs (file references) and the user kubeconfig — pure data computed from
 * the spec and the instant the CA names are stamped with.
 */
import { classifySans, canonicalIp, type AltNames } from '../../pki/san.js';
import type { ExtKeyUsageName, KeyUsageName } from '../../pki/certificate.js';
import type { SubjectFields } from '../../pki/name.js';
import type { CaEntry, LeafEntry } from '../catalogue.js';
import { restartTargets } from './services.js';
import {
  advertiseAddressOf,
  RKE2_DEFAULTS,
  serviceIp,
  type Rke2Program,
  type Rke2Spec,
} from './spec.js';

const DAY_MS = 86_400_000;
const CA_USAGE: readonly KeyUsageName[] = ['digitalSignature', 'keyEncipherment', 'keyCertSign'];
const LEAF_USAGE: readonly KeyUsageName[] = ['digitalSignature', 'keyEncipherment'];
const NO_SANS: AltNames = { dns: [], ip: [] };

/** A leaf of a service; the file holds the leaf followed by the whole CA bundle. */
export interface Rke2Leaf extends LeafEntry {
  readonly service: string;
}

/** A key file without a certificate (the server-side legacy signing keys of agent certificates). */
export interface Rke2KeyFile {
  readonly name: string;
  readonly service: string;
  readonly keyPath: string;
}

/** A component kubeconfig: every credential a file reference (absolute paths). */
export interface Rke2Kubeconfig {
  readonly path: string;
  readonly server: string;
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** Name of the leaf whose files it references. */
  readonly leaf: string;
}

/** A copy of a CA bundle: whole (agent copies) or its first certificate only (`*.nochain.crt`). */
export interface Rke2CaCopy {
  readonly path: string;
  readonly ca: string;
  readonly firstOnly: boolean;
  readonly mode: number;
}

/** Everything one RKE2/K3s node's data dir holds. */
export interface Rke2Catalogue {
  readonly program: Rke2Program;
  readonly role: 'server' | 'agent';
  readonly cas: readonly CaEntry[];
  readonly leaves: readonly Rke2Leaf[];
  readonly keyFiles: readonly Rke2KeyFile[];
  readonly kubeconfigs: readonly Rke2Kubeconfig[];
  readonly copies: readonly Rke2CaCopy[];
  /** The kubeconfig for people (`rke2.yaml`/`k3s.yaml`), embedding the admin credentials. */
  readonly userKubeconfig:
    | { readonly path: string; readonly server: string; readonly leaf: string; readonly ca: string }
    | undefined;
  readonly serviceKeyPath: string;
  readonly serviceCurrentKeyPath: string;
  readonly dynamicCertPath: string;
  readonly regenerateTriggerPath: string;
  /** RKE2 only: the marker that makes the next start re-create the control-plane static pods. */
  readonly forceRestartPath: string | undefined;
}

/** Tree-relative directories. */
export const SERVER_TLS = 'server/tls';
export const AGENT_DIR = 'agent';

/** Builds the catalogue of a server (with its agent) or of an agent-only node. Pure. */
export function rke2Catalogue(
  spec: Rke2Spec,
  role: 'server' | 'agent',
  caTimestamp: Date,
): Rke2Catalogue {
  const prog = spec.program;
  const abs = (path: string): string => `${spec.dataDir.replace(/\/+$/, '')}/${path}`;
  const cas = caEntries(prog, Math.floor(caTimestamp.getTime() / 1000));
  const leaves = [...(role === 'server' ? serverLeaves(spec) : []), ...agentLeaves(spec)];
  const apiPort = prog === 'k3s' ? 6444 : 6443;
  const localApi = `https://127.0.0.1:${apiPort}`;
  // K3s agents reach the apiserver through their local load balancer one port up; RKE2's is 6443.
  const agentApi =
    role === 'agent' && prog === 'k3s' ? 'https://127.0.0.1:6444' : 'https://127.0.0.1:6443';
  const files = (leafPath: string): { certFile: string; keyFile: string } => ({
    certFile: abs(`${leafPath}.crt`),
    keyFile: abs(`${leafPath}.key`),
  });
  const cred = (file: string, leaf: string): Rke2Kubeconfig => ({
    path: `server/cred/${file}`,
    server: localApi,
    caFile: abs(`${SERVER_TLS}/server-ca.crt`),
    ...files(`${SERVER_TLS}/${leaf}`),
    leaf,
  });
  const agentCred = (file: string, leaf: string): Rke2Kubeconfig => ({
    path: `${AGENT_DIR}/${file}`,
    server: agentApi,
    caFile: abs(`${AGENT_DIR}/server-ca.crt`),
    ...files(leaf),
    leaf,
  });
  const serverKubeconfigs = [
    cred('admin.kubeconfig', 'client-admin'),
    cred('supervisor.kubeconfig', 'client-supervisor'),
    cred('controller.kubeconfig', 'client-controller'),
    cred('scheduler.kubeconfig', 'client-scheduler'),
    cred('api-server.kubeconfig', 'client-kube-apiserver'),
    cred('cloud-controller.kubeconfig', `client-${prog}-cloud-controller`),
  ];
  const agentKubeconfigs = [
    agentCred('kubelet.kubeconfig', 'agent/client-kubelet'),
    agentCred('kubeproxy.kubeconfig', 'agent/client-kube-proxy'),
    agentCred(`${prog}controller.kubeconfig`, `agent/client-${prog}-controller`),
  ];
  const copies: Rke2CaCopy[] = [
    ...(role === 'server'
      ? [
          {
            path: `${SERVER_TLS}/client-ca.nochain.crt`,
            ca: 'client-ca',
            firstOnly: true,
            mode: 0o644,
          },
          {
            path: `${SERVER_TLS}/server-ca.nochain.crt`,
            ca: 'server-ca',
            firstOnly: true,
            mode: 0o644,
          },
        ]
      : []),
    { path: `${AGENT_DIR}/client-ca.crt`, ca: 'client-ca', firstOnly: false, mode: 0o600 },
    { path: `${AGENT_DIR}/server-ca.crt`, ca: 'server-ca', firstOnly: false, mode: 0o600 },
  ];
  return {
    program: prog,
    role,
    cas,
    leaves,
    keyFiles: role === 'server' ? serverKeyFiles(prog) : [],
    kubeconfigs: role === 'server' ? [...serverKubeconfigs, ...agentKubeconfigs] : agentKubeconfigs,
    copies,
    userKubeconfig:
      role === 'server'
        ? {
            path: `${prog}.yaml`,
            server: 'https://127.0.0.1:6443',
            leaf: 'client-admin',
            ca: 'server-ca',
          }
        : undefined,
    serviceKeyPath: `${SERVER_TLS}/service.key`,
    serviceCurrentKeyPath: `${SERVER_TLS}/service.current.key`,
    dynamicCertPath: `${SERVER_TLS}/dynamic-cert.json`,
    regenerateTriggerPath: `${SERVER_TLS}/dynamic-cert-regenerate`,
    forceRestartPath: prog === 'rke2' ? 'force-restart' : undefined,
  };
}

function caEntries(prog: Rke2Program, unix: number): CaEntry[] {
  const ca = (name: string, file: string, prefix: string): CaEntry => ({
    name,
    longName: `${prefix} certificate authority`,
    certPath: `${SERVER_TLS}/${file}.crt`,
    keyPath: `${SERVER_TLS}/${file}.key`,
    subject: { cn: `${prefix}-ca@${unix}` },
    altNames: NO_SANS,
    keyUsage: CA_USAGE,
    validityMs: RKE2_DEFAULTS.caValidityDays * DAY_MS,
    keyAlgorithm: 'ECDSA-P256',
  });
  return [
    ca('server-ca', 'server-ca', `${prog}-server`),
    ca('client-ca', 'client-ca', `${prog}-client`),
    ca('request-header-ca', 'request-header-ca', `${prog}-request-header`),
    ca('etcd/server-ca', 'etcd/server-ca', 'etcd-server'),
    ca('etcd/peer-ca', 'etcd/peer-ca', 'etcd-peer'),
  ];
}

type LeafMaker = (
  service: string,
  path: string,
  ca: string,
  subject: SubjectFields,
  eku: readonly ExtKeyUsageName[],
  sans?: AltNames,
) => Rke2Leaf;

function leafMaker(spec: Rke2Spec): LeafMaker {
  return (service, path, ca, subject, eku, sans = NO_SANS) => ({
    kind: 'leaf',
    name: path.replace(/^server\/tls\//, '').replace(/\.crt$/, ''),
    longName: `${service} certificate ${subject.cn}`,
    service,
    certPath: path,
    keyPath: path.replace(/\.crt$/, '.key'),
    ca,
    subject,
    altNames: sans,
    keyUsage: LEAF_USAGE,
    extKeyUsage: eku,
    validityMs: spec.leafValidityDays * DAY_MS,
    keyAlgorithm: 'ECDSA-P256',
    restart: restartTargets(spec.program, service),
  });
}

/** The shared SAN list (§4): tls-san, loopback, node name, node IPs, advertise address, service IP. */
export function baseSans(spec: Rke2Spec): AltNames {
  return toAltNames([
    ...spec.tlsSans,
    '127.0.0.1',
    '::1',
    'localhost',
    spec.nodeName,
    ...spec.nodeIps,
    advertiseAddressOf(spec),
    serviceIp(spec),
  ]);
}

/** The API server's (and dynamic listener's) DNS names before the shared SANs. */
export function kubernetesNames(spec: Rke2Spec): string[] {
  return [
    'kubernetes',
    'kubernetes.default',
    'kubernetes.default.svc',
    `kubernetes.default.svc.${spec.clusterDomain}`,
  ];
}

function serverLeaves(spec: Rke2Spec): Rke2Leaf[] {
  const prog = spec.program;
  const leaf = leafMaker(spec);
  const t = (file: string): string => `${SERVER_TLS}/${file}.crt`;
  const client: readonly ExtKeyUsageName[] = ['clientAuth'];
  const server: readonly ExtKeyUsageName[] = ['serverAuth'];
  const both: readonly ExtKeyUsageName[] = ['serverAuth', 'clientAuth'];
  const sans = baseSans(spec);
  const loopback = toAltNames(['localhost', '127.0.0.1', '::1']);
  const etcdSans = toAltNames(['kine.sock', ...sans.dns, ...sans.ip]);
  return [
    leaf(
      'admin',
      t('client-admin'),
      'client-ca',
      { cn: 'system:admin', o: ['system:masters'] },
      client,
    ),
    leaf(
      'api-server',
      t('client-kube-apiserver'),
      'client-ca',
      { cn: 'system:apiserver', o: ['system:masters'] },
      client,
    ),
    leaf(
      'api-server',
      t('serving-kube-apiserver'),
      'server-ca',
      { cn: 'kube-apiserver' },
      server,
      toAltNames([...kubernetesNames(spec), ...sans.dns, ...sans.ip]),
    ),
    leaf(
      'controller-manager',
      t('client-controller'),
      'client-ca',
      { cn: 'system:kube-controller-manager' },
      client,
    ),
    leaf(
      'controller-manager',
      t('kube-controller-manager/kube-controller-manager'),
      'server-ca',
      { cn: 'kube-controller-manager' },
      server,
      loopback,
    ),
    leaf('scheduler', t('client-scheduler'), 'client-ca', { cn: 'system:kube-scheduler' }, client),
    leaf(
      'scheduler',
      t('kube-scheduler/kube-scheduler'),
      'server-ca',
      { cn: 'kube-scheduler' },
      server,
      loopback,
    ),
    leaf(
      'supervisor',
      t('client-supervisor'),
      'client-ca',
      { cn: `system:${prog}-supervisor`, o: ['system:masters'] },
      client,
    ),
    leaf(
      'auth-proxy',
      t('client-auth-proxy'),
      'request-header-ca',
      { cn: 'system:auth-proxy' },
      client,
    ),
    leaf(
      'cloud-controller',
      t(`client-${prog}-cloud-controller`),
      'client-ca',
      { cn: `${prog}-cloud-controller-manager` },
      client,
    ),
    leaf('etcd', t('etcd/client'), 'etcd/server-ca', { cn: 'etcd-client' }, client),
    ...(spec.disableEtcd
      ? []
      : [
          leaf(
            'etcd',
            t('etcd/server-client'),
            'etcd/server-ca',
            { cn: 'etcd-server' },
            both,
            etcdSans,
          ),
          leaf(
            'etcd',
            t('etcd/peer-server-client'),
            'etcd/peer-ca',
            { cn: 'etcd-peer' },
            both,
            etcdSans,
          ),
        ]),
  ];
}

function agentLeaves(spec: Rke2Spec): Rke2Leaf[] {
  const prog = spec.program;
  const leaf = leafMaker(spec);
  const a = (file: string): string => `${AGENT_DIR}/${file}.crt`;
  const kubeletSans: AltNames = {
    dns: [spec.nodeName, 'localhost'],
    ip: dedupe(
      ['127.0.0.1', ...spec.nodeIps, ...spec.nodeExternalIps].map((ip) => canonicalIp(ip) ?? ip),
    ),
  };
  return [
    leaf('kube-proxy', a('client-kube-proxy'), 'client-ca', { cn: 'system:kube-proxy' }, [
      'clientAuth',
    ]),
    leaf(
      'kubelet',
      a('client-kubelet'),
      'client-ca',
      { cn: `system:node:${spec.nodeName}`, o: ['system:nodes'] },
      ['clientAuth'],
    ),
    leaf(
      'kubelet',
      a('serving-kubelet'),
      'server-ca',
      { cn: spec.nodeName },
      ['serverAuth'],
      kubeletSans,
    ),
    leaf(
      `${prog}-controller`,
      a(`client-${prog}-controller`),
      'client-ca',
      { cn: `system:${prog}-controller` },
      ['clientAuth'],
    ),
  ];
}

/**
 * Server-side files of the agent services (§4.9–§4.11): since the 2025 releases only their keys
 * exist there, used to sign legacy agent requests; certificates at these paths are read if present.
 */
function serverKeyFiles(prog: Rke2Program): Rke2KeyFile[] {
  return [
    {
      name: 'client-kube-proxy.key',
      service: 'kube-proxy',
      keyPath: `${SERVER_TLS}/client-kube-proxy.key`,
    },
    { name: 'client-kubelet.key', service: 'kubelet', keyPath: `${SERVER_TLS}/client-kubelet.key` },
    {
      name: 'serving-kubelet.key',
      service: 'kubelet',
      keyPath: `${SERVER_TLS}/serving-kubelet.key`,
    },
    {
      name: `client-${prog}-controller.key`,
      service: `${prog}-controller`,
      keyPath: `${SERVER_TLS}/client-${prog}-controller.key`,
    },
  ];
}

/** Certificate files `check` and `rotate` look at for a service (§4.13), including legacy server copies. */
export function serviceCertFiles(catalogue: Rke2Catalogue, service: string): string[] {
  const leaves = catalogue.leaves
    .filter((leaf) => leaf.service === service)
    .map((leaf) => leaf.certPath);
  const legacy = catalogue.keyFiles
    .filter((key) => key.service === service && key.service !== 'kubelet')
    .map((key) => key.keyPath.replace(/\.key$/, '.crt'));
  return [...legacy, ...leaves];
}

/** Strings that parse as IPs become IP SANs, the rest DNS SANs; order kept, duplicates dropped. */
function toAltNames(values: readonly string[]): AltNames {
  const { names } = classifySans(values.filter((value) => value !== ''));
  return { dns: dedupe(names.dns), ip: dedupe(names.ip) };
}

function dedupe(values: readonly string[]): string[] {
  return [...new Set(values)];
}
