/**
 * The on-disk tree store: all-or-nothing change sets with a journal, backups and a lock, as
 * DESIGN.md "All or nothing" describes. Sequence of a commit:
 *  1. record the temp names in `.kpki/pending.json` (so a crash before the commit point is cleaned up);
 *  2. back up every file that will be replaced or deleted into `.kpki/backups/<id>/`;
 *  3. write each new file to a temp name beside its target, mode set from creation, fsynced;
 *  4. write `.kpki/journal.json` by rename and fsync `.kpki` — the commit point;
 *  5. rename temps over targets, delete deletes, fsync the directories;
 *  6. remove the journal.
 * Any later open rolls a journal forward, or removes the pending temps when there is none.
 */
import { lstat, mkdir, readFile, readdir, realpath, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join, relative, isAbsolute, resolve } from 'node:path';
import { ConflictError, FileAccessError, OperationError } from '../errors.js';
import type { BackupInfo, ChangeSet, CommitResult, TreeStore } from '../ops/ports.js';
import { readBackups, writeBackup } from './backup-dir.js';
import { syncDir, writeNewFile } from './fs-sync.js';
import { acquireLock } from './tree-lock.js';
import { assertStaysInTree, resolveInTree, STATE_DIR } from './tree-paths.js';

interface Journal {
  readonly renames: readonly { readonly tmp: string; readonly target: string }[];
  readonly deletes: readonly string[];
}

/** Options of {@link openTreeStore}. */
export interface TreeStoreOptions {
  /** Clock for backup names and lock records; defaults to the system clock. */
  readonly now?: () => Date;
}

/**
 * Opens the tree at `root` (which must exist) and finishes or undoes any commit a killed kpki left.
 * @throws FileAccessError `NO_TREE` when the root is not a readable directory.
 */
export async function openTreeStore(root: string, options: TreeStoreOptions = {}): Promise<TreeStore> {
  const absolute = resolve(root);
  const info = await lstat(absolute).catch(() => undefined);
  if (!info?.isDirectory()) throw new FileAccessError('NO_TREE', `"${absolute}" is not a directory`);
  const store = new FsTreeStore(absolute, options.now ?? (() => new Date()));
  await store.recoverIfWritable();
  return store;
}

class FsTreeStore implements TreeStore {
  private locked = false;

  constructor(
    readonly root: string,
    private readonly now: () => Date,
  ) {}

  private get stateDir(): string {
    return join(this.root, STATE_DIR);
  }

  async read(path: string): Promise<Uint8Array | undefined> {
    const absolute = resolveInTree(this.root, path);
    try {
      const real = await realpath(absolute);
      const rel = relative(await realpath(this.root), real);
      if (rel.startsWith('..') || isAbsolute(rel)) throw new FileAccessError('OUTSIDE_TREE', `"${path}" is a link leading outside the tree "${this.root}"`);
      return new Uint8Array(await readFile(real));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      if (error instanceof FileAccessError) throw error;
      throw new FileAccessError('UNREADABLE', `cannot read "${absolute}": ${code ?? 'error'}`, { cause: error });
    }
  }

  async exists(path: string): Promise<boolean> {
    return (await lstat(resolveInTree(this.root, path)).catch(() => undefined)) !== undefined;
  }

  async listFiles(dir: string): Promise<{ path: string; mode: number }[]> {
    const found: { path: string; mode: number }[] = [];
    const walk = async (rel: string): Promise<void> => {
      const names = await readdir(resolveInTree(this.root, rel)).catch(() => [] as string[]);
      for (const name of names.sort()) {
        const child = `${rel}/${name}`;
        if (name.startsWith('.kpki-tmp-')) continue;
        const info = await lstat(resolveInTree(this.root, child));
        if (info.isDirectory()) await walk(child);
        else if (info.isFile()) found.push({ path: child, mode: info.mode & 0o7777 });
      }
    };
    await walk(dir.replace(/\/+$/, ''));
    return found;
  }

  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    await mkdir(this.stateDir, { recursive: true, mode: 0o700 });
    const release = await acquireLock(join(this.stateDir, 'lock'), this.now());
    this.locked = true;
    try {
      await this.recover();
      return await work();
    } finally {
      this.locked = false;
      await release();
    }
  }

  async commit(change: ChangeSet, operation: string): Promise<CommitResult> {
    if (!this.locked) throw new OperationError('NOT_LOCKED', 'commit called outside exclusive()');
    const txid = `${this.now().getTime().toString(36)}-${randomBytes(3).toString('hex')}`;
    const targets = [...change.writes.map((w) => w.path), ...change.deletes];
    const absolute = new Map(targets.map((path) => [path, resolveInTree(this.root, path)]));
    for (const path of targets) await assertStaysInTree(this.root, absolute.get(path) ?? '');
    const renames = change.writes.map((w) => {
      const target = absolute.get(w.path) ?? '';
      return { tmp: join(dirname(target), `.kpki-tmp-${txid}-${target.slice(dirname(target).length + 1)}`), target };
    });
    await this.writeState('pending.json', { renames, deletes: [] });
    let backup: CommitResult;
    try {
      backup = await writeBackup(this.root, join(this.stateDir, 'backups'), targets, operation, this.now());
      for (const [index, write] of change.writes.entries()) {
        const tmp = renames[index]?.tmp ?? '';
        await mkdir(dirname(tmp), { recursive: true, mode: 0o755 });
        await writeNewFile(tmp, write.data, write.mode);
      }
      await this.writeState('journal.json', { renames, deletes: change.deletes.map((p) => absolute.get(p) ?? '') });
    } catch (error) {
      await Promise.all(renames.map((r) => rm(r.tmp, { force: true })));
      await rm(join(this.stateDir, 'pending.json'), { force: true });
      throw new OperationError('WRITE_FAILED', `cannot write the change to "${this.root}"; nothing was changed`, { cause: error });
    }
    await this.rollForward();
    return backup;
  }

  async backups(): Promise<BackupInfo[]> {
    return readBackups(join(this.stateDir, 'backups'));
  }

  async restore(backupId: string): Promise<CommitResult> {
    const backup = (await this.backups()).find((b) => b.id === backupId);
    if (!backup) throw new ConflictError('NO_BACKUP', `there is no backup "${backupId}" in "${this.stateDir}"`);
    const manifest = JSON.parse(await readFile(join(backup.path, 'manifest.json'), 'utf8')) as { files: { path: string; existed: boolean; mode: number }[] };
    const writes = [];
    for (const file of manifest.files.filter((f) => f.existed)) {
      writes.push({ path: file.path, data: new Uint8Array(await readFile(join(backup.path, 'files', file.path))), mode: file.mode });
    }
    return this.commit({ writes, deletes: manifest.files.filter((f) => !f.existed).map((f) => f.path) }, `rollback-${backup.id}`);
  }

  /** Recovery needs write access; a read-only tree (check on a copy someone else owns) skips it. */
  async recoverIfWritable(): Promise<void> {
    if ((await lstat(this.stateDir).catch(() => undefined)) === undefined) return;
    await this.recover();
  }

  private async recover(): Promise<void> {
    if (await this.readState('journal.json')) {
      await this.rollForward();
      return;
    }
    const pending = await this.readState('pending.json');
    if (pending) {
      await Promise.all(pending.renames.map((r) => rm(r.tmp, { force: true })));
      await rm(join(this.stateDir, 'pending.json'), { force: true });
    }
  }

  private async rollForward(): Promise<void> {
    const journal = await this.readState('journal.json');
    if (!journal) return;
    const dirs = new Set<string>();
    for (const { tmp, target } of journal.renames) {
      if (await lstat(tmp).catch(() => undefined)) await rename(tmp, target);
      dirs.add(dirname(target));
    }
    for (const path of journal.deletes) {
      await rm(path, { force: true });
      dirs.add(dirname(path));
    }
    for (const dir of dirs) await syncDir(dir).catch(() => undefined);
    await rm(join(this.stateDir, 'journal.json'), { force: true });
    await rm(join(this.stateDir, 'pending.json'), { force: true });
    await syncDir(this.stateDir);
  }

  private async writeState(name: string, value: Journal): Promise<void> {
    const path = join(this.stateDir, name);
    const tmp = `${path}.tmp`;
    await mkdir(this.stateDir, { recursive: true, mode: 0o700 });
    await rm(tmp, { force: true });
    await writeNewFile(tmp, new TextEncoder().encode(JSON.stringify(value)), 0o600);
    await rename(tmp, path);
    await syncDir(this.stateDir);
  }

  private async readState(name: string): Promise<Journal | undefined> {
    try {
      return JSON.parse(await readFile(join(this.stateDir, name), 'utf8')) as Journal;
    } catch {
      return undefined;
    }
  }

  /** Lists directory names, for tests and diagnostics. */
  async list(dir: string): Promise<string[]> {
    return readdir(resolveInTree(this.root, dir)).catch(() => []);
  }
}
