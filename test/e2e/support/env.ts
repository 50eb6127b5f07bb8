/**
 * What the e2e suite runs: kpki through its built CLI, the peers `npm run peers` built (kubeadm,
 * kube-apiserver, kube-controller-manager, kube-scheduler), Debian's etcd and kubectl. kubeadm
 * only writes under /etc/kubernetes, so it runs in a private mount namespace with a test directory
 * bind-mounted there (we are root); the host's /etc/kubernetes is never written.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '../../..');
export const KPKI = join(ROOT, 'dist/kpki.cjs');

/** The pinned release, read from peers/k8s/go.mod (its one place). */
export const K8S_VERSION = ((): string => {
  const mod = readFileSync(join(ROOT, 'peers/k8s/go.mod'), 'utf8');
  const match = /^(?:require |\t)k8s\.io\/kubernetes (v[0-9.]+)/m.exec(mod);
  if (!match?.[1]) throw new Error('peers/k8s/go.mod has no k8s.io/kubernetes requirement');
  return match[1];
})();

export const PEERS_DIR =
  process.env.KPKI_PEERS_DIR ?? join(homedir(), '.cache/kpki-peers', K8S_VERSION);
export const peer = (name: string): string => join(PEERS_DIR, name);

/** Why the suite cannot run here, or undefined when it can. */
export function missingPeers(): string | undefined {
  const missing = ['kubeadm', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'].filter(
    (c) => !existsSync(peer(c)),
  );
  if (missing.length > 0)
    return `peers not built (${missing.join(', ')} missing in ${PEERS_DIR}): run npm run peers`;
  for (const tool of [
    '/usr/bin/etcd',
    '/usr/bin/kubectl',
    '/usr/bin/unshare',
    '/usr/bin/openssl',
  ]) {
    if (!existsSync(tool)) return `${tool} is missing (see .ci/run for the Debian packages)`;
  }
  if (!existsSync(KPKI)) return `${KPKI} is missing: npm run build`;
  return undefined;
}

export interface RunResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to completion; throws with its output unless its exit code is in `ok`. */
export function run(
  command: string,
  args: readonly string[],
  options: SpawnSyncOptions & { ok?: readonly number[] } = {},
): RunResult {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 64 << 20,
    ...options,
  });
  const out: RunResult = {
    status: result.status ?? -1,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
  };
  if (result.error || !(options.ok ?? [0]).includes(out.status)) {
    throw new Error(
      `${command} ${args.join(' ')} exited ${out.status}${result.error ? ` (${result.error.message})` : ''}\n${out.stdout}\n${out.stderr}`,
    );
  }
  return out;
}

/** `kpki ARGS` through the built CLI. */
export const kpki = (args: readonly string[], ok: readonly number[] = [0]): RunResult =>
  run(process.execPath, [KPKI, ...args], { ok });

/**
 * `kubeadm ARGS` (or another kubeadm `binary`) with `tree` bind-mounted on /etc/kubernetes in a private mount namespace, so
 * kubeadm reads and writes `tree` as if it were /etc/kubernetes.
 */
export function kubeadm(
  tree: string,
  args: readonly string[],
  ok: readonly number[] = [0],
  binary = peer('kubeadm'),
): RunResult {
  // The mount point must exist; an empty directory on the host is all this leaves behind.
  mkdirSync('/etc/kubernetes', { recursive: true });
  mkdirSync(tree, { recursive: true });
  const script =
    'mount --make-rprivate / && mount --bind "$1" /etc/kubernetes && shift && exec "$@"';
  return run('unshare', ['-m', 'sh', '-c', script, 'sh', tree, binary, ...args], { ok });
}

/** `kubectl --kubeconfig KC ARGS`. */
export const kubectl = (
  kubeconfig: string,
  args: readonly string[],
  ok: readonly number[] = [0],
): RunResult =>
  run('kubectl', ['--kubeconfig', kubeconfig, '--request-timeout=20s', ...args], { ok });

/** A fresh directory under the OS temp dir, removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `kpki-e2e-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Options of the kubeadm config the tests write (v1beta4: kubeadm 1.37 reads nothing older). */
export interface ConfigOptions {
  readonly nodeName?: string;
  readonly advertiseAddress?: string;
  readonly bindPort?: number;
  readonly encryptionAlgorithm?: string;
  readonly certSANs?: readonly string[];
  readonly serviceSubnet?: string;
  readonly podSubnet?: string;
  readonly dnsDomain?: string;
  readonly controlPlaneEndpoint?: string;
  readonly externalEtcd?: boolean;
  readonly certificatesDir?: string;
  readonly clusterName?: string;
}

/** A kubeadm InitConfiguration + ClusterConfiguration for `opts`, written to `path`. */
export function writeConfig(path: string, opts: ConfigOptions = {}): string {
  const lines = [
    'apiVersion: kubeadm.k8s.io/v1beta4',
    'kind: InitConfiguration',
    'localAPIEndpoint:',
    `  advertiseAddress: ${opts.advertiseAddress ?? '127.0.0.1'}`,
    `  bindPort: ${opts.bindPort ?? 6443}`,
    'nodeRegistration:',
    `  name: ${opts.nodeName ?? 'cp1'}`,
    // Named so kubeadm does not look for a container runtime: none is needed for these phases.
    '  criSocket: unix:///var/run/containerd/containerd.sock',
    '---',
    'apiVersion: kubeadm.k8s.io/v1beta4',
    'kind: ClusterConfiguration',
    // Named so kubeadm does not ask the network for the latest release.
    `kubernetesVersion: ${K8S_VERSION}`,
  ];
  if (opts.clusterName !== undefined) lines.push(`clusterName: ${opts.clusterName}`);
  if (opts.encryptionAlgorithm !== undefined)
    lines.push(`encryptionAlgorithm: ${opts.encryptionAlgorithm}`);
  if (opts.certificatesDir !== undefined) lines.push(`certificatesDir: ${opts.certificatesDir}`);
  if (opts.controlPlaneEndpoint !== undefined)
    lines.push(`controlPlaneEndpoint: "${opts.controlPlaneEndpoint}"`);
  const net = [
    ...(opts.serviceSubnet !== undefined ? [`  serviceSubnet: "${opts.serviceSubnet}"`] : []),
    ...(opts.podSubnet !== undefined ? [`  podSubnet: "${opts.podSubnet}"`] : []),
    ...(opts.dnsDomain !== undefined ? [`  dnsDomain: ${opts.dnsDomain}`] : []),
  ];
  if (net.length > 0) lines.push('networking:', ...net);
  if (opts.certSANs !== undefined)
    lines.push('apiServer:', '  certSANs:', ...opts.certSANs.map((s) => `  - "${s}"`));
  if (opts.externalEtcd === true) {
    lines.push(
      'etcd:',
      '  external:',
      '    endpoints:',
      '    - https://10.0.0.50:2379',
      '    caFile: /etc/kubernetes/pki/etcd-external/ca.crt',
      '    certFile: /etc/kubernetes/pki/etcd-external/client.crt',
      '    keyFile: /etc/kubernetes/pki/etcd-external/client.key',
    );
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}
