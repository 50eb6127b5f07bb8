/**
 * The service names `certificate rotate --service` and `certificate check --service` accept
 * (K3s `pkg/util/services`, reference/rke2-k3s.md §4, §6.1), and the components each one makes
 * restart.
 */
import { UnknownNameError } from '../../errors.js';
import type { Rke2Program } from './spec.js';

/** Server services, in the order K3s lists them. */
export function serverServices(program: Rke2Program): string[] {
  return [
    'api-server',
    'admin',
    'auth-proxy',
    'cloud-controller',
    'controller-manager',
    'etcd',
    'scheduler',
    'supervisor',
    `${program}-server`,
  ];
}

/** Agent services, in the order K3s lists them. */
export function agentServices(program: Rke2Program): string[] {
  return ['kube-proxy', 'kubelet', `${program}-controller`];
}

/** Every service: server ones then agent ones. */
export function allServices(program: Rke2Program): string[] {
  return [...serverServices(program), ...agentServices(program)];
}

/**
 * Resolves a `--service` selection: comma-separated values allowed, duplicates dropped, result in
 * K3s's list order. Empty selects every service of the node's role (server: all; agent: agent ones).
 * `certificate-authority` is rejected as K3s rejects it: CA rotation is a separate operation.
 * @throws UnknownNameError `service <name> is not recognized` with the valid names as hint.
 */
export function selectServices(
  program: Rke2Program,
  requested: readonly string[],
  isServer: boolean,
): string[] {
  const all = allServices(program);
  const names = requested
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter(Boolean);
  if (names.length === 0) return isServer ? all : agentServices(program);
  const unknown = names.filter((name) => !all.includes(name));
  if (unknown.length > 0) {
    throw new UnknownNameError(
      `service ${unknown.map((name) => `"${name}"`).join(', ')} is not recognized`,
      {
        hint: `valid services: ${all.join(', ')}${unknown.includes('certificate-authority') ? ' (CA rotation is not done by rotate)' : ''}`,
      },
    );
  }
  return all.filter((name) => names.includes(name));
}

/** Components in the order they restart: etcd, the control plane, the supervisor, then agent parts. */
export function rke2RestartOrder(program: Rke2Program): string[] {
  return [
    'etcd',
    'kube-apiserver',
    'kube-controller-manager',
    'kube-scheduler',
    'cloud-controller-manager',
    `${program}-server`,
    'kubelet',
    'kube-proxy',
    `${program}-controller`,
  ];
}

/** The components that load a service's files. */
export function restartTargets(program: Rke2Program, service: string): string[] {
  const targets: Record<string, string[]> = {
    'api-server': ['kube-apiserver'],
    admin: [],
    'auth-proxy': ['kube-apiserver'],
    'cloud-controller': ['cloud-controller-manager'],
    'controller-manager': ['kube-controller-manager'],
    etcd: ['etcd', 'kube-apiserver'],
    scheduler: ['kube-scheduler'],
    supervisor: [`${program}-server`],
    [`${program}-server`]: [`${program}-server`],
    'kube-proxy': ['kube-proxy'],
    // The server-side kubelet keys sign the legacy agent certificate requests in the supervisor.
    kubelet: ['kubelet', `${program}-server`],
    [`${program}-controller`]: [`${program}-controller`],
  };
  return targets[service] ?? [];
}
