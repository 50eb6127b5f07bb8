/**
 * `npm run bench`: the four benchmarks of issue 8, each against a peer measured in the same run
 * (medians of alternating runs after a warm-up), one line each on stdout:
 *   bench <name>: kpki=<v><u> peer=<v><u> ratio=<kpki/peer> target=<t> <ok|MISS|unjudged>
 * What each line measured goes to stderr. When the 1-minute load average at the start is above
 * the core count the lines say `unjudged`: the figures are printed, the verdicts are not. Expects `npm run build` first (the script does it).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchCheckRke } from './check-rke.js';
import { benchColdCheck } from './cold-check.js';
import { benchInit } from './init-kubeadm.js';
import { benchIssueLeaf } from './issue-leaf.js';
import { benchKubeadmReal, realKubeadm } from './kubeadm-real.js';
import { formatLine, type BenchLine } from './measure.js';

const RUNS = 5;
const root = join(import.meta.dirname, '..');
const kpki = join(root, 'dist/kpki.cjs');
const peerScript = join(root, 'bench/peers/kubeadm-openssl.sh');

const cores = cpus().length;
const startLoad = loadavg()[0] ?? 0;
const judged = startLoad <= cores;

function report(line: BenchLine): void {
  console.log(formatLine(line, judged));
  if (line.note !== undefined) console.error(`  (${line.name}: ${line.note})`);
}

async function main(): Promise<void> {
  if (!existsSync(kpki)) throw new Error(`${kpki} is missing: run npm run build first`);
  const work = mkdtempSync(join(tmpdir(), 'kpki-bench-'));
  const started = Date.now();
  console.error(
    `kpki bench: ${cores} cores, ${cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}, OpenSSL ${process.versions.openssl}; ${RUNS} alternating runs per side after a warm-up; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} at start`,
  );
  if (!judged)
    console.error(
      `kpki bench: load ${startLoad.toFixed(2)} is above ${cores} cores, so no line gets a verdict (figures only)`,
    );
  try {
    report(await benchInit(work, kpki, peerScript, 'rsa', RUNS));
    report(await benchInit(work, kpki, peerScript, 'ecdsa', RUNS));
    report(await benchIssueLeaf(3000, RUNS));
    for (const line of await benchCheckRke(work, kpki, 1000, RUNS)) report(line);
    for (const line of await benchColdCheck(work, kpki, 2 * RUNS)) report(line);
    // Against the real kubeadm only where `npm run peers` built it.
    if (realKubeadm() === undefined)
      console.log('bench kubeadm-real: skipped, peers not built (npm run peers)');
    else for (const line of await benchKubeadmReal(work, kpki, RUNS)) report(line);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  console.error(`kpki bench: done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

await main();
