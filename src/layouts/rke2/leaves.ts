/**
 * The RKE2/K3s leaves (reference/rke2-k3s.md §4): the server leaves and the agent leaves grouped by
 * service, their shared SAN lists, and the server-side legacy signing keys of agent certificates.
 */
import { classifySans, canonicalIp, type AltNames } from '../../pki/san.js';
import type { ExtKeyUsageName, KeyUsageName } from '../../pki/certificate.js';
import type { SubjectFields } from '../../pki/name.js';
import {
  AGENT_DIR,
  SERVER_TLS,
  keyPathOf,
  type Rke2KeyFile,
  type Rke2Leaf,
} from './catalogue-entries.js';
import { restartTargets } from './services.js';
import { advertiseAddressOf, serviceIp, type Rke2Program, type Rke2Spec } from './spec.js';

const DAY_MS = 86_400_000;
const LEAF_USAGE: readonly KeyUsageName[] = ['digitalSignature', 'keyEncipherment'];
const NO_SANS: AltNames = { dns: [], ip: [] };

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
    keyPath: keyPathOf(path),
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

/** The leaves only a server has (§4.1–§4.8). */
export function serverLeaves(spec: Rke2Spec): Rke2Leaf[] {
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

/** The leaves every node has, server or agent (§4.9–§4.12). */
export function agentLeaves(spec: Rke2Spec): Rke2Leaf[] {
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
export function serverKeyFiles(prog: Rke2Program): Rke2KeyFile[] {
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

/** Strings that parse as IPs become IP SANs, the rest DNS SANs; order kept, duplicates dropped. */
function toAltNames(values: readonly string[]): AltNames {
  const { names } = classifySans(values.filter((value) => value !== ''));
  return { dns: dedupe(names.dns), ip: dedupe(names.ip) };
}

function dedupe(values: readonly string[]): string[] {
  return [...new Set(values)];
}
