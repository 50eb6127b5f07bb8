/** Small durable-write helpers: fsync of files and directories, exclusive creation with a mode. */
import { open, type FileHandle } from 'node:fs/promises';

/** fsyncs a directory so that renames and unlinks in it survive a crash. */
export async function syncDir(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Creates `path` exclusively with `mode` from the first byte (fchmod defeats the umask), writes
 * `data`, sets its mtime (and atime) when given, and fsyncs it. Fails if the path exists (a planted file or link is never written through).
 */
export async function writeNewFile(path: string, data: Uint8Array, mode: number, mtime?: Date): Promise<void> {
  const handle: FileHandle = await open(path, 'wx', mode & 0o600);
  try {
    await handle.chmod(mode);
    await handle.writeFile(data);
    // Set before the fsync so the time is as durable as the bytes; rename keeps it.
    if (mtime !== undefined) await handle.utimes(mtime, mtime);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
