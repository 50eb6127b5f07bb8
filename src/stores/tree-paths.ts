/**
 * Path safety for the tree store: every path a command names must stay inside the tree, and a
 * symlink planted inside the tree must never lead a write (or a read) outside it.
 */
import { lstat, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { InvalidInputError } from '../errors.js';

/** Directory (under the tree root) where kpki keeps its lock, journal and backups. */
export const STATE_DIR = '.kpki';

/**
 * Resolves a tree-relative path to an absolute one.
 * @throws InvalidInputError `BAD_PATH` for absolute paths, `..` segments, NUL bytes or paths into
 *   kpki's own state directory.
 */
export function resolveInTree(root: string, path: string): string {
  const parts = path.split('/');
  if (path === '' || isAbsolute(path) || path.includes('\0') || parts.some((part) => part === '..' || part === '')) {
    throw new InvalidInputError('BAD_PATH', `"${path}" is not a relative path inside the tree "${root}"`);
  }
  if (parts[0] === STATE_DIR) throw new InvalidInputError('BAD_PATH', `"${path}" is inside kpki's state directory`);
  return join(root, ...parts);
}

/**
 * Throws when any existing ancestor directory of `absolute` (below the root) resolves outside the
 * root, i.e. a directory symlink would carry the write elsewhere. The final component may be a
 * symlink: it is replaced by rename, never written through.
 */
export async function assertStaysInTree(root: string, absolute: string): Promise<void> {
  const realRoot = await realpath(root);
  let dir = dirname(absolute);
  while (dir.length > root.length) {
    const info = await lstat(dir).catch(() => undefined);
    if (info) {
      const real = await realpath(dir);
      const rel = relative(realRoot, real);
      if (rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) {
        throw new InvalidInputError('BAD_PATH', `"${relative(root, absolute)}" would leave the tree "${root}" through a symlink`);
      }
      return;
    }
    dir = dirname(dir);
  }
}
