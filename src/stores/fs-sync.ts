/** Small durable-write helpers: fsync of files and directories, exclusive creation with a mode. */
import { constants, open, rename, rm } from 'node:fs/promises';

/** fsyncs a directory (opened read-only) so that renames and unlinks in it survive a crash. */
export async function syncDir(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Ownership to give a new file, e.g. that of the file it replaces. */
export interface FileOwner {
  readonly uid: number;
  readonly gid: number;
}

/**
 * Creates `path` exclusively (O_CREAT|O_EXCL|O_NOFOLLOW, so a planted file or link is never
 * written through), with at most 0600 at creation and then exactly `mode` by fchmod before any
 * byte is written (the umask cannot widen or narrow it), writes `data` and fsyncs it. With
 * `owner`, it is chowned first when the process may; a refusal (not root) keeps the caller's.
 * With `mtime`, the file's modification (and access) time is set before the fsync, so it is as
 * durable as the bytes; the rename that switches it in keeps it.
 * @throws the fs error (EEXIST when the path exists); a failed write leaves the partial file.
 */
export async function writeNewFile(
  path: string,
  data: Uint8Array,
  mode: number,
  owner?: FileOwner,
  mtime?: Date,
): Promise<void> {
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  const handle = await open(path, flags, mode & 0o600);
  try {
    if (owner) await handle.chown(owner.uid, owner.gid).catch(() => undefined);
    await handle.chmod(mode);
    await handle.writeFile(data);
    if (mtime !== undefined) await handle.utimes(mtime, mtime);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `path` atomically with `data` (0600): private temp beside it, fsync, rename, fsync of
 * the directory. Used for kpki's own state records.
 */
export async function replaceFile(path: string, dir: string, data: Uint8Array): Promise<void> {
  const tmp = `${path}.tmp`;
  await rm(tmp, { force: true });
  await writeNewFile(tmp, data, 0o600);
  await rename(tmp, path);
  await syncDir(dir);
}
