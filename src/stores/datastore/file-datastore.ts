/**
 * The embedded datastore (the default, no server needed): a directory under the data dir holding
 * one state file with etcd-like revisions, so compare-and-swap means the same as on etcd. Every
 * change runs under the tree lock's O_EXCL lock file (one process at a time, a dead holder's lock
 * is taken over) and is written durably by file-datastore-state.ts. Reads need no lock: the state
 * file is only ever replaced by rename.
 */
import { mkdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { FileAccessError, LockedError } from '../../errors.js';
import type { Datastore, DatastoreEntry, DatastoreEvent } from '../../ops/shared/ports.js';
import { acquireLock } from '../tree-lock.js';
import { readState, sweepTemps, writeState, type StoreState } from './file-datastore-state.js';

/** Options of {@link openFileDatastore}. */
export interface FileDatastoreOptions {
  /** How long a change waits for another process's lock before failing; default 10 s. */
  readonly lockTimeoutMs?: number;
  /** Poll interval of {@link Datastore.watch}; default 200 ms. */
  readonly watchIntervalMs?: number;
  /** Create the store directory when missing (default true); false refuses a missing store. */
  readonly create?: boolean;
}

type Mutation<T> = (state: StoreState) => { readonly next?: StoreState; readonly result: T };

/**
 * Opens (creating, mode 0700, unless `create` is false) the store directory `dir` and sweeps what
 * a killed writer left.
 * @throws LockedError when another process holds the lock longer than the lock timeout;
 *   FileAccessError `NO_DATASTORE` when `create` is false and there is no directory `dir`.
 */
export async function openFileDatastore(
  dir: string,
  options: FileDatastoreOptions = {},
): Promise<Datastore> {
  const store = new FileDatastore(
    resolve(dir),
    options.lockTimeoutMs ?? 10_000,
    options.watchIntervalMs ?? 200,
  );
  if (options.create === false) {
    const info = await stat(store.dir).catch(() => undefined);
    if (!info?.isDirectory())
      throw new FileAccessError('NO_DATASTORE', `there is no embedded datastore "${store.dir}"`, {
        hint: 'save a record first (kpki bootstrap save), or name the datastore with --datastore',
      });
  } else await mkdir(store.dir, { recursive: true, mode: 0o700 });
  await store.mutate(() => ({ result: undefined }));
  return store;
}

class FileDatastore implements Datastore {
  readonly description: string;

  constructor(
    readonly dir: string,
    private readonly lockTimeoutMs: number,
    private readonly watchIntervalMs: number,
  ) {
    this.description = pathToFileURL(dir).href;
  }

  async get(key: string): Promise<DatastoreEntry | undefined> {
    return (await readState(this.dir)).entries.get(key);
  }

  async list(prefix: string): Promise<DatastoreEntry[]> {
    const { entries } = await readState(this.dir);
    return [...entries.values()]
      .filter((e) => e.key.startsWith(prefix))
      .sort((a, b) => (a.key < b.key ? -1 : 1));
  }

  put(key: string, value: Uint8Array): Promise<number> {
    return this.mutate((s) => write(s, [[key, value]], []));
  }

  create(key: string, value: Uint8Array): Promise<number | undefined> {
    return this.mutate((s) =>
      s.entries.has(key) ? { result: undefined } : write(s, [[key, value]], []),
    );
  }

  compareAndSwap(key: string, value: Uint8Array, modRevision: number): Promise<number | undefined> {
    return this.mutate((s) =>
      s.entries.get(key)?.modRevision === modRevision
        ? write(s, [[key, value]], [])
        : { result: undefined },
    );
  }

  move(
    from: string,
    fromRevision: number,
    to: string,
    value: Uint8Array,
  ): Promise<number | undefined> {
    return this.mutate((s) => {
      if (s.entries.get(from)?.modRevision !== fromRevision || s.entries.has(to))
        return { result: undefined };
      return write(s, [[to, value]], [from]);
    });
  }

  delete(key: string): Promise<boolean> {
    return this.mutate((s) =>
      s.entries.has(key) ? { next: write(s, [], [key]).next, result: true } : { result: false },
    );
  }

  async *watch(prefix: string, signal: AbortSignal): AsyncIterable<DatastoreEvent> {
    // Polling: fs.watch is unreliable across file systems and the store changes rarely. Changes
    // between two polls collapse into one event per key (the latest), like a compacted etcd watch.
    let seen = await this.list(prefix);
    while (!signal.aborted) {
      await sleep(this.watchIntervalMs, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) return;
      const now = await this.list(prefix);
      yield* diff(seen, now, (await readState(this.dir)).revision);
      seen = now;
    }
  }

  async close(): Promise<void> {
    // Nothing held between calls.
  }

  /** Runs `change` on the current state under the lock and writes the state it returns. */
  async mutate<T>(change: Mutation<T>): Promise<T> {
    const release = await this.lock();
    try {
      await sweepTemps(this.dir);
      const { next, result } = change(await readState(this.dir));
      if (next) await writeState(this.dir, next);
      return result;
    } finally {
      await release();
    }
  }

  private async lock(): Promise<() => Promise<void>> {
    const deadline = Date.now() + this.lockTimeoutMs;
    for (let delay = 5; ; delay = Math.min(delay * 2, 200)) {
      try {
        return await acquireLock(join(this.dir, 'lock'), { tree: this.dir, now: new Date() });
      } catch (error) {
        if (!(error instanceof LockedError) || Date.now() + delay > deadline) {
          if (error instanceof LockedError)
            throw new LockedError(
              `the datastore "${this.dir}" stayed locked for ${this.lockTimeoutMs} ms`,
              { cause: error, hint: error.hint ?? '' },
            );
          throw error;
        }
        await sleep(delay);
      }
    }
  }
}

/** The state after putting `puts` and deleting `deletes`, all at the next revision. */
function write(
  state: StoreState,
  puts: readonly [string, Uint8Array][],
  deletes: readonly string[],
): { next: StoreState; result: number } {
  const revision = state.revision + 1;
  const entries = new Map(state.entries);
  for (const key of deletes) entries.delete(key);
  for (const [key, value] of puts) {
    entries.set(key, {
      key,
      value,
      createRevision: entries.get(key)?.createRevision ?? revision,
      modRevision: revision,
    });
  }
  return { next: { revision, entries }, result: revision };
}

function diff(
  before: readonly DatastoreEntry[],
  after: readonly DatastoreEntry[],
  revision: number,
): DatastoreEvent[] {
  const old = new Map(before.map((e) => [e.key, e.modRevision]));
  const events: DatastoreEvent[] = after
    .filter((e) => old.get(e.key) !== e.modRevision)
    .map((e) => ({ type: 'put', key: e.key, value: e.value, modRevision: e.modRevision }));
  const keys = new Set(after.map((e) => e.key));
  for (const e of before)
    if (!keys.has(e.key)) events.push({ type: 'delete', key: e.key, modRevision: revision });
  return events.sort((a, b) => a.modRevision - b.modRevision);
}
