/**
 * The RKE2/K3s catalogue (reference/rke2-k3s.md §1–§4): five CAs, the server and agent leaves
 * grouped by service, the legacy server-side signing keys, the service-account key, the CA copies,
 * the component kubeconfigs (file references) and the user kubeconfig — pure data computed from
 * the spec and the instant the CA names are stamped with.
 */
import type { AltNames } from '../../pki/san.js';
import type { KeyUsageName } from '../../pki/certificate.js';
import type { CaEntry } from '../catalogue.js';
import {
  AGENT_DIR,
  SERVER_TLS,
  type Rke2CaCopy,
  type Rke2Catalogue,
  type Rke2Kubeconfig,
} from './catalogue-entries.js';
import { agentLeaves, serverKeyFiles, serverLeaves } from './leaves.js';
import { RKE2_DEFAULTS, type Rke2Program, type Rke2Spec } from './spec.js';

export {
  AGENT_DIR,
  SERVER_TLS,
  type Rke2CaCopy,
  type Rke2Catalogue,
  type Rke2KeyFile,
  type Rke2Kubeconfig,
  type Rke2Leaf,
} from './catalogue-entries.js';
export { baseSans, kubernetesNames } from './leaves.js';

const DAY_MS = 86_400_000;
const CA_USAGE: readonly KeyUsageName[] = ['digitalSignature', 'keyEncipherment', 'keyCertSign'];
const NO_SANS: AltNames = { dns: [], ip: [] };

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
