/**
 * One kpki process per tree: a lock file holding the owner's pid, host and start time. The record
 * is written to a private temp and hard-linked into place, so the lock never exists half-written
 * (a reader could otherwise judge an empty lock stale and steal it). A lock whose process is gone
 * on this host is stale and taken over; one from another host is never guessed at.
 */
import { link, lstat, readdir, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LockedError } from '../errors.js';
import { readBoundedText } from './bounded-read.js';
import { writeNewFile } from './fs-sync.js';

interface LockOwner {
  readonly pid: number;
  readonly hostname: string;
  readonly startedAt: string;
}

/** Options of {@link acquireLock}. */
export interface AcquireLockOptions {
  /** The tree the lock guards, for messages. */
  readonly tree: string;
  /** Start time written into the lock record. */
  readonly now: Date;
  /** How long to wait for a live holder before failing; 0 (default) fails at once. */
  readonly waitMs?: number;
}

const POLL_MS = 50;
const MAX_ATTEMPTS = 1000;

/**
 * Takes the lock at `path` (creating the lock record) and returns its release function, which
 * removes the lock only if it is still this process's.
 * @throws LockedError when a live process (or one on another host, or an unreadable record)
 *   holds it past `waitMs`.
 */
export async function acquireLock(
  path: string,
  options: AcquireLockOptions,
): Promise<() => Promise<void>> {
  const owner: LockOwner = {
    pid: process.pid,
    hostname: hostname(),
    startedAt: options.now.toISOString(),
  };
  // Unique per call: two acquisitions in one process (the datastore's concurrent CAS) must not share it.
  const record = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await rm(record, { force: true });
  await writeNewFile(record, new TextEncoder().encode(JSON.stringify(owner)), 0o600);
  const deadline = Date.now() + (options.waitMs ?? 0);
  try {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const taken = await tryLink(record, path);
      if (taken !== undefined) return () => releaseLock(path, taken);
      const holder = await inspectHolder(path);
      if (holder === undefined) continue;
      if (holder.stale) {
        await breakStale(path, holder.ino);
        continue;
      }
      if (Date.now() >= deadline) throw lockedError(options.tree, path, holder.owner);
      await sleep(POLL_MS);
    }
    throw new LockedError(
      `cannot take the lock of tree "${options.tree}" ("${path}"): other processes keep taking it`,
    );
  } finally {
    await rm(record, { force: true });
  }
}

/** Removes lock records (`lock.<pid>.<hex>.tmp`) left by killed processes; the caller holds the lock. */
export async function removeDeadLockRecords(path: string): Promise<void> {
  const prefix = `${basename(path)}.`;
  for (const name of await readdir(dirname(path)).catch(() => [] as string[])) {
    const pid = Number(/^(\d+)\.(?:[0-9a-f]+\.)?tmp$/.exec(name.slice(prefix.length))?.[1] ?? NaN);
    if (name.startsWith(prefix) && Number.isInteger(pid) && pid > 0 && !isAlive(pid))
      await rm(join(dirname(path), name), { force: true });
  }
}

/** Links the record into place; the new lock's inode, or undefined when the lock exists. */
async function tryLink(record: string, path: string): Promise<bigint | undefined> {
  try {
    await link(record, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw error;
  }
  return (await lstat(path, { bigint: true })).ino;
}

interface Holder {
  readonly ino: bigint;
  readonly owner: LockOwner | undefined;
  readonly stale: boolean;
}

/** Who holds the lock; undefined when it vanished meanwhile (retry at once). */
async function inspectHolder(path: string): Promise<Holder | undefined> {
  const info = await lstat(path, { bigint: true }).catch(() => undefined);
  if (!info) return undefined;
  // Bounded and without following a link: a planted FIFO or /dev/zero is an unreadable record.
  const owner = await readBoundedText(path, 'record', { noFollow: true })
    .then((text) => JSON.parse(text ?? '') as LockOwner)
    .catch(() => undefined);
  // Only a dead pid on this host is provably stale; an unreadable record or another host's is held.
  const stale =
    owner !== undefined &&
    owner.hostname === hostname() &&
    Number.isInteger(owner.pid) &&
    owner.pid > 0 &&
    !isAlive(owner.pid);
  return { ino: info.ino, owner, stale };
}

/**
 * Removes a stale lock by inode, not by name: it is renamed aside first, and if what was renamed
 * is not the stale lock (another process took over meanwhile) it is linked back.
 */
async function breakStale(path: string, staleIno: bigint): Promise<void> {
  const aside = `${path}.stale-${randomBytes(4).toString('hex')}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = await lstat(aside, { bigint: true });
  if (moved.ino !== staleIno) await link(aside, path).catch(() => undefined);
  await rm(aside, { force: true });
}

async function releaseLock(path: string, ino: bigint): Promise<void> {
  const info = await lstat(path, { bigint: true }).catch(() => undefined);
  if (info?.ino === ino) await rm(path, { force: true });
}

function lockedError(tree: string, path: string, owner: LockOwner | undefined): LockedError {
  if (owner === undefined) {
    return new LockedError(`tree "${tree}" is locked: the lock file "${path}" cannot be read`, {
      hint: 'if no kpki runs on this tree, remove the lock file',
    });
  }
  const where = owner.hostname === hostname() ? '' : ` on host "${owner.hostname}"`;
  return new LockedError(
    `tree "${tree}" is locked by kpki pid ${owner.pid}${where} (started ${owner.startedAt})`,
    {
      hint: `wait for that command to finish; if no kpki runs, remove "${path}"`,
    },
  );
}

/** Whether `pid` (> 0: 0 and negatives name process groups) runs on this host; EPERM means it exists under another user. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
