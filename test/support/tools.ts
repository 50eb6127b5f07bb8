/** Test helpers: temp dirs, running openssl and the built CLI, hashing a tree to prove "nothing changed". */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, lstatSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** A fresh temporary directory, removed when the test (given its context) or the process ends. */
export { tempDir, tempDirAsync } from './temp-dir.js';

/** Runs a program; returns status and output. */
export function run(
  program: string,
  args: readonly string[],
  input?: string,
): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(program, args, { encoding: 'utf8', input, maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** Runs `openssl` and returns stdout; throws with stderr when it fails. */
export function openssl(args: readonly string[], input?: string): string {
  const result = run('openssl', args, input);
  if (result.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

/** Path of the built CLI bundle (npm test runs after the build in CI; tests build it when missing). */
export const KPKI = join(process.cwd(), 'dist', 'kpki.cjs');

/** Runs the built CLI. */
export function kpki(args: readonly string[]): { status: number; stdout: string; stderr: string } {
  return run(process.execPath, [KPKI, ...args]);
}

/** Writes a file, creating nothing else. */
export function write(path: string, text: string): void {
  writeFileSync(path, text);
}

/** SHA-256 over every file's path, mode and content below `root` (kpki's .kpki state included when asked). */
export function hashTree(root: string, includeState = false): string {
  const hash = createHash('sha256');
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const rel = relative(root, path);
      if (!includeState && rel.split('/')[0] === '.kpki') continue;
      const info = lstatSync(path);
      hash.update(`${rel}\0${info.mode}\0`);
      if (info.isDirectory()) walk(path);
      else if (info.isFile()) hash.update(readFileSync(path));
    }
  };
  walk(root);
  return hash.digest('hex');
}
