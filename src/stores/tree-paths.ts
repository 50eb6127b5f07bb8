/**
 * Path safety for the tree store: every path a command names must stay inside the tree, and a
 * symlink planted inside the tree must never lead a write (or a read) outside it.
 */
import { lstat, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import { InvalidInputError } from '../errors.js';
import type { ChangeSet, RestoreModes } from '../ops/shared/ports.js';

/** Directory (under the tree root) where kpki keeps its lock, journal and backups. */
export const STATE_DIR = '.kpki';

/** Marker in the name of every temporary file a commit writes beside its target. */
export const TEMP_MARK = '.kpki-tmp-';

/**
 * Resolves a tree-relative path to an absolute one. Pure: touches no file.
 * @throws InvalidInputError `BAD_PATH` for empty or absolute paths, `.`/`..`/empty segments, NUL
 *   bytes, backslashes, or paths into kpki's own state directory.
 */
export function resolveInTree(root: string, path: string): string {
  const parts = path.split('/');
  // `.` is refused too: "." alone would name the root itself, whose temp would land in its parent.
  if (
    path === '' ||
    isAbsolute(path) ||
    path.includes('\0') ||
    path.includes('\\') ||
    parts.some((part) => part === '..' || part === '.' || part === '')
  ) {
    throw new InvalidInputError(
      'BAD_PATH',
      `"${printable(path)}" is not a relative path inside the tree "${root}"`,
    );
  }
  if (parts[0] === STATE_DIR)
    throw new InvalidInputError('BAD_PATH', `"${path}" is inside kpki's state directory`);
  return join(root, ...parts);
}

/**
 * Checks the paths of a change set without touching the disk: each valid, none named twice.
 * @throws InvalidInputError `BAD_PATH` for an invalid path, `DUPLICATE_PATH` for a path written or
 *   deleted twice (the outcome would depend on order).
 */
export function checkChangePaths(root: string, change: ChangeSet): void {
  const seen = new Set<string>();
  for (const path of [...change.writes.map((w) => w.path), ...change.deletes]) {
    resolveInTree(root, path);
    if (seen.has(path))
      throw new InvalidInputError(
        'DUPLICATE_PATH',
        `"${path}" appears twice in one change to "${root}"`,
      );
    seen.add(path);
  }
}

/**
 * Checks that a commit can land at `absolute` (below `root`): no existing ancestor resolves outside
 * the root through a symlink, and the target itself is not a directory (a rename over a directory
 * would fail after the commit point and wedge every later run). The final component may be a
 * symlink: it is replaced by rename, never written through.
 * @throws InvalidInputError `BAD_PATH`.
 */
export async function assertSafeTarget(root: string, absolute: string): Promise<void> {
  const rel = relative(root, absolute);
  const target = await lstat(absolute).catch(() => undefined);
  if (target?.isDirectory())
    throw new InvalidInputError(
      'BAD_PATH',
      `"${rel}" in the tree "${root}" is a directory, not a file`,
    );
  const realRoot = await realpath(root);
  let dir = dirname(absolute);
  while (dir.length > root.length) {
    if (await lstat(dir).catch(() => undefined)) {
      if (!isInside(realRoot, await realpath(dir))) {
        throw new InvalidInputError(
          'BAD_PATH',
          `"${rel}" would leave the tree "${root}" through a symlink`,
        );
      }
      return;
    }
    dir = dirname(dir);
  }
}

/** True when `real` is `realRoot` or below it (both already resolved). */
export function isInside(realRoot: string, real: string): boolean {
  const rel = relative(realRoot, real);
  return !(rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel));
}

/** The temp name beside `target` for transaction `txid`: hidden, and sorted next to its target. */
export function tempPathFor(target: string, txid: string): string {
  return join(dirname(target), `.${basename(target)}${TEMP_MARK}${txid}`);
}

/** A path made safe to quote in a message (NUL and control bytes escaped). */
function printable(path: string): string {
  return JSON.stringify(path).slice(1, -1);
}

/**
 * The mode a rollback writes `path` with: the catalogue's (never setuid, setgid, sticky or
 * group/other write, whatever it says).
 * @throws InvalidInputError `BAD_BACKUP` when the catalogue does not know the path.
 */
export function restoreModeOf(modeOf: RestoreModes, path: string, backupId: string): number {
  const mode = modeOf(path);
  if (mode === undefined)
    throw new InvalidInputError(
      'BAD_BACKUP',
      `the backup "${backupId}" names "${path}", which is not a file of this tree's catalogue; refusing to restore it`,
      { hint: 'inspect the backup; kpki only ever backs up the files it manages' },
    );
  return mode & 0o755;
}
