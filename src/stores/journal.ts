/**
 * The transaction records of a commit, in `.kpki/`, and how a later run finishes or undoes them.
 *
 * - `pending.json` is written before the first temp or backup byte: it names what a commit killed
 *   before its commit point leaves behind (temps, the partial backup, directories it created).
 * - `journal.json` is written (temp, fsync, rename, fsync of `.kpki`) once every temp is durable:
 *   its appearance is the commit point. From then on the commit is rolled forward, never back.
 *
 * Paths in both are tree-relative and re-validated when read, so a record copied with the tree
 * (or planted) cannot make recovery rename or delete anything outside it.
 */
import { lstat, rename, rm, rmdir, unlink } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { OperationError } from '../errors.js';
import { readBoundedText } from './bounded-read.js';
import { discardPartialBackup, finalizeBackup } from './backup-dir.js';
import { replaceFile, syncDir } from './fs-sync.js';
import { assertNoLinkOnPath, assertTrustedState } from './state-guard.js';
import { resolveInTree, tempPathFor } from './tree-paths.js';

/** One commit's plan, as recorded in `pending.json` and `journal.json`. */
export interface TxRecord {
  readonly txid: string;
  readonly backupId: string;
  /** Temps to rename over their targets, in order (tree-relative). */
  readonly renames: readonly { readonly tmp: string; readonly target: string }[];
  /** Files to delete (tree-relative). */
  readonly deletes: readonly string[];
  /** Directories the commit creates, parents first (tree-relative). */
  readonly createdDirs: readonly string[];
}

/** The record files. */
export const PENDING = 'pending.json';
export const JOURNAL = 'journal.json';

/** Where a tree keeps its state and backups. */
export interface StatePaths {
  readonly root: string;
  readonly stateDir: string;
  readonly backupsDir: string;
}

/** Writes a record durably (temp, fsync, rename, fsync of the state directory). */
export async function writeRecord(
  paths: StatePaths,
  name: string,
  record: TxRecord,
): Promise<void> {
  await replaceFile(
    join(paths.stateDir, name),
    paths.stateDir,
    new TextEncoder().encode(JSON.stringify(record)),
  );
}

/**
 * Reads a record; undefined when there is none.
 * @throws OperationError `BAD_JOURNAL` when it exists but is not a valid record for this tree
 *   (guessing would risk a mixed tree, so a person must look).
 */
export async function readRecord(paths: StatePaths, name: string): Promise<TxRecord | undefined> {
  const file = join(paths.stateDir, name);
  // A record another user could have written is never acted on (UNSAFE_STATE, before any read).
  await assertTrustedState(file, 'file');
  const text = await readBoundedText(file, 'record', { noFollow: true });
  if (text === undefined) return undefined;
  try {
    const record = JSON.parse(text) as TxRecord;
    validateRecord(paths.root, record);
    return record;
  } catch (error) {
    throw new OperationError(
      'BAD_JOURNAL',
      `the transaction record "${file}" is damaged; kpki cannot tell whether to finish or undo it`,
      {
        cause: error,
        hint: `compare the tree with the newest backup in "${paths.backupsDir}", then remove the record`,
      },
    );
  }
}

function validateRecord(root: string, record: TxRecord): void {
  if (
    typeof record.txid !== 'string' ||
    !/^[a-z0-9-]+$/.test(record.txid) ||
    typeof record.backupId !== 'string' ||
    /[/\\]|^\.\.?$/.test(record.backupId)
  ) {
    throw new Error('bad transaction id or backup id');
  }
  for (const { tmp, target } of record.renames) {
    resolveInTree(root, target);
    if (tmp !== relativeTempPath(target, record.txid))
      throw new Error(`temp "${tmp}" does not belong to "${target}"`);
  }
  for (const path of [...record.deletes, ...record.createdDirs]) resolveInTree(root, path);
}

/**
 * Finishes a committed transaction (idempotent, so a kill during it is finished by the next run):
 * renames each temp that still exists over its target, deletes the deletes, fsyncs the touched
 * directories, publishes the backup, then removes the records.
 */
export async function rollForward(paths: StatePaths, record: TxRecord): Promise<void> {
  await assertRecordPaths(paths.root, record);
  const abs = (path: string): string => join(paths.root, ...path.split('/'));
  const dirs = new Set<string>(record.createdDirs.map((d) => dirname(abs(d))));
  for (const { tmp, target } of record.renames) {
    // A temp that is gone was renamed before the kill: temp names are unique per transaction.
    if (await lstat(abs(tmp)).catch(() => undefined)) await rename(abs(tmp), abs(target));
    dirs.add(dirname(abs(target)));
  }
  for (const path of record.deletes) {
    await removeFile(abs(path));
    dirs.add(dirname(abs(path)));
  }
  for (const dir of dirs) await syncDir(dir);
  await finalizeBackup(paths.backupsDir, record.backupId);
  // pending goes before the journal: pending without a journal would mean "undo".
  await rm(join(paths.stateDir, PENDING), { force: true });
  await rm(join(paths.stateDir, JOURNAL), { force: true });
  await syncDir(paths.stateDir);
}

/**
 * Undoes a transaction that never reached its commit point: removes its temps, its partial backup
 * and the directories it created (only if still empty), then the pending record. The tree's own
 * files were never touched.
 */
export async function rollBack(paths: StatePaths, record: TxRecord): Promise<void> {
  await assertRecordPaths(paths.root, record);
  for (const { tmp } of record.renames) await removeFile(join(paths.root, ...tmp.split('/')));
  await discardPartialBackup(paths.backupsDir, record.backupId);
  for (const dir of [...record.createdDirs].reverse())
    await rmdir(join(paths.root, ...dir.split('/'))).catch(() => undefined);
  await rm(join(paths.stateDir, PENDING), { force: true });
  await syncDir(paths.stateDir);
}

/**
 * Checks, before the first rename or delete, that no path of `record` passes through a symlink
 * on disk (a planted `r -> /` would carry `r/tmp/v` out of the tree). Targets and deletes may
 * themselves be links: rename and unlink replace a link, never write through it.
 * @throws FileAccessError `UNSAFE_PATH`.
 */
async function assertRecordPaths(root: string, record: TxRecord): Promise<void> {
  for (const { tmp, target } of record.renames) {
    await assertNoLinkOnPath(root, tmp);
    await assertNoLinkOnPath(root, target, true);
  }
  for (const path of record.deletes) await assertNoLinkOnPath(root, path, true);
  for (const dir of record.createdDirs) await assertNoLinkOnPath(root, dir);
}

/** Removes a file; a path that is missing or whose "directory" is a file is already gone. */
async function removeFile(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
  }
}

/** Tree-relative temp name of `target` for `txid`. */
export function relativeTempPath(target: string, txid: string): string {
  return posix.join(posix.dirname(target), posix.basename(tempPathFor(target, txid)));
}

/**
 * Brings the tree to a committed state after a kill: rolls a journal forward, or else rolls a
 * pending record back. The caller holds the tree lock. Returns what it did.
 * @throws OperationError `BAD_JOURNAL` for a damaged record; fs errors from the roll.
 */
export async function recoverTransaction(paths: StatePaths): Promise<'none' | 'forward' | 'back'> {
  const journal = await readRecord(paths, JOURNAL);
  if (journal) {
    await rollForward(paths, journal);
    return 'forward';
  }
  const pending = await readRecord(paths, PENDING);
  if (!pending) return 'none';
  await rollBack(paths, pending);
  return 'back';
}
