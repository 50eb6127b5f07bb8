/** Reading a staged directory (`rotate-ca --path`): what is there, and a clear error for what cannot be read. */
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { FileAccessError } from '../errors.js';
import type { StagedSource } from '../ops/rke2/rotate-ca.js';
import { openFileTimes } from '../stores/file-times.js';

/**
 * Opens `path` as a staged directory. A file that does not exist reads as undefined (not staged);
 * any other failure (permissions, a directory where a file belongs, I/O) is an error naming it.
 * @throws FileAccessError `UNREADABLE` when `path` is not a readable directory.
 */
export async function openStagedDir(path: string): Promise<StagedSource> {
  const root = resolve(path);
  const info = await stat(root).catch((error: unknown) => {
    throw new FileAccessError('UNREADABLE', `cannot read the staged directory "${root}"`, {
      cause: error,
    });
  });
  if (!info.isDirectory())
    throw new FileAccessError('UNREADABLE', `the staged directory "${root}" is not a directory`);
  const times = openFileTimes(root);
  return {
    where: root,
    read: async (file) => {
      try {
        return new Uint8Array(await readFile(join(root, file)));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new FileAccessError(
          'UNREADABLE',
          `cannot read the staged file "${join(root, file)}"`,
          { cause: error },
        );
      }
    },
    mtimeNs: (file) => times.mtimeNs(file),
  };
}
