/**
 * check-rke-1000: on a generated RKE1 state of 1,000 nodes, against the ceiling of parsing every
 * certificate of the file with node's X509Certificate in one loop:
 *   check-rke-1000       kpki's check core (pki/bulk-check) in its own process, in-process time;
 *   check-rke-1000-cli   `kpki check --config cluster.yml -o json`, whole process, against the
 *                        ceiling as a whole process too (the RKE1 layout landed on main meanwhile);
 *   check-rke-1000-memory peak RSS of the CLI run (target: at most 200 MB).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { alternate, median, timeProcess, type BenchLine } from './measure.js';
import { clusterYaml, writeRkeState } from './rke-state.js';

interface ChildResult {
  certs: number;
  ms: number;
  maxRssMb: number;
}

/** Runs the benchmark; returns the throughput line and the memory line. */
export async function benchCheckRke(
  work: string,
  kpki: string,
  nodes: number,
  runs: number,
): Promise<BenchLine[]> {
  const state = join(work, 'cluster.rkestate');
  const count = await writeRkeState(state, nodes);
  const child = join(work, 'check-rke-child.cjs');
  await build({
    entryPoints: [join(import.meta.dirname, 'check-rke-child.ts')],
    outfile: child,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: true,
    logLevel: 'warning',
  });
  const results: Record<'kpki' | 'ceiling', ChildResult[]> = { kpki: [], ceiling: [] };
  const run = (mode: 'kpki' | 'ceiling') => (): number => {
    const result = JSON.parse(
      execFileSync(process.execPath, [child, mode, state], { encoding: 'utf8' }),
    ) as ChildResult;
    if (result.certs !== count)
      throw new Error(`${mode} saw ${result.certs} certificates, expected ${count}`);
    results[mode].push(result);
    return result.certs / (result.ms / 1000);
  };
  const { a, b } = await alternate(runs, run('kpki'), run('ceiling'));
  const cli = await benchCli(work, kpki, child, state, nodes, runs);
  return [
    {
      name: 'check-rke-1000',
      kpki: median(a),
      peer: median(b),
      unit: 'certs/s',
      target: 0.5,
      rule: 'ge',
      note: `${nodes} nodes, ${count} certificates; kpki = check core (pki/bulk-check), in-process time`,
    },
    ...cli,
  ];
}

/** The CLI on the same state: whole-process times (ceiling over all certificates, so ratio of times ≤ 2 ⇔ ≥ 50 %). */
async function benchCli(
  work: string,
  kpki: string,
  child: string,
  state: string,
  nodes: number,
  runs: number,
): Promise<BenchLine[]> {
  const config = join(work, 'cluster.yml');
  writeFileSync(config, clusterYaml(nodes));
  let peakMb = 0;
  // Preloaded into kpki: reports the process's own peak RSS on exit (node has no getrusage of children).
  const peak = join(work, 'report-peak-rss.cjs');
  writeFileSync(
    peak,
    'process.on("exit",()=>require("fs").writeSync(2,"\\nkpki-max-rss-kb="+process.resourceUsage().maxRSS+"\\n"));',
  );
  const cliRun = (): number => {
    const start = process.hrtime.bigint();
    const result = spawnSync(
      process.execPath,
      ['--require', peak, kpki, 'check', '--config', config, '-o', 'json'],
      { cwd: work, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0)
      throw new Error(`kpki check --config failed (${String(result.status)}): ${result.stderr}`);
    const kb = /kpki-max-rss-kb=(\d+)/.exec(result.stderr)?.[1];
    if (kb === undefined) throw new Error('kpki did not report its peak RSS');
    peakMb = Math.max(peakMb, Number(kb) / 1024);
    return ms;
  };
  const ceilingRun = (): number => timeProcess(process.execPath, [child, 'ceiling', state]);
  const { a, b } = await alternate(runs, cliRun, ceilingRun);
  return [
    {
      name: 'check-rke-1000-cli',
      kpki: median(a),
      peer: median(b),
      unit: 'ms',
      target: 2,
      rule: 'le',
      note: 'kpki check --config cluster.yml -o json vs a node process parsing every certificate of the state with X509Certificate; both whole processes',
    },
    {
      name: 'check-rke-1000-memory',
      kpki: peakMb,
      peer: 200,
      unit: 'MB',
      target: 200,
      rule: 'max',
      note: 'peak RSS of kpki check --config (peer column = the 200 MB budget)',
    },
  ];
}
