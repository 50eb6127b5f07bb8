/**
 * Runs only the kubeadm-real benchmarks (`node --import tsx bench/kubeadm-real-run.ts` after
 * `npm run build` and `npm run peers`); `npm run bench` runs them too, after the others.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchKubeadmReal, realKubeadm } from './kubeadm-real.js';
import { formatLine } from './measure.js';

const kpki = join(import.meta.dirname, '..', 'dist/kpki.cjs');
if (realKubeadm() === undefined) {
  console.log('bench kubeadm-real: skipped, peers not built (npm run peers)');
} else {
  const work = mkdtempSync(join(tmpdir(), 'kpki-bench-real-'));
  try {
    for (const line of await benchKubeadmReal(
      work,
      kpki,
      Number(process.env.KPKI_BENCH_RUNS ?? 5),
    )) {
      console.log(formatLine(line));
      if (line.note !== undefined) console.error(`  (${line.name}: ${line.note})`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
