/** The FileTimes port on a directory tree: nanosecond mtimes, with the tree store's path rules. */
import { lstat } from 'node:fs/promises';
import type { FileTimes } from '../ops/shared/ports.js';
import { resolveInTree } from './tree-paths.js';

/** mtimes of files under `root`; a missing path (or one under a non-directory) reads as undefined. */
export function openFileTimes(root: string): FileTimes {
  return {
    async mtimeNs(path: string): Promise<bigint | undefined> {
      const absolute = resolveInTree(root, path);
      try {
        return (await lstat(absolute, { bigint: true })).mtimeNs;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
        throw error;
      }
    },
  };
}
