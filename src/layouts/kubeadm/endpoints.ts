/**
 * Where each kubeadm component answers, from the spec: the serving certificates' endpoints (for
 * `kpki prove`) and the health endpoints a restart waits on (reference kubeadm.md §5: etcd client
 * 2379 and peer 2380 on the advertise address, the API server on the bind port, the
 * controller-manager's 10257 and the scheduler's 10259 on 127.0.0.1). Pure.
 */
import type { Catalogue, LeafEntry } from '../catalogue.js';
import type { KubeadmSpec } from './spec.js';

/** A host and port; `sni` is the server name a client sends (the first DNS SAN). */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

/** A serving certificate and where the component that loads it serves it. */
export interface ServingEndpoint extends Endpoint {
  /** Catalogue name of the certificate (`apiserver`, `etcd-server`, `etcd-peer`). */
  readonly cert: string;
  readonly component: string;
  readonly sni: string | undefined;
}

/** How a restarted component is known to be healthy again. */
export interface HealthEndpoint extends Endpoint {
  readonly component: string;
  readonly path: string;
  /** Catalogue name of the client certificate the probe presents, if any. */
  readonly clientCert: string | undefined;
}

const SERVING: readonly { cert: string; component: string; port: (s: KubeadmSpec) => number }[] = [
  { cert: 'apiserver', component: 'kube-apiserver', port: (s) => s.bindPort },
  { cert: 'etcd-server', component: 'etcd', port: () => 2379 },
  { cert: 'etcd-peer', component: 'etcd', port: () => 2380 },
];

/**
 * The serving endpoints of the catalogue's serving leaves; `overrides` (by certificate name)
 * replace the spec's address and port (a load balancer, or the e2e suite's loopback ports).
 */
export function kubeadmServingEndpoints(
  spec: KubeadmSpec,
  catalogue: Catalogue,
  overrides: ReadonlyMap<string, Endpoint>,
): ServingEndpoint[] {
  const out: ServingEndpoint[] = [];
  for (const serving of SERVING) {
    const leaf = catalogue.leaves.find((entry) => entry.name === serving.cert);
    if (!leaf) continue;
    const at = overrides.get(serving.cert) ?? {
      host: spec.advertiseAddress,
      port: serving.port(spec),
    };
    out.push({ cert: serving.cert, component: serving.component, ...at, sni: sniOf(leaf) });
  }
  return out;
}

/**
 * The health endpoint of each component kubeadm runs as a static pod, by component name;
 * `overrides` are keyed by certificate name for etcd and the API server (as
 * {@link kubeadmServingEndpoints}) and by component for the controller-manager and scheduler.
 */
export function kubeadmHealthEndpoints(
  spec: KubeadmSpec,
  catalogue: Catalogue,
  overrides: ReadonlyMap<string, Endpoint>,
): Map<string, HealthEndpoint> {
  const serving = new Map(
    kubeadmServingEndpoints(spec, catalogue, overrides).map((s) => [s.cert, s]),
  );
  const out = new Map<string, HealthEndpoint>();
  const etcd = serving.get('etcd-server');
  if (etcd)
    out.set('etcd', {
      component: 'etcd',
      host: etcd.host,
      port: etcd.port,
      path: '/health',
      clientCert: 'etcd-healthcheck-client',
    });
  const api = serving.get('apiserver');
  if (api)
    out.set('kube-apiserver', {
      component: 'kube-apiserver',
      host: api.host,
      port: api.port,
      path: '/readyz',
      clientCert: undefined,
    });
  for (const [component, port] of [
    ['kube-controller-manager', 10257],
    ['kube-scheduler', 10259],
  ] as const) {
    const at = overrides.get(component) ?? { host: '127.0.0.1', port };
    out.set(component, { component, ...at, path: '/healthz', clientCert: undefined });
  }
  return out;
}

function sniOf(leaf: LeafEntry): string | undefined {
  return leaf.altNames.dns[0];
}

/**
 * The catalogue files each component loads, by component: what a restart plan shows beside it.
 * Kubeconfig files count for the components in their `restart` list.
 */
export function filesByComponent(catalogue: Catalogue): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (component: string, path: string): void => {
    out.set(component, [...(out.get(component) ?? []), path]);
  };
  for (const leaf of catalogue.leaves)
    for (const c of leaf.restart) {
      add(c, leaf.certPath);
      add(c, leaf.keyPath);
    }
  for (const kc of catalogue.kubeconfigs) for (const c of kc.restart) add(c, kc.path);
  return out;
}
