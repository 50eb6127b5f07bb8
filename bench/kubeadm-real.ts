/**
 * kubeadm-real-*: kpki against the real kubeadm (built by `npm run peers`), whole processes,
 * medians of alternating runs:
 *   init   `kpki init --config C`       vs `kubeadm init phase certs all && kubeadm init phase kubeconfig all --config C`
 *   check  `kpki check --config C`      vs `kubeadm certs check-expiration --config C`
 *   renew  `kpki renew all --config C`  vs `kubeadm certs renew all --config C`
 * for RSA-2048 and ECDSA-P256. kubeadm only writes /etc/kubernetes, so each kubeadm run is one
 * `unshare -m` with the tree bind-mounted there (a few ms, counted on kubeadm's side).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { alternate, median, timeProcess, type BenchLine } from './measure.js';

const root = join(import.meta.dirname, '..');

/** The kubeadm `npm run peers` built, or undefined when it is not there. */
export function realKubeadm(): { path: string; version: string } | undefined {
  const mod = readFileSync(join(root, 'peers/k8s/go.mod'), 'utf8');
  const version = /^(?:require |\t)k8s\.io\/kubernetes (v[0-9.]+)/m.exec(mod)?.[1];
  if (version === undefined) return undefined;
  const path = join(
    process.env.KPKI_PEERS_DIR ?? join(homedir(), '.cache/kpki-peers', version),
    'kubeadm',
  );
  return existsSync(path) && existsSync('/usr/bin/unshare') ? { path, version } : undefined;
}

function config(version: string, algorithm: 'rsa' | 'ecdsa'): string {
  return [
    'apiVersion: kubeadm.k8s.io/v1beta4',
    'kind: InitConfiguration',
    'localAPIEndpoint: {advertiseAddress: 10.0.0.5, bindPort: 6443}',
    'nodeRegistration: {name: cp1, criSocket: "unix:///var/run/containerd/containerd.sock"}',
    '---',
    'apiVersion: kubeadm.k8s.io/v1beta4',
    'kind: ClusterConfiguration',
    `kubernetesVersion: ${version}`,
    ...(algorithm === 'ecdsa' ? ['encryptionAlgorithm: ECDSA-P256'] : []),
    '',
  ].join('\n');
}

/** Runs `kubeadm` commands (joined with &&) with `tree` mounted on /etc/kubernetes. */
function kubeadmArgs(kubeadm: string, tree: string, commands: readonly string[][]): string[] {
  // One shell line, each word single-quoted.
  const line = commands
    .map((c) => [kubeadm, ...c].map((w) => `'${w.replaceAll("'", "'\\''")}'`).join(' '))
    .join(' && ');
  return [
    '-m',
    'sh',
    '-c',
    `mount --make-rprivate / && mount --bind "$1" /etc/kubernetes && ${line}`,
    'sh',
    tree,
  ];
}

/** The six kubeadm-real lines for `kpki` (dist/kpki.cjs) in `work`. */
export async function benchKubeadmReal(
  work: string,
  kpki: string,
  runs: number,
): Promise<BenchLine[]> {
  const real = realKubeadm();
  if (real === undefined) return [];
  mkdirSync('/etc/kubernetes', { recursive: true });
  const lines: BenchLine[] = [];
  for (const algorithm of ['rsa', 'ecdsa'] as const) {
    const cfg = join(work, `kubeadm-real-${algorithm}.yaml`);
    writeFileSync(cfg, config(real.version, algorithm));
    const fresh = (): string => mkdtempSync(join(work, `real-${algorithm}-`));
    const kpkiInit = (dir: string): number =>
      timeProcess(process.execPath, [
        kpki,
        'init',
        '--layout',
        'kubeadm',
        '--dir',
        dir,
        '--config',
        cfg,
      ]);
    const kubeadmInit = (dir: string): number =>
      timeProcess(
        'unshare',
        kubeadmArgs(real.path, dir, [
          ['init', 'phase', 'certs', 'all', '--config', cfg],
          ['init', 'phase', 'kubeconfig', 'all', '--config', cfg],
        ]),
      );
    const once = (make: (dir: string) => number) => (): number => {
      const dir = fresh();
      try {
        return make(dir);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };
    const init = await alternate(runs, once(kpkiInit), once(kubeadmInit));
    lines.push({
      name: `kubeadm-real-init-${algorithm}`,
      kpki: median(init.a),
      peer: median(init.b),
      unit: 'ms',
      target: 1,
      rule: 'le',
      note: `kpki init vs kubeadm ${real.version} init phase certs all + kubeconfig all`,
    });

    // check and renew work on one tree each side made by kpki, the same for both commands.
    const tree = fresh();
    kpkiInit(tree);
    const check = await alternate(
      runs,
      () => timeProcess(process.execPath, [kpki, 'check', '--dir', tree, '--config', cfg]),
      () =>
        timeProcess(
          'unshare',
          kubeadmArgs(real.path, tree, [['certs', 'check-expiration', '--config', cfg]]),
        ),
    );
    lines.push({
      name: `kubeadm-real-check-${algorithm}`,
      kpki: median(check.a),
      peer: median(check.b),
      unit: 'ms',
      target: 1,
      rule: 'le',
      note: `kpki check vs kubeadm certs check-expiration on one kpki tree`,
    });
    const renew = await alternate(
      runs,
      () => timeProcess(process.execPath, [kpki, 'renew', 'all', '--dir', tree, '--config', cfg]),
      () =>
        timeProcess(
          'unshare',
          kubeadmArgs(real.path, tree, [['certs', 'renew', 'all', '--config', cfg]]),
        ),
    );
    lines.push({
      name: `kubeadm-real-renew-${algorithm}`,
      kpki: median(renew.a),
      peer: median(renew.b),
      unit: 'ms',
      target: 1,
      rule: 'le',
      note: `kpki renew all vs kubeadm certs renew all, alternating on one tree (kpki's run includes its backup)`,
    });
    rmSync(tree, { recursive: true, force: true });
  }
  return lines;
}
