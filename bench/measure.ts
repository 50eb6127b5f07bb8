/**
 * Measuring helpers for the benchmarks: alternating runs, medians, whole-process timing and the
 * one-line report format of issue 8.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Runs `a` and `b` alternately (`runs` times each, after one warm-up of each), so load changes on
 * a shared machine hit both sides alike. Returns the measurements of each side.
 */
export async function alternate(
  runs: number,
  a: () => Promise<number> | number,
  b: () => Promise<number> | number,
): Promise<{ a: number[]; b: number[] }> {
  await a();
  await b();
  const out = { a: [] as number[], b: [] as number[] };
  for (let i = 0; i < runs; i++) {
    // Start with the other side every second round, so neither always runs right after the other.
    if (i % 2 === 0) {
      out.a.push(await a());
      out.b.push(await b());
    } else {
      out.b.push(await b());
      out.a.push(await a());
    }
  }
  return out;
}

/**
 * Wall time of one whole process in milliseconds (spawn to exit).
 * @throws Error when the process fails (exit code not in `okCodes`), with its stderr.
 */
export function timeProcess(
  command: string,
  args: readonly string[],
  options: SpawnSyncOptions = {},
  okCodes: readonly number[] = [0],
): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], ...options });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.error || !okCodes.includes(result.status ?? -1)) {
    throw new Error(
      `${command} ${args.join(' ')} failed (${String(result.status)}): ${result.error?.message ?? String(result.stderr)}`,
    );
  }
  return ms;
}

/** One benchmark result line. `better` says whether a lower or a higher value is better. */
export interface BenchLine {
  readonly name: string;
  readonly kpki: number;
  readonly peer: number;
  readonly unit: string;
  readonly target: number;
  /**
   * `le`: ratio must be ≤ target (times); `ge`: ratio must be ≥ target (rates); `lt`: strictly
   * below; `max`: kpki's own value must be ≤ target (an absolute budget, e.g. memory).
   */
  readonly rule: 'le' | 'ge' | 'lt' | 'max';
  /** Extra context printed on a second, indented line (what was measured). */
  readonly note?: string;
}

function format(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

/**
 * `bench <name>: kpki=<v><u> peer=<v><u> ratio=<kpki/peer> target=<t> <ok|MISS>`; with
 * `judged: false` (a loaded machine) the verdict is `unjudged` instead: the numbers are printed,
 * but a ratio taken while other work competes for the cores says nothing about the target.
 */
export function formatLine(line: BenchLine, judged = true): string {
  const ratio = line.kpki / line.peer;
  const checks = {
    le: ratio <= line.target,
    ge: ratio >= line.target,
    lt: ratio < line.target,
    max: line.kpki <= line.target,
  };
  const ok = checks[line.rule];
  const target =
    line.rule === 'max'
      ? `kpki<=${line.target}${line.unit}`
      : `${{ le: '<=', ge: '>=', lt: '<' }[line.rule]}${line.target}`;
  return `bench ${line.name}: kpki=${format(line.kpki)}${line.unit} peer=${format(line.peer)}${line.unit} ratio=${ratio.toFixed(3)} target=${target} ${judged ? (ok ? 'ok' : 'MISS') : 'unjudged'}`;
}
