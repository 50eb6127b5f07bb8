/**
 * Fault-injection harness: runs a kpki command under `strace -e inject=SYSCALL:...:when=K`, counts
 * the calls a command makes first, and runs many such cases a few at a time.
 *
 * strace counts `when=K` per syscall and per thread (strace(1), "inject"). Node runs fs/promises
 * calls on libuv's pool threads, so with the default four threads the K-th fsync is a different
 * call in every run and most K never fire. Every traced run therefore gets UV_THREADPOOL_SIZE=1:
 * all async fs calls then come from one thread, in program order, and K names one call.
 */
import { spawn } from 'node:child_process';
import { cpSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { KPKI, tempDir } from '../support/tools.js';

/** Where strace lives; the suite uses the real one, as a user would. */
export const STRACE = '/usr/bin/strace';

/** Every fs-changing syscall the suite knows; a command is swept over those it really makes. */
export const FS_SYSCALLS = [
  'openat',
  'write',
  'fsync',
  'fdatasync',
  'rename',
  'renameat',
  'renameat2',
  'unlink',
  'unlinkat',
  'mkdir',
  'mkdirat',
  'symlink',
  'symlinkat',
] as const;

/** Environment of every traced kpki run (see the file comment). */
export const TRACED_ENV = { ...process.env, UV_THREADPOOL_SIZE: '1' };

/** Result of one child process. */
export interface RunResult {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program without blocking the event loop, so several cases can run at once. */
export function runAsync(
  program: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(program, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status, signal) => resolvePromise({ status, signal, stdout, stderr }));
  });
}

/** Runs the built CLI asynchronously. */
export function kpkiAsync(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunResult> {
  return runAsync(process.execPath, [KPKI, ...args], env);
}

/** How often a command makes a syscall, from a traced run. */
export interface SyscallCounts {
  /** The largest per-thread count: the highest K for which `when=K` can fire. */
  readonly counts: Readonly<Record<string, number>>;
  /** The K (in that thread) whose call failed (e.g. mkdir -p meeting EEXIST): they change nothing. */
  readonly failed: Readonly<Record<string, ReadonlySet<number>>>;
  /** The K (in that thread) whose call names a file or directory of the tree (not a pipe, an eventfd or node itself). */
  readonly inTree: Readonly<Record<string, ReadonlySet<number>>>;
  /**
   * The K (in that thread) made before the first commit point: the rename that puts
   * `.kpki/journal.json` in place (that rename included). A kill at any of them must leave the
   * old files. Empty when the command commits nothing through a journal.
   */
  readonly precommit: Readonly<Record<string, ReadonlySet<number>>>;
}

/** The rename of a journal into place: a store's commit point. */
const JOURNAL_RENAME = /^\d+\s+rename\("[^"]*\/\.kpki\/journal\.json\.tmp"/;

/** Counts the calls of `syscalls` that `args` makes, in a traced run on a throwaway copy of `tree`. */
export async function countSyscalls(
  tree: string,
  args: (dir: string) => string[],
  syscalls: readonly string[],
): Promise<SyscallCounts> {
  const dir = copyTree(tree);
  const out = join(tempDir(), 'strace.txt');
  // rename is always traced: the journal's rename marks the commit point.
  const traced = [...new Set([...syscalls, 'rename'])];
  const result = await runAsync(
    STRACE,
    [
      '-f',
      '-qq',
      '-y',
      '-o',
      out,
      '-e',
      `trace=${traced.join(',')}`,
      process.execPath,
      KPKI,
      ...args(dir),
    ],
    TRACED_ENV,
  );
  if (result.status !== 0)
    throw new Error(`traced run of ${args(dir).join(' ')} failed: ${result.stderr}`);
  const perThread = new Map<
    string,
    { count: number; failed: Set<number>; inTree: Set<number>; precommit: Set<number> }
  >();
  let committed = false;
  for (const line of readFileSync(out, 'utf8').split('\n')) {
    // "1234 fsync(5) = 0", or split in "1234 fsync(5 <unfinished ...>" and "1234 <... fsync resumed>) = 0".
    const started = /^(\d+)\s+([a-z0-9_]+)\(/.exec(line);
    const resumed = /^(\d+)\s+<\.\.\. ([a-z0-9_]+) resumed>/.exec(line);
    const key = started
      ? `${started[1]} ${started[2]}`
      : resumed
        ? `${resumed[1]} ${resumed[2]}`
        : undefined;
    if (key === undefined) continue;
    const entry = perThread.get(key) ?? {
      count: 0,
      failed: new Set<number>(),
      inTree: new Set<number>(),
      precommit: new Set<number>(),
    };
    perThread.set(key, entry);
    if (started) entry.count++;
    if (started && !committed) entry.precommit.add(entry.count);
    if (started && JOURNAL_RENAME.test(line)) committed = true;
    // -y prints an fd with its path, so a write to a tree file reads "write(21</tmp/kpki-fault-…>".
    if (started && line.includes(dir)) entry.inTree.add(entry.count);
    if (/\) += -1 /.test(line) || / = -1 /.test(line)) entry.failed.add(entry.count);
  }
  const counts: Record<string, number> = Object.fromEntries(syscalls.map((s) => [s, 0]));
  const failed: Record<string, ReadonlySet<number>> = {};
  const inTree: Record<string, ReadonlySet<number>> = {};
  const precommit: Record<string, ReadonlySet<number>> = {};
  for (const [key, entry] of perThread) {
    const name = key.split(' ')[1] ?? '';
    if (syscalls.includes(name) && entry.count > (counts[name] ?? 0)) {
      counts[name] = entry.count;
      failed[name] = entry.failed;
      inTree[name] = entry.inTree;
      // No journal rename at all: nothing is known to precede a commit point.
      precommit[name] = committed ? entry.precommit : new Set<number>();
    }
  }
  rmSync(dir, { recursive: true, force: true });
  rmSync(out, { force: true });
  return { counts, failed, inTree, precommit };
}

/** A throwaway copy of a tree (modes and symlinks kept). */
export function copyTree(tree: string): string {
  const dir = tempDir('kpki-fault-');
  cpSync(tree, dir, { recursive: true, verbatimSymlinks: true });
  return dir;
}

/** One strace injection: a SIGKILL or an errno before the K-th call of a syscall. */
export interface Injection {
  readonly syscall: string;
  readonly k: number;
  /** `signal=SIGKILL` or e.g. `error=ENOSPC`. */
  readonly action: string;
}

/** Runs `args` on `dir` with one injection. */
export function runInjected(
  dir: string,
  args: (dir: string) => string[],
  injection: Injection,
): Promise<RunResult> {
  const { syscall, k, action } = injection;
  return runAsync(
    STRACE,
    [
      '-f',
      '-qq',
      '-o',
      '/dev/null',
      '-e',
      `trace=${syscall}`,
      '-e',
      `inject=${syscall}:${action}:when=${k}`,
      process.execPath,
      KPKI,
      ...args(dir),
    ],
    TRACED_ENV,
  );
}

/** Where and how densely {@link killPoints} samples besides its main stride. */
export interface KillPointSampling {
  /** Calls that fail and so change nothing on disk, sampled every `failedStride`-th. */
  readonly failed?: ReadonlySet<number> | undefined;
  readonly failedStride?: number | undefined;
  /** Calls made before the commit point (see SyscallCounts.precommit), sampled every `precommitStride`-th. */
  readonly precommit?: ReadonlySet<number> | undefined;
  readonly precommitStride?: number | undefined;
}

/**
 * The K values to try for a syscall made `count` times: every `stride`-th plus the last one (so
 * the calls nearest the end, where the commit happens, are always tried). Failing calls and, when
 * asked, calls before the commit point are sampled with their own strides, each counted apart.
 */
export function killPoints(
  count: number,
  stride: number,
  sampling: KillPointSampling = {},
): number[] {
  const {
    failed = new Set<number>(),
    failedStride = stride,
    precommit = new Set<number>(),
    precommitStride = stride,
  } = sampling;
  const points: number[] = [];
  let sinceFailed = failedStride;
  let sincePrecommit = precommitStride;
  let sinceOther = stride;
  for (let k = 1; k <= count; k++) {
    if (failed.has(k)) {
      if (sinceFailed++ >= failedStride) {
        sinceFailed = 1;
        points.push(k);
      }
    } else if (precommit.has(k) && precommitStride !== stride) {
      if (sincePrecommit++ >= precommitStride) {
        sincePrecommit = 1;
        points.push(k);
      }
    } else if (sinceOther++ >= stride || k === count) {
      sinceOther = 1;
      points.push(k);
    }
  }
  return points;
}

/**
 * Runs `work` over `items`, `limit` at a time, keeping the order of results. The default is two per
 * core: a traced process spends much of its time stopped in ptrace hand-offs, not on a CPU.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  work: (item: T) => Promise<R>,
  limit = 2 * availableParallelism(),
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Every file below `dir` (outside .kpki) whose name marks it as a kpki temporary. */
export function strayTemps(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (entry.name === '.kpki') continue;
      if (entry.isDirectory()) walk(join(d, entry.name));
      else if (entry.name.includes('.kpki-tmp-')) found.push(join(d, entry.name));
    }
  };
  walk(dir);
  return found;
}
