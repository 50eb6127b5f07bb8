/**
 * The embedded datastore's on-disk state: one JSON file holding every key with etcd-like
 * revisions. The data is tiny (one bootstrap record per token), so the whole state is rewritten
 * on each change, by temp file + fsync + rename + directory fsync: a crash leaves either the old
 * or the new file, never a mix, and a half-written temp file is just garbage to sweep.
 */
import { readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { OperationError } from '../../errors.js';
import type { DatastoreEntry } from '../../ops/shared/ports.js';
import { readBoundedText } from '../bounded-read.js';
import { syncDir, writeNewFile } from '../fs-sync.js';

/** Name of the state file inside the store directory. */
export const STATE_FILE = 'datastore.json';
const TEMP_PREFIX = `${STATE_FILE}.tmp-`;
const FORMAT = 'kpki-datastore/1';

/** The whole store in memory. */
export interface StoreState {
  readonly revision: number;
  readonly entries: ReadonlyMap<string, DatastoreEntry>;
}

interface StoredEntry {
  readonly value: string;
  readonly createRevision: number;
  readonly modRevision: number;
}

/** The state of a store never written to. */
export const EMPTY_STATE: StoreState = { revision: 0, entries: new Map() };

/**
 * Reads the state file of `dir`; the empty state when there is none.
 * @throws OperationError `CORRUPT_DATASTORE` when the file exists but is not a state file.
 */
export async function readState(dir: string): Promise<StoreState> {
  const path = join(dir, STATE_FILE);
  let text: string;
  try {
    const read = await readBoundedText(path, 'record');
    if (read === undefined) return EMPTY_STATE;
    text = read;
  } catch (error) {
    throw new OperationError('DATASTORE_UNAVAILABLE', `cannot read the datastore file "${path}"`, {
      cause: error,
    });
  }
  try {
    const parsed = JSON.parse(text) as {
      format?: unknown;
      revision?: unknown;
      entries?: Record<string, StoredEntry>;
    };
    if (
      parsed.format !== FORMAT ||
      typeof parsed.revision !== 'number' ||
      typeof parsed.entries !== 'object' ||
      parsed.entries === null
    )
      throw new Error('bad shape');
    const entries = new Map<string, DatastoreEntry>();
    for (const [key, e] of Object.entries(parsed.entries)) {
      if (
        typeof e.value !== 'string' ||
        !Number.isSafeInteger(e.createRevision) ||
        !Number.isSafeInteger(e.modRevision)
      )
        throw new Error('bad entry');
      entries.set(key, {
        key,
        value: new Uint8Array(Buffer.from(e.value, 'base64')),
        createRevision: e.createRevision,
        modRevision: e.modRevision,
      });
    }
    return { revision: parsed.revision, entries };
  } catch {
    throw new OperationError('CORRUPT_DATASTORE', `the datastore file "${path}" is corrupted`, {
      hint: 'restore it from a backup, or move it away and save the record again with: kpki bootstrap save',
    });
  }
}

/** Replaces the state file of `dir` durably (see the file comment). Call with the store's lock held. */
export async function writeState(dir: string, state: StoreState): Promise<void> {
  const entries: Record<string, StoredEntry> = {};
  for (const [key, e] of [...state.entries].sort(([a], [b]) => (a < b ? -1 : 1))) {
    entries[key] = {
      value: Buffer.from(e.value).toString('base64'),
      createRevision: e.createRevision,
      modRevision: e.modRevision,
    };
  }
  const tmp = join(dir, `${TEMP_PREFIX}${process.pid}-${Date.now().toString(36)}`);
  await writeNewFile(
    tmp,
    new TextEncoder().encode(JSON.stringify({ format: FORMAT, revision: state.revision, entries })),
    0o600,
  );
  try {
    await rename(tmp, join(dir, STATE_FILE));
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  await syncDir(dir);
}

/** Removes temp files a killed writer left. Call with the store's lock held. */
export async function sweepTemps(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => []);
  await Promise.all(
    names.filter((n) => n.startsWith(TEMP_PREFIX)).map((n) => rm(join(dir, n), { force: true })),
  );
}
