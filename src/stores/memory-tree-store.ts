/**
 * An in-memory {@link TreeStore} with the same contract as the on-disk one (path rules, lock,
 * all-or-nothing commits, backups, restore), for unit tests of ops/ that need no disk.
 */
import {
  ConflictError,
  FileAccessError,
  InvalidInputError,
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
import { newBackupId } from './backup-dir.js';
import { checkChangePaths, resolveInTree, restoreModeOf } from './tree-paths.js';

/** A file held by the memory store. */
export interface MemoryFile {
  readonly data: Uint8Array;
  readonly mode: number;
}

interface MemoryBackup {
  readonly info: BackupInfo;
  /** Each covered path and its file then; undefined when it did not exist. */
  readonly before: ReadonlyMap<string, MemoryFile | undefined>;
}

/** Options of {@link MemoryTreeStore}. */
export interface MemoryTreeStoreOptions {
  /** Root shown in messages; default `/memory`. */
  readonly root?: string;
  /** Clock for backup ids; default the system clock. */
  readonly now?: () => Date;
  /** Initial files, tree-relative path → content (mode 0644) or file. */
  readonly files?: Readonly<Record<string, Uint8Array | MemoryFile>>;
}

/** In-memory tree. Directories exist implicitly as the parents of files. */
export class MemoryTreeStore implements TreeStore {
  readonly root: string;
  private readonly now: () => Date;
  private readonly files = new Map<string, MemoryFile>();
  private readonly history: MemoryBackup[] = [];
  private locked = false;

  constructor(options: MemoryTreeStoreOptions = {}) {
    this.root = options.root ?? '/memory';
    this.now = options.now ?? (() => new Date());
    for (const [path, file] of Object.entries(options.files ?? {})) {
      resolveInTree(this.root, path);
      this.files.set(
        path,
        file instanceof Uint8Array
          ? { data: file.slice(), mode: 0o644 }
          : { data: file.data.slice(), mode: file.mode },
      );
    }
  }

  /** A copy of every file, for assertions. */
  snapshot(): Map<string, MemoryFile> {
    return new Map(
      [...this.files].map(([path, file]) => [path, { data: file.data.slice(), mode: file.mode }]),
    );
  }

  read(path: string): Promise<Uint8Array | undefined> {
    resolveInTree(this.root, path);
    if (this.isDirectory(path))
      return Promise.reject(
        new FileAccessError('UNREADABLE', `cannot read "${this.root}/${path}": EISDIR`),
      );
    return Promise.resolve(this.files.get(path)?.data.slice());
  }

  exists(path: string): Promise<boolean> {
    resolveInTree(this.root, path);
    return Promise.resolve(this.files.has(path) || this.isDirectory(path));
  }

  /** Files below `dir`, sorted, as the disk store lists them. */
  listFiles(dir: string): Promise<{ path: string; mode: number }[]> {
    const prefix = `${dir.replace(/\/+$/, '')}/`;
    const found = [...this.files]
      .filter(([path]) => path.startsWith(prefix))
      .map(([path, file]) => ({ path, mode: file.mode }));
    return Promise.resolve(found.sort((a, b) => (a.path < b.path ? -1 : 1)));
  }

  /** @throws LockedError when another `exclusive` on this store is under way. */
  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (this.locked)
      throw new LockedError(`tree "${this.root}" is locked by kpki pid ${process.pid} (in memory)`);
    this.locked = true;
    try {
      return await work();
    } finally {
      this.locked = false;
    }
  }

  /** Same checks and errors as the disk store, applied to memory in one step. */
  commit(change: ChangeSet, operation: string): Promise<CommitResult> {
    return Promise.resolve().then(() => this.commitNow(change, operation));
  }

  backups(): Promise<BackupInfo[]> {
    return Promise.resolve(
      this.history.map((b) => b.info).sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)),
    );
  }

  /** @throws ConflictError `NO_BACKUP` when there is no such backup; InvalidInputError `BAD_BACKUP`. */
  restore(backupId: string, modeOf?: RestoreModes): Promise<CommitResult> {
    const backup = this.history.find((b) => b.info.id === backupId);
    if (!backup)
      return Promise.reject(
        new ConflictError('NO_BACKUP', `there is no backup "${backupId}" in "${this.root}"`),
      );
    const entries = [...backup.before];
    const modes = new Map<string, number>();
    for (const [path, file] of entries) {
      if (!modeOf) modes.set(path, file?.mode ?? 0);
      else if (modeOf(path) === undefined)
        return Promise.reject(restoreError(() => restoreModeOf(modeOf, path, backupId)));
      else modes.set(path, restoreModeOf(modeOf, path, backupId));
    }
    const writes: FileWrite[] = entries.flatMap(([path, file]) =>
      file ? [{ path, data: file.data, mode: modes.get(path) ?? 0o600 }] : [],
    );
    return this.commit(
      { writes, deletes: entries.filter(([, file]) => !file).map(([path]) => path) },
      'rollback',
    );
  }

  private commitNow(change: ChangeSet, operation: string): CommitResult {
    if (!this.locked)
      throw new OperationError('NOT_LOCKED', `commit to "${this.root}" called outside exclusive()`);
    checkChangePaths(this.root, change);
    const targets = [...change.writes.map((w) => w.path), ...change.deletes];
    for (const path of targets) {
      if (this.isDirectory(path))
        throw new InvalidInputError(
          'BAD_PATH',
          `"${path}" in the tree "${this.root}" is a directory, not a file`,
        );
    }
    for (const write of change.writes) {
      const blocked = ancestors(write.path).find((dir) => this.files.has(dir));
      if (blocked)
        throw new OperationError(
          'WRITE_FAILED',
          `cannot write the change to the tree "${this.root}"; nothing was changed`,
          { cause: new Error(`"${blocked}" is a file`) },
        );
    }
    const id = newBackupId(this.now(), operation);
    const before = new Map(targets.map((path) => [path, this.files.get(path)] as const));
    for (const write of change.writes)
      this.files.set(write.path, { data: write.data.slice(), mode: write.mode });
    for (const path of change.deletes) this.files.delete(path);
    const info: BackupInfo = {
      id,
      path: `${this.root}/.kpki/backups/${id}`,
      createdAt: this.now(),
      operation,
      files: targets,
    };
    this.history.push({ info, before });
    return { backupId: id, backupPath: info.path };
  }

  private isDirectory(path: string): boolean {
    return [...this.files.keys()].some((file) => file.startsWith(`${path}/`));
  }
}

/** `a/b/c` → [`a`, `a/b`]. */
function ancestors(path: string): string[] {
  const parts = path.split('/');
  return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join('/'));
}

/** The error `attempt` throws (restoreModeOf's BAD_BACKUP), as an Error for a rejection. */
function restoreError(attempt: () => unknown): Error {
  try {
    attempt();
  } catch (error) {
    if (error instanceof Error) return error;
  }
  return new Error('restore refused');
}
