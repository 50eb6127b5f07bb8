/**
 * The on-disk tree store: all-or-nothing change sets with a journal, backups and a lock, as
 * DESIGN.md "All or nothing" describes. Sequence of a commit (journal.ts has the records):
 *  1. validate every path (syntax, no directory targets, no symlinked ancestor leaving the tree)
 *     and refuse directories group or others can write (unless allowed);
 *  2. record the plan in `.kpki/pending.json`, so a kill before the commit point is undone;
 *  3. back up every file replaced or deleted into `.kpki/backups/<id>.partial/`, fsynced;
 *  4. create missing directories, write each new file to `.<name>.kpki-tmp-<txid>` beside its
 *     target with its final mode before the first byte, fsync;
 *  5. write `.kpki/journal.json` by rename and fsync `.kpki` — the commit point;
 *  6. rename temps over targets, delete deletes, fsync directories, publish the backup;
 *  7. remove the records.
 * Recovery (at open when the lock is free, and at the start of every `exclusive`) rolls a journal
 * forward, or rolls a pending record back.
 */
import { chmod, lstat, mkdir, readdir, realpath, rm, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join, posix, resolve } from 'node:path';
import {
  ConflictError,
  FileAccessError,
  KpkiError,
  LockedError,
  OperationError,
} from '../errors.js';
import type {
  BackupInfo,
  ChangeSet,
  CommitResult,
  FileWrite,
  RestoreModes,
  TreeStore,
} from '../ops/shared/ports.js';
import {
  backupPath,
  newBackupId,
  readBackups,
  readManifest,
  removePartialBackups,
  writePartialBackup,
} from './backup-dir.js';
import { syncDir, writeNewFile, type FileOwner } from './fs-sync.js';
import {
  JOURNAL,
  PENDING,
  recoverTransaction,
  relativeTempPath,
  rollBack,
  rollForward,
  writeRecord,
  type StatePaths,
  type TxRecord,
} from './journal.js';
import { readBoundedFile, type InputKind } from './bounded-read.js';
import { assertNoLinkOnPath, assertSecureDirectories, assertTrustedState } from './state-guard.js';
import { acquireLock, removeDeadLockRecords } from './tree-lock.js';
import {
  assertSafeTarget,
  checkChangePaths,
  isInside,
  resolveInTree,
  restoreModeOf,
  STATE_DIR,
  TEMP_MARK,
} from './tree-paths.js';

/** Options of {@link openTreeStore}. */
export interface TreeStoreOptions {
  /** Clock for backup ids, manifests and lock records; defaults to the system clock. */
  readonly now?: () => Date;
  /** How long `exclusive` waits for another live kpki holding the lock; default 0 (fail at once). */
  readonly lockWaitMs?: number;
  /**
   * Commit even into directories group or others can write (`--allow-insecure-dir`), leaving
   * their modes as they are; default false: such a commit is refused with `INSECURE_DIR`.
   */
  readonly allowInsecureDir?: boolean;
}

/**
 * Opens the tree at `root` (which must exist). When a killed kpki left a transaction and the lock
 * is free and writable, it is finished (journal) or undone (no journal) first; a read-only tree or
 * a tree locked by a live kpki is opened as is (that kpki, or the next `exclusive`, recovers it).
 * @throws FileAccessError `NO_TREE` when the root is not a directory; OperationError `BAD_JOURNAL`
 *   for a damaged transaction record.
 */
export async function openTreeStore(
  root: string,
  options: TreeStoreOptions = {},
): Promise<TreeStore> {
  const absolute = resolve(root);
  const info = await stat(absolute).catch(() => undefined);
  if (!info?.isDirectory())
    throw new FileAccessError('NO_TREE', `"${absolute}" is not a directory`);
  const store = new FsTreeStore(
    absolute,
    options.now ?? (() => new Date()),
    options.lockWaitMs ?? 0,
    options.allowInsecureDir ?? false,
  );
  await store.recoverIfPossible();
  return store;
}

class FsTreeStore implements TreeStore {
  private locked = false;
  private readonly paths: StatePaths;

  constructor(
    readonly root: string,
    private readonly now: () => Date,
    private readonly lockWaitMs: number,
    private readonly allowInsecureDir: boolean,
  ) {
    const stateDir = join(root, STATE_DIR);
    this.paths = { root, stateDir, backupsDir: join(stateDir, 'backups') };
  }

  async read(path: string): Promise<Uint8Array | undefined> {
    const absolute = resolveInTree(this.root, path);
    try {
      const real = await realpath(absolute);
      if (!isInside(await realpath(this.root), real)) {
        throw new FileAccessError(
          'UNREADABLE',
          `"${path}" in the tree "${this.root}" is a link leading outside the tree`,
        );
      }
      return await readBoundedFile(real, treeFileKind(path));
    } catch (error) {
      if (error instanceof KpkiError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw new FileAccessError('UNREADABLE', `cannot read "${absolute}": ${code ?? 'error'}`, {
        cause: error,
      });
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
        // Temporaries of an unfinished commit are not part of the tree.
        if (name.includes(TEMP_MARK)) continue;
        const info = await lstat(resolveInTree(this.root, child));
        if (info.isDirectory()) await walk(child);
        else if (info.isFile()) found.push({ path: child, mode: info.mode & 0o7777 });
      }
    };
    await walk(dir.replace(/\/+$/, ''));
    return found;
  }

  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    await this.ensureStateDir();
    const release = await acquireLock(join(this.paths.stateDir, 'lock'), {
      tree: this.root,
      now: this.now(),
      waitMs: this.lockWaitMs,
    });
    this.locked = true;
    try {
      await this.recoverLocked();
      return await work();
    } finally {
      this.locked = false;
      await release();
    }
  }

  async commit(change: ChangeSet, operation: string): Promise<CommitResult> {
    if (!this.locked)
      throw new OperationError('NOT_LOCKED', `commit to "${this.root}" called outside exclusive()`);
    checkChangePaths(this.root, change);
    const targets = [...change.writes.map((w) => w.path), ...change.deletes];
    for (const path of targets) await assertSafeTarget(this.root, resolveInTree(this.root, path));
    await assertSecureDirectories(
      this.root,
      targets.map((path) => posix.dirname(path)),
      this.allowInsecureDir,
    );
    const record = await this.planRecord(change, operation);
    try {
      await writeRecord(this.paths, PENDING, record);
      await writePartialBackup(this.root, this.paths.backupsDir, record.backupId, targets, {
        operation,
        createdAt: this.now().toISOString(),
      });
      await this.writeTemps(change.writes, record);
      await writeRecord(this.paths, JOURNAL, record);
    } catch (error) {
      await rollBack(this.paths, record).catch(() => undefined);
      throw new OperationError(
        'WRITE_FAILED',
        `cannot write the change to the tree "${this.root}"; nothing was changed`,
        { cause: error },
      );
    }
    try {
      await rollForward(this.paths, record);
    } catch (error) {
      throw new OperationError(
        'COMMIT_UNFINISHED',
        `the change to the tree "${this.root}" is committed but not fully in place`,
        {
          cause: error,
          hint: `fix the cause, then run any kpki command on "${this.root}": it finishes the change`,
        },
      );
    }
    return {
      backupId: record.backupId,
      backupPath: backupPath(this.paths.backupsDir, record.backupId),
    };
  }

  async backups(): Promise<BackupInfo[]> {
    return readBackups(this.paths.backupsDir);
  }

  async restore(backupId: string, modeOf?: RestoreModes): Promise<CommitResult> {
    const backup = (await this.backups()).find((b) => b.id === backupId);
    const manifest = backup && (await readManifest(backup.path));
    if (!backup || !manifest)
      throw new ConflictError(
        'NO_BACKUP',
        `there is no backup "${backupId}" in "${this.paths.backupsDir}"`,
        { hint: `list them with: kpki rollback --list --dir ${this.root}` },
      );
    // Validate before reading, so a tampered manifest cannot make kpki read outside the backup.
    checkChangePaths(this.root, { writes: [], deletes: manifest.files.map((f) => f.path) });
    const modes = new Map(
      manifest.files.map((f) => [
        f.path,
        modeOf ? restoreModeOf(modeOf, f.path, backupId) : restoredMode(f.mode),
      ]),
    );
    await assertTrustedState(backup.path, 'directory');
    const writes: FileWrite[] = [];
    for (const file of manifest.files.filter((f) => f.existed)) {
      await assertNoLinkOnPath(backup.path, `files/${file.path}`);
      const copy = join(backup.path, 'files', ...file.path.split('/'));
      const data = await readBoundedFile(copy, 'state', { noFollow: true });
      if (data === undefined)
        throw new FileAccessError('UNREADABLE', `the backup copy "${copy}" is missing`);
      writes.push({
        path: file.path,
        data,
        // The catalogue's mode; never setuid, setgid, sticky or group/other write.
        mode: modes.get(file.path) ?? 0o600,
      });
    }
    return this.commit(
      { writes, deletes: manifest.files.filter((f) => !f.existed).map((f) => f.path) },
      'rollback',
    );
  }

  /** Recovers at open when there is something to recover and the lock can be had at once. */
  async recoverIfPossible(): Promise<void> {
    // A record, or the temp of a record or lock that a kill left before its rename or link.
    const names = await readdir(this.paths.stateDir).catch(() => [] as string[]);
    if (!names.some((name) => name === PENDING || name === JOURNAL || name.endsWith('.tmp')))
      return;
    try {
      await this.exclusive(() => Promise.resolve());
    } catch (error) {
      // Locked: its holder recovers. Not writable (a reader without rights): leave it to one that is.
      if (error instanceof LockedError || isPermissionError(error)) return;
      throw error;
    }
  }

  private async recoverLocked(): Promise<void> {
    // A kill between writing a record's temp and renaming it into place leaves the temp behind.
    await Promise.all(
      [JOURNAL, PENDING].map((name) =>
        rm(join(this.paths.stateDir, `${name}.tmp`), { force: true }),
      ),
    );
    await recoverTransaction(this.paths);
    await removePartialBackups(this.paths.backupsDir);
    await removeDeadLockRecords(join(this.paths.stateDir, 'lock'));
  }

  /**
   * Creates `.kpki/backups` when missing, after refusing (UNSAFE_STATE) a `.kpki`, `backups` or
   * lock that is a link, not a directory (file), another user's, or writable by group or others:
   * checked before mkdir (which would follow a planted link) and again after it.
   */
  private async ensureStateDir(): Promise<void> {
    const check = async (): Promise<void> => {
      await assertTrustedState(this.paths.stateDir, 'directory');
      await assertTrustedState(this.paths.backupsDir, 'directory');
      await assertTrustedState(join(this.paths.stateDir, 'lock'), 'file');
    };
    await check();
    await mkdir(this.paths.backupsDir, { recursive: true, mode: 0o700 });
    await check();
    // It holds copies of private keys: never readable by others, whoever created it.
    if (((await stat(this.paths.stateDir)).mode & 0o077) !== 0)
      await chmod(this.paths.stateDir, 0o700);
  }

  private async planRecord(change: ChangeSet, operation: string): Promise<TxRecord> {
    const txid = `${this.now().getTime().toString(36)}-${randomBytes(3).toString('hex')}`;
    const renames = change.writes.map((w) => ({
      tmp: relativeTempPath(w.path, txid),
      target: w.path,
    }));
    const createdDirs: string[] = [];
    for (const write of change.writes) {
      const missing: string[] = [];
      for (
        let dir = posix.dirname(write.path);
        dir !== '.' && !(await this.exists(dir));
        dir = posix.dirname(dir)
      )
        missing.unshift(dir);
      for (const dir of missing) if (!createdDirs.includes(dir)) createdDirs.push(dir);
    }
    return {
      txid,
      backupId: newBackupId(this.now(), operation),
      renames,
      deletes: change.deletes,
      createdDirs,
    };
  }

  /**
   * Creates the missing directories (0755 less the umask, as kubeadm's MkdirAll, or the `dirMode`
   * of the first write below them, e.g. RKE2's 0700) and the temps.
   */
  private async writeTemps(writes: readonly FileWrite[], record: TxRecord): Promise<void> {
    const abs = (path: string): string => join(this.root, ...path.split('/'));
    const modeOf = (dir: string): number =>
      writes.find((w) => w.dirMode !== undefined && w.path.startsWith(`${dir}/`))?.dirMode ?? 0o755;
    for (const dir of record.createdDirs) await mkdir(abs(dir), { mode: modeOf(dir) });
    for (const dir of new Set(record.createdDirs.map((d) => posix.dirname(d))))
      await syncDir(abs(dir));
    for (const [index, write] of writes.entries()) {
      const tmp = record.renames[index]?.tmp ?? '';
      await writeNewFile(
        abs(tmp),
        write.data,
        write.mode,
        await ownerOf(abs(write.path)),
        write.mtime,
      );
    }
  }
}

/** Owner of the regular file a write replaces, so a replacement keeps it (when run as root). */
async function ownerOf(path: string): Promise<FileOwner | undefined> {
  const info = await lstat(path).catch(() => undefined);
  return info?.isFile() && (info.uid !== process.getuid?.() || info.gid !== process.getgid?.())
    ? { uid: info.uid, gid: info.gid }
    : undefined;
}

/** The size class of a tree file: RKE state and JSON files may be large, PEM files as pem.ts caps them. */
function treeFileKind(path: string): InputKind {
  if (/\.(rkestate|json)$/.test(path)) return 'state';
  return /\.(crt|key|pem|pub|csr)$/.test(path) ? 'pem' : 'config';
}

/** A manifest mode made safe: permission bits only, no group or other write, 0600 when absurd. */
export function restoredMode(mode: unknown): number {
  return typeof mode === 'number' && Number.isInteger(mode) && mode >= 0 ? mode & 0o755 : 0o600;
}

function isPermissionError(error: unknown): boolean {
  const code = (error instanceof KpkiError ? error.cause : error) as
    | NodeJS.ErrnoException
    | undefined;
  return code?.code === 'EACCES' || code?.code === 'EPERM' || code?.code === 'EROFS';
}
