/**
 * One kpki process per tree: an O_EXCL lock file holding the owner's pid. A lock whose process is
 * gone (killed) is stale and taken over.
 */
import { randomBytes } from 'node:crypto';
import { link, open, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { LockedError } from '../errors.js';

interface LockOwner {
  readonly pid: number;
  readonly hostname: string;
  readonly startedAt: string;
}

/** Takes the lock at `path`, returning its release function. @throws LockedError when a live process holds it. */
export async function acquireLock(path: string, now: Date): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await createComplete(path, { pid: process.pid, hostname: hostname(), startedAt: now.toISOString() });
      return async () => {
        await rm(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = await readOwner(path);
      if (owner && owner.hostname === hostname() && isAlive(owner.pid)) {
        throw new LockedError(`the tree is locked by kpki pid ${owner.pid} (started ${owner.startedAt}); lock file "${path}"`, {
          hint: 'wait for that command to finish; if no kpki runs, remove the lock file',
        });
      }
      // Stale: the owner died without releasing. Remove it and try once more.
      await rm(path, { force: true });
    }
  }
  throw new LockedError(`cannot take the lock "${path}": another process keeps taking it`);
}

/**
 * Creates the lock file with its content already in place: written under a private name, then
 * hard-linked to `path` (EEXIST when taken). With open(O_EXCL)+write, a contender could read the
 * still-empty file, judge it stale and remove a live lock.
 */
async function createComplete(path: string, owner: LockOwner): Promise<void> {
  const tmp = `${path}.${process.pid}-${randomBytes(4).toString('hex')}`;
  const handle = await open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(JSON.stringify(owner));
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(tmp, path);
  } finally {
    await rm(tmp, { force: true });
  }
}

async function readOwner(path: string): Promise<LockOwner | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
