/**
 * The ports through which ops/ talks to the world. ops/ never imports fs, process or network
 * modules; stores/, kube/ and restart/ implement these interfaces, and tests use fakes.
 */
import type { KeyAlgorithm, PrivateKey } from '../../pki/keys.js';
import type { RandomBytes } from '../../pki/serial.js';

/** The current time. Injected so every time rule can be tested at its boundaries. */
export interface Clock {
  now(): Date;
}

/** Key generation. Injected so tests can hand out pre-made keys. */
export interface KeyGenerator {
  generate(algorithm: KeyAlgorithm): Promise<PrivateKey>;
}

/** File modes kpki writes, matching the distributions. */
export const FileMode = {
  key: 0o600,
  kubeconfig: 0o600,
  cert: 0o644,
  public: 0o600,
} as const;

/** One file to write: path relative to the tree root with `/` separators. */
export interface FileWrite {
  readonly path: string;
  readonly data: Uint8Array;
  readonly mode: number;
  /** Modification time to give the file (the bootstrap record restores its files' mtimes); default now. */
  readonly mtime?: Date;
  /** Mode of directories the write has to create; default 0755 (K3s creates its server dirs 0700). */
  readonly dirMode?: number;
}

/** A set of changes that lands together or not at all. */
export interface ChangeSet {
  readonly writes: readonly FileWrite[];
  readonly deletes: readonly string[];
}

/** What a commit did. */
export interface CommitResult {
  /** Identifier of the backup holding the files as they were before the commit. */
  readonly backupId: string;
  /** Where that backup lives, for messages. */
  readonly backupPath: string;
}

/**
 * The mode a rollback gives a tree-relative path (from the layout's catalogue), or undefined
 * when the path is not a file the layout manages.
 */
export type RestoreModes = (path: string) => number | undefined;

/** A backup made by a commit. */
export interface BackupInfo {
  readonly id: string;
  readonly path: string;
  readonly createdAt: Date;
  /** The operation that made it, e.g. `renew`. */
  readonly operation: string;
  /** Paths the backup covers (relative to the tree root). */
  readonly files: readonly string[];
}

/** Read access to a certificate tree (a directory such as /etc/kubernetes). */
export interface TreeReader {
  /** Absolute root of the tree, for messages. */
  readonly root: string;
  /**
   * Reads a file relative to the root; undefined when it does not exist.
   * @throws FileAccessError `UNREADABLE` when it exists but cannot be read (permissions, a directory).
   */
  read(path: string): Promise<Uint8Array | undefined>;
  /** True when the path exists (file or directory). */
  exists(path: string): Promise<boolean>;
  /**
   * Every regular file below a tree-relative directory, recursively, as tree-relative paths with
   * their permission bits, sorted by path; empty when the directory does not exist. Optional so
   * read-only fakes need not implement it; commands that copy a directory (RKE2's
   * `server/tls-<unix>` backup) refuse to run without it.
   */
  listFiles?(dir: string): Promise<{ readonly path: string; readonly mode: number }[]>;
}

/**
 * A certificate tree with all-or-nothing changes (DESIGN.md "All or nothing"): files are written
 * to temporary names in their directory, fsynced, switched in by rename under a journal that the
 * next open rolls forward, and the directory is fsynced. The files replaced are kept as a backup.
 */
export interface TreeStore extends TreeReader {
  /**
   * Runs `work` holding the tree's lock (one kpki process per tree). A stale lock left by a dead
   * process is taken over.
   * @throws LockedError naming the pid holding the lock.
   */
  exclusive<T>(work: () => Promise<T>): Promise<T>;
  /**
   * Applies a change set atomically, after backing up every file it replaces or deletes.
   * Must be called inside {@link exclusive}. Nothing changes on disk if it throws, except with
   * `COMMIT_UNFINISHED`, where the change is committed and the next open finishes it.
   * @throws InvalidInputError `BAD_PATH` / `DUPLICATE_PATH` for a path outside the tree, a directory
   *   target or a path named twice; OperationError `NOT_LOCKED`, `WRITE_FAILED`, `COMMIT_UNFINISHED`.
   */
  commit(change: ChangeSet, operation: string): Promise<CommitResult>;
  /** Backups, newest first. */
  backups(): Promise<BackupInfo[]>;
  /**
   * Puts the files of a backup back (files that did not exist then are removed), as one commit
   * that is itself backed up. Must be called inside {@link exclusive}. With `modeOf` (the
   * layout's catalogue), every file is written with the mode it gives, and a backup naming a
   * path it does not know is refused before anything is read or written.
   * @throws ConflictError `NO_BACKUP` when there is no such backup; InvalidInputError
   *   `BAD_BACKUP` for a path `modeOf` does not know.
   */
  restore(backupId: string, modeOf?: RestoreModes): Promise<CommitResult>;
}

/** Modification times inside a tree, at the precision the file system keeps. */
export interface FileTimes {
  /**
   * Nanoseconds since the epoch of the file's mtime; undefined when it does not exist.
   * @throws InvalidInputError `BAD_PATH` for a path leaving the tree.
   */
  mtimeNs(path: string): Promise<bigint | undefined>;
}

/**
 * One key of the cluster datastore. Revisions are store-wide and increase with every change, as
 * etcd's do: `modRevision` is the revision of the key's last change, the handle for compare-and-swap.
 */
export interface DatastoreEntry {
  readonly key: string;
  readonly value: Uint8Array;
  readonly createRevision: number;
  readonly modRevision: number;
}

/** A change seen by {@link Datastore.watch}. */
export interface DatastoreEvent {
  readonly type: 'put' | 'delete';
  readonly key: string;
  /** The new value of a put. */
  readonly value?: Uint8Array;
  readonly modRevision: number;
}

/**
 * The cluster datastore holding the RKE2/K3s bootstrap record: an embedded file store for one
 * server, etcd for several. Every method is atomic; the conditional ones return undefined (never
 * throw) when their condition fails, so callers can name the conflict. Transport failures throw
 * OperationError `DATASTORE_UNAVAILABLE`; values never appear in messages.
 */
export interface Datastore {
  /** Where the store is (`file:///…`, `https://a:2379,https://b:2379`), for messages. */
  readonly description: string;
  /** The key's entry; undefined when absent. */
  get(key: string): Promise<DatastoreEntry | undefined>;
  /** Writes unconditionally; returns the new revision. */
  put(key: string, value: Uint8Array): Promise<number>;
  /** Creates the key if absent; the new revision, or undefined when it already exists. */
  create(key: string, value: Uint8Array): Promise<number | undefined>;
  /** Replaces the key if its modRevision still is `modRevision`; the new revision, or undefined. */
  compareAndSwap(key: string, value: Uint8Array, modRevision: number): Promise<number | undefined>;
  /**
   * In one step: creates `to` (which must be absent) with `value` and deletes `from` (whose
   * modRevision must still be `fromRevision`). The new revision, or undefined when either
   * condition fails, in which case nothing changed.
   */
  move(
    from: string,
    fromRevision: number,
    to: string,
    value: Uint8Array,
  ): Promise<number | undefined>;
  /** Entries whose key starts with `prefix`, in key order. */
  list(prefix: string): Promise<DatastoreEntry[]>;
  /** Deletes the key; false when it was absent. */
  delete(key: string): Promise<boolean>;
  /** Changes to keys under `prefix` made after the call, until `signal` aborts. */
  watch(prefix: string, signal: AbortSignal): AsyncIterable<DatastoreEvent>;
  /** Releases connections; the store is unusable afterwards. */
  close(): Promise<void>;
}

/** Reads files outside the tree by absolute path (the kubelet kubeconfig's client certificate reference). */
export interface ExternalFileReader {
  read(absolutePath: string): Promise<Uint8Array | undefined>;
}

/** Everything an operation needs from the world. */
export interface OpsContext {
  readonly tree: TreeStore;
  readonly clock: Clock;
  readonly keys: KeyGenerator;
  readonly random: RandomBytes;
  readonly external?: ExternalFileReader;
}
