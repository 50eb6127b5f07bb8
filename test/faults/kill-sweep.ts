/**
 * The kill sweep for one command: SIGKILL before the K-th call of each fs syscall, then recover
 * with the next kpki command and judge the tree (all-or-nothing per changed set, keys match,
 * leaves chain to a CA of the tree, no temps, no exposed secrets) and that a rerun converges.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import type { FaultCommand } from './fault-commands.js';
import {
  FS_SYSCALLS,
  copyTree,
  countSyscalls,
  killPoints,
  kpkiAsync,
  mapLimit,
  runInjected,
  strayTemps,
} from './kill-harness.js';
import {
  changedPaths,
  cryptoProblems,
  exposedSecrets,
  leftoverState,
  setStates,
  snapshot,
  type Snapshot,
} from './tree-judge.js';

/**
 * Stride for the syscalls made hundreds of times. openat and write are mostly reads and event-loop
 * wake-ups; sampling them keeps the suite within CI time, while every rename, fsync, unlink and
 * mkdir (where the commit protocol lives) is tried.
 */
export const SAMPLE_STRIDE: Readonly<Record<string, number>> = { openat: 12, write: 100 };

/**
 * Stride for calls that fail and so change nothing on disk (mkdir -p meeting an existing
 * directory, an open of a missing file): a kill before one leaves the state a kill after the
 * previous change leaves.
 */
export const FAILED_STRIDE = 4;

/** What the sweep of one command found. */
export interface SweepReport {
  readonly killPoints: number;
  readonly perSyscall: string;
  readonly mixed: number;
  /** Every failure, one line each (mixed outcomes included). */
  readonly failures: readonly string[];
}

/** A clean run of a command: its base tree and snapshot, its changed sets, the check problems either end state has. */
export interface Reference {
  readonly base: string;
  readonly baseSnapshot: Snapshot;
  readonly sets: readonly (readonly string[])[];
  readonly allowedProblems: ReadonlySet<string>;
}

/**
 * Runs the sweep for `command` over `syscalls` (default: all the suite knows; a subset is handy
 * while developing a new entry); prints the `faults <command>: …` line.
 */
export async function sweepCommand(
  command: FaultCommand,
  syscalls: readonly string[] = FS_SYSCALLS,
): Promise<SweepReport> {
  const reference = await referenceRun(command);
  const { counts, failed, precommit } = await countSyscalls(reference.base, command.args, syscalls);
  const strideOf = (syscall: string): number =>
    command.sampleStride?.[syscall] ?? SAMPLE_STRIDE[syscall] ?? 1;
  const precommitStrideOf = (syscall: string): number =>
    (command.precommitStride as Readonly<Record<string, number>> | undefined)?.[syscall] ??
    strideOf(syscall);
  const points = syscalls.flatMap((syscall) =>
    killPoints(counts[syscall] ?? 0, strideOf(syscall), {
      failed: failed[syscall],
      failedStride: Math.max(FAILED_STRIDE, strideOf(syscall)),
      precommit: precommit[syscall],
      precommitStride: precommitStrideOf(syscall),
    }).map((k) => ({ syscall, k })),
  );
  const outcomes = await mapLimit(points, ({ syscall, k }) =>
    killCase(command, reference, syscall, k),
  );
  const killed = outcomes.filter((o) => o.killed);
  const perSyscall = syscalls
    .filter((s) => (counts[s] ?? 0) > 0)
    .map((s) => {
      const tried = killed.filter((o) => o.syscall === s).length;
      const stride = strideOf(s);
      const failing = failed[s]?.size ?? 0;
      const before =
        precommitStrideOf(s) !== stride
          ? [...(precommit[s] ?? [])].filter((k) => !(failed[s]?.has(k) ?? false)).length
          : 0;
      const sampling =
        before > 0
          ? `${stride > 1 ? `every ${ordinal(stride)}` : 'all'} of ${(counts[s] ?? 0) - before - failing} from the commit point on, every ${ordinal(precommitStrideOf(s))} of ${before} before it${failing > 0 ? `, every ${ordinal(Math.max(FAILED_STRIDE, stride))} of ${failing} failing` : ''}`
          : stride > 1
            ? `sampled every ${ordinal(stride)}`
            : failing > 0
              ? `all that succeed, every ${ordinal(FAILED_STRIDE)} of ${failing} failing`
              : 'all';
      return `${s} ${tried} of ${counts[s] ?? 0} ${sampling}`;
    })
    .join(', ');
  const report: SweepReport = {
    killPoints: killed.length,
    perSyscall,
    mixed: killed.filter((o) => o.mixed).length,
    failures: killed.flatMap((o) => o.failures.map((f) => `${o.syscall} #${o.k}: ${f}`)),
  };
  console.log(
    `faults ${command.name}: ${report.killPoints} kill points (${perSyscall}), ${report.mixed} mixed`,
  );
  for (const failure of report.failures.slice(0, 20)) console.log(`  ${failure}`);
  return report;
}

/** Sweeps `command` and fails unless it killed enough points (a sweep that killed almost nothing proves nothing, e.g. strace not injecting) and found no failure. */
export async function assertSweep(command: FaultCommand): Promise<void> {
  const report = await sweepCommand(command);
  const least = command.minKillPoints ?? 40;
  assert.ok(
    report.killPoints >= least,
    `only ${report.killPoints} kill points (at least ${least} expected)`,
  );
  assert.equal(report.mixed, 0, report.failures.join('\n'));
  assert.deepEqual(report.failures, []);
}

/** A clean run: which files it changes (the sets) and which check problems each end state has. */
export async function referenceRun(command: FaultCommand): Promise<Reference> {
  const base = command.setup();
  const baseSnapshot = snapshotOf(command, base);
  const before = copyTree(base);
  const baseProblems = await problemsAfter(command, before);
  const clean = copyTree(base);
  const result = await kpkiAsync(command.args(clean));
  assert.equal(result.status, 0, `clean ${command.name}: ${result.stderr}`);
  const changed = changedPaths(baseSnapshot, snapshotOf(command, clean));
  assert.ok(changed.length >= 2, `clean ${command.name} changed only ${changed.join(', ')}`);
  const cleanProblems = await problemsAfter(command, clean);
  assert.deepEqual(
    treeProblems(command, before),
    [],
    `${command.name} starts from a consistent tree`,
  );
  assert.deepEqual(
    treeProblems(command, clean),
    [],
    `clean ${command.name} leaves a consistent tree`,
  );
  for (const dir of [before, clean]) rmSync(dir, { recursive: true, force: true });
  return {
    base,
    baseSnapshot,
    sets: command.changedSets?.(changed) ?? [changed],
    allowedProblems: new Set([...baseProblems, ...cleanProblems]),
  };
}

/** The tree's snapshot, paths named as the command compares them. */
export function snapshotOf(command: FaultCommand, dir: string): Snapshot {
  return snapshot(dir, command.normalizePath);
}

/** tree-judge's generic crypto checks plus the command's own. */
export function treeProblems(command: FaultCommand, dir: string): string[] {
  return [...cryptoProblems(dir), ...(command.judge?.(dir) ?? [])];
}

/** Runs the inspecting command (which recovers the tree) and returns `check`'s problems, tree path masked. */
async function problemsAfter(command: FaultCommand, dir: string): Promise<string[]> {
  const result = await kpkiAsync(command.inspect(dir));
  if (command.problems) return command.problems(result, dir);
  const report = JSON.parse(result.stdout) as Record<
    string,
    { name: string; problems?: string[] }[] | string
  >;
  const rows = Object.values(report)
    .filter((v) => Array.isArray(v))
    .flat();
  return rows.flatMap((row) =>
    (row.problems ?? []).map((p) => `${row.name}: ${p.split(dir).join('<tree>')}`),
  );
}

interface KillOutcome {
  readonly syscall: string;
  readonly k: number;
  readonly killed: boolean;
  readonly mixed: boolean;
  readonly failures: string[];
}

async function killCase(
  command: FaultCommand,
  reference: Reference,
  syscall: string,
  k: number,
): Promise<KillOutcome> {
  const dir = copyTree(reference.base);
  try {
    const run = await runInjected(dir, command.args, { syscall, k, action: 'signal=SIGKILL' });
    // Past the last call some threads make: the command finished normally, nothing was killed.
    if (run.signal !== 'SIGKILL' && run.status !== 137)
      return { syscall, k, killed: false, mixed: false, failures: [] };
    const failures = exposedSecrets(dir).map((s) => `right after the kill, ${s} exposes a secret`);
    const problems = await problemsAfter(command, dir).catch((error: unknown) => [
      `inspect failed: ${String(error)}`,
    ]);
    const states = setStates(reference.baseSnapshot, snapshotOf(command, dir), reference.sets);
    const inconsistent = [
      ...problems.filter((p) => !reference.allowedProblems.has(p)),
      ...treeProblems(command, dir),
    ];
    const mixed = states.includes('mixed') || inconsistent.length > 0;
    if (mixed) failures.push(`mixed: sets ${states.join(',')}; ${inconsistent.join('; ')}`);
    failures.push(...leftovers(dir, 'after recovery'));
    const rerun = await kpkiAsync(command.args(dir));
    if (!(command.rerunOk ?? ((r) => r.status === 0))(rerun))
      failures.push(`rerun exit ${rerun.status}: ${rerun.stderr.trim()}`);
    const after = setStates(reference.baseSnapshot, snapshotOf(command, dir), reference.sets);
    if (after.some((s) => s !== 'new'))
      failures.push(`rerun did not converge: sets ${after.join(',')}`);
    failures.push(
      ...treeProblems(command, dir).map((p) => `after rerun: ${p}`),
      ...leftovers(dir, 'after rerun'),
    );
    return { syscall, k, killed: true, mixed, failures };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** 2nd, 3rd, 4th, 12th, 21st… */
function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

function leftovers(dir: string, when: string): string[] {
  return [...strayTemps(dir), ...leftoverState(dir), ...exposedSecrets(dir)].map(
    (path) => `${when}: left ${path}`,
  );
}
