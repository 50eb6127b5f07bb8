/**
 * init-kubeadm-rsa / init-kubeadm-ecdsa: wall time of `kpki init` (whole process) against the
 * openssl CLI making the same keys, certificates, kubeconfigs and service-account key.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { alternate, median, timeProcess, type BenchLine } from './measure.js';

const ECDSA_CONFIG =
  'apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nencryptionAlgorithm: ECDSA-P256\n';

/** Runs one init benchmark in `work` and returns its line. */
export async function benchInit(
  work: string,
  kpki: string,
  peerScript: string,
  algorithm: 'rsa' | 'ecdsa',
  runs: number,
): Promise<BenchLine> {
  const config = join(work, 'kubeadm-ecdsa.yaml');
  writeFileSync(config, ECDSA_CONFIG);
  const fresh = (): string => mkdtempSync(join(work, `init-${algorithm}-`));
  const kpkiRun = (): number => {
    const dir = fresh();
    const args = [
      kpki,
      'init',
      '--dir',
      dir,
      '--node-name',
      'n',
      '--apiserver-advertise-address',
      '10.0.0.5',
      ...(algorithm === 'ecdsa' ? ['--config', config] : []),
    ];
    const ms = timeProcess(process.execPath, args);
    rmSync(dir, { recursive: true, force: true });
    return ms;
  };
  const peerRun = (): number => {
    const dir = fresh();
    const ms = timeProcess('bash', [peerScript, dir, algorithm]);
    rmSync(dir, { recursive: true, force: true });
    return ms;
  };
  const { a, b } = await alternate(runs, kpkiRun, peerRun);
  return {
    name: `init-kubeadm-${algorithm}`,
    kpki: median(a),
    peer: median(b),
    unit: 'ms',
    target: algorithm === 'rsa' ? 0.25 : 0.35,
    rule: 'le',
  };
}
