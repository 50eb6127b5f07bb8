/**
 * Kill-at-every-step harness: runs a kpki command under `strace -e inject=SYSCALL:signal=SIGKILL:when=K`
 * for every K up to the number of calls of that syscall the command makes, then lets the next kpki
 * command recover the tree and hands the result to a judge.
 */
import { cpSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { KPKI, run, tempDir } from '../support/tools.js';

/** How many times `args` calls each syscall (a traced run on a throwaway copy of `tree`). */
export function countSyscalls(tree: string, args: (dir: string) => string[], syscalls: readonly string[]): Record<string, number> {
  const dir = copyTree(tree);
  const out = join(tempDir(), 'strace.txt');
  const result = run('strace', ['-f', '-qq', '-c', '-o', out, '-e', `trace=${syscalls.join(',')}`, process.execPath, KPKI, ...args(dir)]);
  if (result.status !== 0) throw new Error(`traced run failed: ${result.stderr}`);
  const counts: Record<string, number> = {};
  for (const line of readFileSync(out, 'utf8').split('\n')) {
    const cols = line.trim().split(/\s+/);
    const name = cols[cols.length - 1] ?? '';
    if (syscalls.includes(name)) counts[name] = Number(cols[3]);
  }
  rmSync(dir, { recursive: true, force: true });
  return counts;
}

/** A throwaway copy of a tree. */
export function copyTree(tree: string): string {
  const dir = tempDir('kpki-kill-');
  cpSync(tree, dir, { recursive: true });
  return dir;
}

/** Runs `args` on a copy of `tree`, killed before the K-th call of `syscall`; returns the copy. */
export function runKilledAt(tree: string, args: (dir: string) => string[], syscall: string, k: number): { dir: string; killed: boolean } {
  const dir = copyTree(tree);
  const result = run('strace', ['-f', '-qq', '-o', '/dev/null', '-e', `trace=${syscall}`, '-e', `inject=${syscall}:signal=SIGKILL:when=${k}`, process.execPath, KPKI, ...args(dir)]);
  return { dir, killed: result.status !== 0 };
}

/** Every file below `dir` whose name marks it as a kpki temporary. */
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
