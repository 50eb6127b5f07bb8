/**
 * The RKE1 commands that change a cluster directory, as fault-suite entries: `rotate` (every
 * service) and `rotate --rotate-ca`. Both rewrite `cluster.rkestate` and the admin kubeconfig
 * beside it in one commit; the judge reads the certificates inside the state file.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kpki, tempDir } from '../support/tools.js';
import type { FaultCommand } from './fault-commands.js';
import { rkeStateProblems } from './layout-judges.js';

/** One node with every role: the smallest cluster that has every certificate RKE makes. */
const CLUSTER_YML =
  'cluster_name: faults\nnodes:\n  - address: 10.0.0.10\n    hostname_override: cp-1\n    role: [controlplane, etcd, worker]\n';

/** A cluster directory initialised by `kpki init --layout rke`. */
function rkeCluster(): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'cluster.yml'), CLUSTER_YML);
  const result = kpki(['init', '--layout', 'rke', '--dir', dir]);
  assert.equal(result.status, 0, `setup init --layout rke: ${result.stderr}`);
  return dir;
}

/** The RKE1 entries. */
export function rkeFaultCommands(): FaultCommand[] {
  const rotate = (dir: string): string[] => ['rotate', '--layout', 'rke', '--dir', dir];
  const common = {
    setup: rkeCluster,
    inspect: (dir: string): string[] => ['check', '--layout', 'rke', '--dir', dir, '-o', 'json'],
    judge: (dir: string): string[] => rkeStateProblems(dir),
    // The whole commit is two files (the state and the admin kubeconfig): rotate makes only 31
    // fs-changing calls (16 fsync, 5 rename, 4 unlink, 6 mkdir), each tried, plus the sampled
    // openat/write; every run makes RSA-2048 keys, so the samples are not made denser.
    minKillPoints: 30,
  } as const;
  return [
    { name: 'rke rotate', args: rotate, ...common },
    { name: 'rke rotate --rotate-ca', args: (dir) => [...rotate(dir), '--rotate-ca'], ...common },
  ];
}
