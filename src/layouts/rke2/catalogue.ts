/**
 * The RKE2/K3s catalogue (reference/rke2-k3s.md §1–§4): five CAs, the server and agent leaves
 * grouped by service, the legacy server-side signing keys, the service-account key, the CA copies,
 * the component kubeconfigs (file references) and the user kubeconfig — pure data computed from
 * the spec and the instant the CA names are stamped with.
 */
import { SPEC_RECORD_PATH, specRecordText } from './spec-record.js';
import {
  AGENT_DIR,
  SERVER_TLS,
  SERVICE_KEY_PATH,
  certPathOf,
  type Rke2CaCopy,
  type Rke2Catalogue,
  type Rke2Kubeconfig,
} from './catalogue-entries.js';
import { agentLeaves, serverKeyFiles, serverLeaves } from './leaves.js';
import { rke2CaEntries, rke2CaLocation } from './ca-entries.js';
import type { Rke2Spec } from './spec.js';

export {
  AGENT_DIR,
  SERVER_TLS,
  SERVICE_KEY_PATH,
  certPathOf,
  isKeyPath,
  keyPathOf,
  type Rke2CaCopy,
  type Rke2Catalogue,
  type Rke2KeyFile,
  type Rke2Kubeconfig,
  type Rke2Leaf,
} from './catalogue-entries.js';
export { baseSans, kubernetesNames } from './leaves.js';

/** Builds the catalogue of a server (with its agent) or of an agent-only node. Pure. */
export function rke2Catalogue(
  spec: Rke2Spec,
  role: 'server' | 'agent',
  caTimestamp: Date,
): Rke2Catalogue {
  const prog = spec.program;
  const abs = (path: string): string => `${spec.dataDir.replace(/\/+$/, '')}/${path}`;
  const cas = rke2CaEntries(prog, Math.floor(caTimestamp.getTime() / 1000));
  const server = rke2CaLocation('server');
  const client = rke2CaLocation('client');
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
    caFile: abs(server.certPath),
    ...files(`${SERVER_TLS}/${leaf}`),
    leaf,
  });
  const agentCred = (file: string, leaf: string): Rke2Kubeconfig => ({
    path: `${AGENT_DIR}/${file}`,
    server: agentApi,
    caFile: abs(agentCopy(server.name)),
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
            path: noChain(client.certPath),
            ca: client.name,
            firstOnly: true,
            mode: 0o644,
          },
          {
            path: noChain(server.certPath),
            ca: server.name,
            firstOnly: true,
            mode: 0o644,
          },
        ]
      : []),
    { path: agentCopy(client.name), ca: client.name, firstOnly: false, mode: 0o600 },
    { path: agentCopy(server.name), ca: server.name, firstOnly: false, mode: 0o600 },
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
            ca: server.name,
          }
        : undefined,
    serviceKeyPath: SERVICE_KEY_PATH,
    serviceCurrentKeyPath: `${SERVER_TLS}/service.current.key`,
    dynamicCertPath: `${SERVER_TLS}/dynamic-cert.json`,
    regenerateTriggerPath: `${SERVER_TLS}/dynamic-cert-regenerate`,
    forceRestartPath: prog === 'rke2' ? 'force-restart' : undefined,
    specRecord:
      role === 'server' ? { path: SPEC_RECORD_PATH, text: specRecordText(spec) } : undefined,
  };
}

/** The agent's copy of a CA bundle (`agent/server-ca.crt`). */
function agentCopy(caName: string): string {
  return `${AGENT_DIR}/${caName}.crt`;
}

/** The first-certificate-only copy beside a CA file (`server-ca.nochain.crt`). */
function noChain(certPath: string): string {
  return certPath.replace(/\.crt$/, '.nochain.crt');
}

/** Certificate files `check` and `rotate` look at for a service (§4.13), including legacy server copies. */
export function serviceCertFiles(catalogue: Rke2Catalogue, service: string): string[] {
  const leaves = catalogue.leaves
    .filter((leaf) => leaf.service === service)
    .map((leaf) => leaf.certPath);
  const legacy = catalogue.keyFiles
    .filter((key) => key.service === service && key.service !== 'kubelet')
    .map((key) => certPathOf(key.keyPath));
  return [...legacy, ...leaves];
}

/** Modes RKE2/K3s give their files: certificates 0644, keys, kubeconfigs and the rest 0600. */
const RKE2_MODE = { cert: 0o644, private: 0o600 } as const;

/**
 * Every file of the catalogue with the mode RKE2/K3s gives it: CA and leaf certificates 0644, CA
 * copies as the copy says, keys, kubeconfigs, the service keys, `dynamic-cert.json` and the
 * restart markers 0600. Pure.
 */
export function rke2CatalogueFileModes(catalogue: Rke2Catalogue): Map<string, number> {
  const modes = new Map<string, number>();
  for (const entry of [...catalogue.cas, ...catalogue.leaves]) {
    modes.set(entry.certPath, RKE2_MODE.cert);
    modes.set(entry.keyPath, RKE2_MODE.private);
  }
  for (const copy of catalogue.copies) modes.set(copy.path, copy.mode);
  const privateFiles = [
    ...catalogue.keyFiles.map((file) => file.keyPath),
    ...catalogue.kubeconfigs.map((kubeconfig) => kubeconfig.path),
    catalogue.userKubeconfig?.path,
    catalogue.serviceKeyPath,
    catalogue.serviceCurrentKeyPath,
    catalogue.dynamicCertPath,
    catalogue.regenerateTriggerPath,
    catalogue.forceRestartPath,
  ];
  for (const path of privateFiles) if (path !== undefined) modes.set(path, RKE2_MODE.private);
  return modes;
}

/**
 * The mode of a file in a `rotate` backup directory (`server/tls-<unix>/…`, `agent/tls-<unix>/…`):
 * certificates 0644, everything else 0600; undefined for a path outside such a directory.
 */
export function rke2RotateBackupMode(path: string): number | undefined {
  if (!/^(server|agent)\/tls-\d+\/[^/]/.test(path) || path.split('/').includes('..'))
    return undefined;
  return path.endsWith('.crt') ? RKE2_MODE.cert : RKE2_MODE.private;
}
