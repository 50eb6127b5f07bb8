/**
 * `bootstrap restore`: the datastore's record → the server's files, as K3s reconciles on start
 * (§8.5): a server missing one of its cred/tls/etcd dirs takes everything; otherwise each stored
 * file missing on disk or older there is updated, and a disk file at least 3 s newer than the
 * record stops the restore (it could be a rotation not yet saved) unless forced. When anything
 * needs updating, every stored file is written — one all-or-nothing commit of the tree store,
 * which backs up the files it replaces — with mode 0600, dirs 0700 and the record's mtimes.
 */
import { ConflictError } from '../../../errors.js';
import {
  BOOTSTRAP_REQUIRED_DIRS,
  GO_ZERO_TIME_NS,
  bootstrapFieldsFor,
  type BootstrapFile,
  type ServerProduct,
} from '../../../layouts/bootstrap-record.js';
import { loadBootstrapRecord } from './record-io.js';
import { checkBootstrapRecordFiles } from './record-check.js';
import type { Datastore, FileTimes, FileWrite, TreeStore } from '../../shared/ports.js';

/** Inputs of {@link restoreBootstrap}. `tree` is rooted at the data dir. */
export interface BootstrapRestoreParams {
  readonly tree: TreeStore;
  readonly times: FileTimes;
  readonly store: Datastore;
  readonly token: string;
  readonly product: ServerProduct;
  /** Write even over disk files newer than the record (they are in the commit's backup). */
  readonly force: boolean;
}

/** What {@link restoreBootstrap} did. */
export interface BootstrapRestoreResult {
  readonly key: string;
  /** Data-dir paths written; empty when the disk already matched. */
  readonly written: readonly string[];
  /** Paths that were newer on disk and overwritten because of `force`. */
  readonly overwrittenNewer: readonly string[];
  /** Record fields kpki has no file for (kept in the record, not written). */
  readonly ignored: readonly string[];
  readonly backupId?: string;
  readonly backupPath?: string;
}

/** Seconds K3s tolerates between a disk mtime and the stored timestamp before calling the disk newer. */
const NEWER_SECONDS = 3n;

/**
 * Restores the record's files. Must run inside `tree.exclusive`. Nothing changes on disk when it throws.
 * @throws ConflictError `DISK_NEWER` naming the newer files; ValidationError `BAD_RECORD` for a
 *   record whose CA certificates, CA keys or service key are not what they claim (nothing written,
 *   see record-check.ts); the errors of loadBootstrapRecord.
 */
export async function restoreBootstrap(
  params: BootstrapRestoreParams,
): Promise<BootstrapRestoreResult> {
  const stored = await loadBootstrapRecord(params.store, params.token);
  const fields = bootstrapFieldsFor(params.product);
  const files = fields.flatMap((f) => {
    const file = stored.record.get(f.name);
    return file ? [{ path: f.path, file }] : [];
  });
  const ignored = [...stored.record.keys()].filter((name) => !fields.some((f) => f.name === name));
  // Before comparing with the disk: a record that cannot serve as this server's CAs is refused whole.
  checkBootstrapRecordFiles(stored.key, fields, stored.record);
  const fresh = (
    await Promise.all(BOOTSTRAP_REQUIRED_DIRS.map((dir) => params.tree.exists(dir)))
  ).includes(false);
  const { update, newer } = fresh
    ? { update: files.length > 0, newer: [] }
    : await compareWithDisk(params, files);
  if (newer.length > 0 && !params.force) {
    throw new ConflictError(
      'DISK_NEWER',
      `refusing to restore: ${newer.map((p) => `"${params.tree.root}/${p}"`).join(', ')} newer than datastore and could cause a cluster outage`,
      {
        hint: 'if the disk is right, save it with: kpki bootstrap save --override; otherwise remove the file(s) and restore again, or restore with --force (the files are backed up first)',
      },
    );
  }
  if (!update && newer.length === 0)
    return { key: stored.key, written: [], overwrittenNewer: [], ignored };
  const writes: FileWrite[] = files.map(({ path, file }) => ({
    path,
    data: file.content,
    mode: 0o600,
    dirMode: 0o700,
    // Legacy records carry Go's zero time; giving a file year 1 helps nobody, so those get "now".
    ...(file.timestampNs !== GO_ZERO_TIME_NS && {
      mtime: new Date(Number(file.timestampNs / 1_000_000n)),
    }),
  }));
  const backup = await params.tree.commit({ writes, deletes: [] }, 'bootstrap-restore');
  return {
    key: stored.key,
    written: writes.map((w) => w.path),
    overwrittenNewer: newer,
    ignored,
    backupId: backup.backupId,
    backupPath: backup.backupPath,
  };
}

async function compareWithDisk(
  params: BootstrapRestoreParams,
  files: readonly { path: string; file: BootstrapFile }[],
): Promise<{ update: boolean; newer: string[] }> {
  let update = false;
  const newer: string[] = [];
  for (const { path, file } of files) {
    const disk = await params.tree.read(path);
    if (disk === undefined) {
      update = true;
      continue;
    }
    if (Buffer.from(disk).equals(Buffer.from(file.content))) continue;
    const mtime = (await params.times.mtimeNs(path)) ?? 0n;
    if (unixSeconds(mtime) - unixSeconds(file.timestampNs) >= NEWER_SECONDS) newer.push(path);
    else update = true;
  }
  return { update, newer };
}

/** Go's `Time.Unix()`: seconds, rounded toward minus infinity. */
function unixSeconds(ns: bigint): bigint {
  const s = ns / 1_000_000_000n;
  return ns < 0n && s * 1_000_000_000n !== ns ? s - 1n : s;
}
