/**
 * Temporary directories for tests, removed when the test that asks for them ends (given its
 * context) or else when the test file's process exits, pass or fail: they hold private keys.
 * A run killed before either is cleaned by scripts/run-tests.mjs, which points TMPDIR at a
 * directory of its own for the whole run and removes it (and those of dead runs) itself.
 */
import { chmodSync, lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What `tempDir` needs of a node:test context: a hook run when the test ends. */
export interface TestEnd {
  after(fn: () => void): void;
}

const open = new Set<string>();
process.on('exit', () => {
  for (const dir of open) removeTree(dir);
});

/**
 * Removes `dir` and everything below it, whatever modes a test left on it (a directory a test
 * made unreadable is opened up first). Never throws: a removal that fails is reported by the
 * run's leftover check instead.
 */
export function removeTree(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {
    try {
      openUp(dir);
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // left for scripts/run-tests.mjs to name
    }
  }
}

function openUp(path: string): void {
  const info = lstatSync(path);
  if (!info.isDirectory()) return;
  chmodSync(path, 0o700);
  for (const name of readdirSync(path)) openUp(join(path, name));
}

function track(dir: string, owner: TestEnd | undefined): string {
  open.add(dir);
  owner?.after(() => {
    removeTree(dir);
    open.delete(dir);
  });
  return dir;
}

/**
 * A fresh directory `<os.tmpdir()>/<prefix>XXXXXX`, removed when `owner` (a node:test context)
 * ends or, without one, when the process exits.
 */
export function tempDir(prefix = 'kpki-test-', owner?: TestEnd): string {
  return track(mkdtempSync(join(tmpdir(), prefix)), owner);
}

/** {@link tempDir} without blocking the event loop. */
export async function tempDirAsync(prefix = 'kpki-test-', owner?: TestEnd): Promise<string> {
  return track(await mkdtemp(join(tmpdir(), prefix)), owner);
}
