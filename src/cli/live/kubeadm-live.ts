/**
 * kubeadm's restart and proof wiring: which endpoints, credentials, drivers and files, from the
 * catalogue and the spec. `kpki prove`, `kpki restart` and every `--restart` come through here.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KUBEADM_ADMIN_CONF, KUBEADM_RESTART_ORDER } from '../../layouts/kubeadm/catalogue.js';
import {
  filesByComponent,
  kubeadmHealthEndpoints,
  kubeadmServingEndpoints,
} from '../../layouts/kubeadm/endpoints.js';
import { readKubeconfig } from '../../layouts/kubeconfig.js';
import { restartOrder } from '../../ops/shared/plan.js';
import {
  commandDriver,
  systemdDriver,
  type RestartDriver,
  type RestartTarget,
} from '../../restart/driver.js';
import type { HealthProbe } from '../../restart/health.js';
import { hostPort, type ProofTargets } from '../../restart/prove.js';
import { heldDirFor, returnHeldManifests, staticPodDriver } from '../../restart/static-pod.js';
import type { ClientCredentials } from '../../restart/tls-probe.js';
import type { ProveOptions, RestartOptions } from '../options/live.js';
import type { KubeadmLayout } from '../layouts/kubeadm-setup.js';
import type { RestartSubject } from './restart-run.js';

/**
 * Without `--config`, the host's defaults would name the wrong address: the tree knows better.
 * kubeadm writes the local API endpoint (advertise address and bind port) into
 * controller-manager.conf, so that is where the API server and etcd are looked for.
 */
export async function layoutFromTree(
  layout: KubeadmLayout,
  root: string,
  configGiven: boolean,
): Promise<KubeadmLayout> {
  if (configGiven) return layout;
  const text = await readFile(join(root, 'controller-manager.conf'), 'utf8').catch(() => undefined);
  const server = text === undefined ? undefined : hostPort(readKubeconfigSafe(text));
  if (!server) return layout;
  return {
    ...layout,
    spec: { ...layout.spec, advertiseAddress: server.host, bindPort: server.port },
  };
}

function readKubeconfigSafe(text: string): string | undefined {
  try {
    return readKubeconfig(text, 'controller-manager.conf').server;
  } catch {
    return undefined;
  }
}

/** What `kpki prove` checks on a kubeadm tree. */
export function kubeadmProofTargets(
  layout: KubeadmLayout,
  root: string,
  options: ProveOptions,
): ProofTargets {
  const { catalogue, spec } = layout;
  const caOf = (name: string): string =>
    catalogue.cas.find((ca) => ca.name === name)?.certPath ?? '';
  const leafOf = (name: string) => catalogue.leaves.find((l) => l.name === name);
  const serving = kubeadmServingEndpoints(spec, catalogue, options.endpoints).map((s) => ({
    component: s.component,
    name: s.cert,
    certPath: leafOf(s.cert)?.certPath ?? '',
    caPath: caOf(leafOf(s.cert)?.ca ?? ''),
    host: s.host,
    port: s.port,
    sni: s.sni,
  }));
  const api = options.endpoints.get('apiserver');
  const kubeconfigs = catalogue.kubeconfigs
    .filter((kc) => !kc.selfRotated)
    .map((kc) => ({
      component: kc.restart[0] ?? 'admin',
      name: kc.name,
      path: kc.path,
      expectUser: kc.subject.cn ?? '',
      server: api,
    }));
  const etcd = serving.find((s) => s.name === 'etcd-server');
  const client = leafOf('apiserver-etcd-client');
  const etcdClients =
    etcd && client
      ? [
          {
            component: 'kube-apiserver',
            name: client.name,
            certPath: client.certPath,
            keyPath: client.keyPath,
            host: etcd.host,
            port: etcd.port,
          },
        ]
      : [];
  return { root, serving, kubeconfigs, etcdClients };
}

async function leafCredentials(
  root: string,
  cert: string,
  key: string,
): Promise<ClientCredentials> {
  return {
    cert: await readFile(join(root, cert), 'utf8'),
    key: await readFile(join(root, key), 'utf8'),
  };
}

async function kubeconfigCredentials(
  root: string,
  path: string,
): Promise<ClientCredentials | undefined> {
  const creds = readKubeconfig(await readFile(join(root, path), 'utf8'), path);
  return creds.certPem && creds.keyPem ? { cert: creds.certPem, key: creds.keyPem } : undefined;
}

/** Health probes by component. */
function healthProbes(
  layout: KubeadmLayout,
  root: string,
  options: ProveOptions,
): Map<string, HealthProbe> {
  const out = new Map<string, HealthProbe>();
  for (const [component, at] of kubeadmHealthEndpoints(
    layout.spec,
    layout.catalogue,
    options.endpoints,
  )) {
    const leaf = layout.catalogue.leaves.find((l) => l.name === at.clientCert);
    const credentials = leaf
      ? () => leafCredentials(root, leaf.certPath, leaf.keyPath)
      : component === 'kube-apiserver'
        ? () => kubeconfigCredentials(root, KUBEADM_ADMIN_CONF).catch(() => undefined)
        : () => Promise.resolve(undefined);
    out.set(component, { host: at.host, port: at.port, path: at.path, credentials });
  }
  return out;
}

/** The static-pod manifests directory and its held twin. */
function staticPodDirs(root: string, options: RestartOptions): { manifests: string; held: string } {
  const manifests = options.manifestsDir ?? join(root, 'manifests');
  return { manifests, held: heldDirFor(manifests) };
}

/**
 * Puts back any manifest an interrupted static-pod restart left held; the names put back.
 * Every `prove`, `restart` and `--restart` runs it first.
 */
export function recoverHeld(
  root: string,
  options: RestartOptions | ProveOptions,
): Promise<string[]> {
  const manifestsDir = 'manifestsDir' in options ? options.manifestsDir : undefined;
  const manifests = manifestsDir ?? join(root, 'manifests');
  return returnHeldManifests({ manifests, held: heldDirFor(manifests) });
}

/**
 * The kubeadm restart subject: components in kubeadm's order, each with the files it loads
 * among `changed` (every file it loads when `changed` is undefined), a driver and a health probe.
 */
export function kubeadmRestartSubject(
  layout: KubeadmLayout,
  root: string,
  components: readonly string[],
  changed: readonly string[] | undefined,
  options: RestartOptions,
): RestartSubject {
  const loads = filesByComponent(layout.catalogue);
  const probes = healthProbes(layout, root, options);
  const driverName = options.driver ?? 'static-pod';
  const main: RestartDriver =
    driverName === 'command'
      ? commandDriver(options.command ?? '', options.healthTimeoutMs)
      : driverName === 'systemd'
        ? systemdDriver(options.healthTimeoutMs)
        : staticPodDriver(
            staticPodDirs(root, options),
            options.filePeriodMs,
            options.healthTimeoutMs,
          );
  // The kubelet is a systemd unit, never a static pod.
  const kubelet = driverName === 'static-pod' ? systemdDriver(options.healthTimeoutMs) : main;
  const ordered = restartOrder(components, KUBEADM_RESTART_ORDER);
  const steps = ordered.map((component) => {
    const files = (loads.get(component) ?? []).filter(
      (f) => changed === undefined || changed.includes(f),
    );
    const target: RestartTarget = { component, unit: component, health: probes.get(component) };
    return { target, files, driver: component === 'kubelet' ? kubelet : main };
  });
  return {
    steps,
    rollbackHint: `kpki rollback --restart --dir ${root}${driverName === 'command' ? ` --restart-driver command --restart-command '${options.command ?? ''}'` : ''}`,
  };
}

/** Components that load any of `files` (tree-relative), in kubeadm's order. */
export function kubeadmComponentsLoading(
  layout: KubeadmLayout,
  files: readonly string[],
): string[] {
  const wanted = new Set<string>();
  for (const [component, loaded] of filesByComponent(layout.catalogue))
    if (loaded.some((f) => files.includes(f))) wanted.add(component);
  // A CA file is loaded by everything that verifies with it.
  if (files.some((f) => layout.catalogue.cas.some((ca) => ca.certPath === f || ca.keyPath === f)))
    for (const c of KUBEADM_RESTART_ORDER) if (c !== 'kubelet') wanted.add(c);
  if (
    files.some((f) => layout.catalogue.keyPairs.some((k) => k.keyPath === f || k.publicPath === f))
  )
    for (const c of ['kube-apiserver', 'kube-controller-manager']) wanted.add(c);
  return restartOrder(wanted, KUBEADM_RESTART_ORDER);
}
