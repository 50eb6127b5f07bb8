/**
 * Backups: before a commit replaces or deletes files, copies of them (with their modes, and a note
 * of which did not exist) go to `.kpki/backups/<id>/`; `restore` puts exactly that state back.
 */
import { lstat, mkdir, readFile, readdir, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { BackupInfo, CommitResult } from '../ops/ports.js';
import { syncDir, writeNewFile } from './fs-sync.js';

interface ManifestFile {
  readonly path: string;
  /** A regular file existed there; links and missing files are recorded as not existing. */
  readonly existed: boolean;
  readonly mode: number;
}

interface Manifest {
  readonly operation: string;
  readonly createdAt: string;
  readonly files: readonly ManifestFile[];
}

/**
 * Copies the current content of `paths` (tree-relative) into a new backup and returns its id.
 * The backup appears under its final name only once complete and fsynced.
 */
export async function writeBackup(root: string, backupsDir: string, paths: readonly string[], operation: string, now: Date): Promise<CommitResult> {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const id = `${stamp}-${operation.replace(/[^a-z0-9-]/gi, '')}-${randomBytes(2).toString('hex')}`;
  const partial = join(backupsDir, `${id}.partial`);
  await mkdir(join(partial, 'files'), { recursive: true, mode: 0o700 });
  const files: ManifestFile[] = [];
  for (const path of paths) {
    const source = join(root, ...path.split('/'));
    const info = await lstat(source).catch(() => undefined);
    if (!info?.isFile()) {
      files.push({ path, existed: false, mode: 0 });
      continue;
    }
    const copy = join(partial, 'files', ...path.split('/'));
    await mkdir(dirname(copy), { recursive: true, mode: 0o700 });
    await writeNewFile(copy, await readFile(source), info.mode & 0o7777);
    files.push({ path, existed: true, mode: info.mode & 0o7777 });
  }
  const manifest: Manifest = { operation, createdAt: now.toISOString(), files };
  await writeNewFile(join(partial, 'manifest.json'), new TextEncoder().encode(JSON.stringify(manifest, null, 2)), 0o600);
  await syncDir(partial);
  const final = join(backupsDir, id);
  await rename(partial, final);
  await syncDir(backupsDir);
  return { backupId: id, backupPath: final };
}

/** Complete backups, newest first; incomplete (`.partial`) ones are removed. */
export async function readBackups(backupsDir: string): Promise<BackupInfo[]> {
  const names = await readdir(backupsDir).catch(() => [] as string[]);
  const backups: BackupInfo[] = [];
  for (const name of names) {
    const path = join(backupsDir, name);
    if (name.endsWith('.partial')) {
      await rm(path, { recursive: true, force: true });
      continue;
    }
    try {
      const manifest = JSON.parse(await readFile(join(path, 'manifest.json'), 'utf8')) as Manifest;
      backups.push({ id: name, path, createdAt: new Date(manifest.createdAt), operation: manifest.operation, files: manifest.files.map((f) => f.path) });
    } catch {
      // A directory without a readable manifest is not a backup kpki made.
    }
  }
  return backups.sort((a, b) => (a.id < b.id ? 1 : -1));
}
