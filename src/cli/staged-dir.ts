/** Reading a staged directory (`rotate-ca --path`): what is there, and a clear error for what cannot be read. */
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { FileAccessError } from '../errors.js';
import type { StagedSource } from '../ops/rke2/rotate-ca.js';
import { readBoundedFile } from '../stores/bounded-read.js';
import { openFileTimes } from '../stores/file-times.js';

/**
 * Opens `path` as a staged directory. A file that does not exist reads as undefined (not staged);
 * any other failure (permissions, a directory where a file belongs, a FIFO or device, a file over
 * the PEM limit, I/O) is an error naming it, the bounded reader's error as its cause.
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
        // Staged CA files and keys: PEM-sized, regular files only (never a FIFO or /dev/zero).
        return await readBoundedFile(join(root, file), 'pem');
      } catch (error) {
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
