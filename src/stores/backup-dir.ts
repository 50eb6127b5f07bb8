/**
 * Backups: before a commit replaces or deletes files, copies of them (with their modes, and a note
 * of which did not exist) go to `.kpki/backups/<id>.partial/`. The backup is renamed to its final
 * name only when its commit lands (the journal names it), so a commit that fails or is killed
 * before its commit point never leaves a backup that `kpki rollback` would pick as the newest.
 */
import { constants, mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { BackupInfo } from '../ops/shared/ports.js';
import { InvalidInputError } from '../errors.js';
import { READ_LIMITS, readBoundedText } from './bounded-read.js';
import { syncDir, writeNewFile } from './fs-sync.js';

/** One path a backup covers. */
export interface ManifestFile {
  readonly path: string;
  /** A regular file existed there; links and missing files are recorded as not existing. */
  readonly existed: boolean;
  readonly mode: number;
}

/** `manifest.json` of a backup. */
export interface Manifest {
  readonly operation: string;
  readonly createdAt: string;
  readonly files: readonly ManifestFile[];
}

const PARTIAL = '.partial';

/**
 * A new backup id, sortable by time to the millisecond (`20261124T170501.123Z-renew-1a2b`):
 * `rollback` restores the newest, and two commits within one second (save, then restore) must
 * not be ordered by their random suffix.
 */
export function newBackupId(now: Date, operation: string): string {
  const stamp = now.toISOString().replace(/[-:]/g, '');
  const op = operation.replace(/[^a-z0-9-]/gi, '').slice(0, 64) || 'change';
  return `${stamp}-${op}-${randomBytes(2).toString('hex')}`;
}

/** Final directory of backup `id`. */
export function backupPath(backupsDir: string, id: string): string {
  return join(backupsDir, id);
}

/**
 * Copies the current content of `paths` (tree-relative) into `<id>.partial`, every file and
 * directory fsynced. Mutates only the backups directory.
 * @throws the fs error; the caller discards the partial backup.
 */
export async function writePartialBackup(
  root: string,
  backupsDir: string,
  id: string,
  paths: readonly string[],
  manifest: Omit<Manifest, 'files'>,
): Promise<void> {
  const partial = join(backupsDir, id + PARTIAL);
  const dirs = new Set([backupsDir, partial]);
  await mkdir(join(partial, 'files'), { recursive: true, mode: 0o700 });
  const files: ManifestFile[] = [];
  for (const path of paths) {
    const data = await readRegularFile(join(root, ...path.split('/')));
    if (data === undefined) {
      files.push({ path, existed: false, mode: 0 });
      continue;
    }
    const copy = join(partial, 'files', ...path.split('/'));
    await mkdir(dirname(copy), { recursive: true, mode: 0o700 });
    await writeNewFile(copy, data.bytes, data.mode);
    for (let dir = dirname(copy); dir.length > partial.length; dir = dirname(dir)) dirs.add(dir);
    files.push({ path, existed: true, mode: data.mode });
  }
  const full: Manifest = { ...manifest, files };
  await writeNewFile(
    join(partial, 'manifest.json'),
    new TextEncoder().encode(JSON.stringify(full, null, 2)),
    0o600,
  );
  for (const dir of dirs) await syncDir(dir);
}

/** Reads a regular file without following a symlink; undefined for links and missing paths. */
async function readRegularFile(
  path: string,
): Promise<{ bytes: Uint8Array; mode: number } | undefined> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR' || error.code === 'ELOOP')
        return undefined;
      throw error;
    },
  );
  if (!handle) return undefined;
  try {
    const info = await handle.stat();
    if (!info.isFile()) return undefined;
    // Tree files are read through the bounded reader before a commit; this cap keeps a file
    // swapped in meanwhile from being read unbounded into memory.
    if (info.size > READ_LIMITS.state)
      throw new InvalidInputError('TOO_LARGE', `"${path}" is too large to back up`);
    const bytes = Buffer.alloc(info.size);
    let length = 0;
    while (length < bytes.length) {
      const { bytesRead } = await handle.read(bytes, length, bytes.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return {
      bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, length),
      mode: info.mode & 0o7777,
    };
  } finally {
    await handle.close();
  }
}

/** Publishes backup `id` under its final name (idempotent: done when the partial is gone). */
export async function finalizeBackup(backupsDir: string, id: string): Promise<void> {
  try {
    await rename(join(backupsDir, id + PARTIAL), backupPath(backupsDir, id));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await syncDir(backupsDir);
}

/** Removes every incomplete backup; the caller holds the tree lock and no commit is under way. */
export async function removePartialBackups(backupsDir: string): Promise<void> {
  for (const name of await readdir(backupsDir).catch(() => [] as string[])) {
    if (name.endsWith(PARTIAL)) await rm(join(backupsDir, name), { recursive: true, force: true });
  }
}

/** Removes the partial backup `id`, if any. */
export async function discardPartialBackup(backupsDir: string, id: string): Promise<void> {
  await rm(join(backupsDir, id + PARTIAL), { recursive: true, force: true });
}

/** The manifest of a final backup; undefined when it is missing or unreadable. */
export async function readManifest(path: string): Promise<Manifest | undefined> {
  try {
    const text = await readBoundedText(join(path, 'manifest.json'), 'record', { noFollow: true });
    const manifest = JSON.parse(text ?? '') as Manifest;
    return Array.isArray(manifest.files) ? manifest : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Complete backups, newest first. Read-only: partial backups are skipped, not removed (one may
 * belong to a commit under way in another process).
 */
export async function readBackups(backupsDir: string): Promise<BackupInfo[]> {
  const backups: BackupInfo[] = [];
  for (const name of await readdir(backupsDir).catch(() => [] as string[])) {
    if (name.endsWith(PARTIAL)) continue;
    const path = join(backupsDir, name);
    const manifest = await readManifest(path);
    // A directory without a readable manifest is not a backup kpki made.
    if (manifest)
      backups.push({
        id: name,
        path,
        createdAt: new Date(manifest.createdAt),
        operation: manifest.operation,
        files: manifest.files.map((f) => f.path),
      });
  }
  return backups.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}
