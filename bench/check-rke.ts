/**
 * check-rke-1000: kpki's check core on a generated RKE1 state of 1,000 nodes against the ceiling
 * of parsing the same certificates with node's X509Certificate in one loop; plus peak memory.
 * Until the RKE1 layout is on main, this measures the core (pki/bulk-check) in its own process,
 * not `kpki check --config cluster.yml -o json`; swap the child for the CLI once it lands.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { build } from 'esbuild';
import { alternate, median, type BenchLine } from './measure.js';
import { writeRkeState } from './rke-state.js';

interface ChildResult { certs: number; ms: number; maxRssMb: number }

/** Runs the benchmark; returns the throughput line and the memory line. */
export async function benchCheckRke(work: string, nodes: number, runs: number): Promise<BenchLine[]> {
  const state = join(work, 'cluster.rkestate');
  const count = await writeRkeState(state, nodes);
  const child = join(work, 'check-rke-child.cjs');
  await build({ entryPoints: [join(import.meta.dirname, 'check-rke-child.ts')], outfile: child, bundle: true, platform: 'node', format: 'cjs', target: 'node20', minify: true, logLevel: 'warning' });
  const results: Record<'kpki' | 'ceiling', ChildResult[]> = { kpki: [], ceiling: [] };
  const run = (mode: 'kpki' | 'ceiling') => (): number => {
    const result = JSON.parse(execFileSync(process.execPath, [child, mode, state], { encoding: 'utf8' })) as ChildResult;
    if (result.certs !== count) throw new Error(`${mode} saw ${result.certs} certificates, expected ${count}`);
    results[mode].push(result);
    return result.certs / (result.ms / 1000);
  };
  const { a, b } = await alternate(runs, run('kpki'), run('ceiling'));
  const memory = (mode: 'kpki' | 'ceiling'): number => Math.max(...results[mode].map((r) => r.maxRssMb));
  return [
    { name: 'check-rke-1000', kpki: median(a), peer: median(b), unit: 'certs/s', target: 0.5, rule: 'ge', note: `${nodes} nodes, ${count} certificates; kpki = check core (pki/bulk-check) until the RKE1 layout lands, not yet the CLI` },
    { name: 'check-rke-1000-memory', kpki: memory('kpki'), peer: memory('ceiling'), unit: 'MB', target: 200, rule: 'max', note: 'peak RSS of the process; target is kpki <= 200 MB' },
  ];
}
