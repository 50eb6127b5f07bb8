import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { openTreeStore } from './fs-tree-store.js';
import { tempDir } from '../../test/support/tools.js';
import { LockedError } from '../errors.js';

const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
after(() => sleeper.kill('SIGKILL'));
const deadPid = (): number => spawnSync('true').pid ?? 0;

function treeLockedBy(record: object | string): string {
  const dir = tempDir();
  mkdirSync(join(dir, '.kpki'), { mode: 0o700 });
  writeFileSync(
    join(dir, '.kpki/lock'),
    typeof record === 'string' ? record : JSON.stringify(record),
  );
  return dir;
}

describe('tree lock', () => {
  const refused: Record<string, { record: () => object | string; message: RegExp }> = {
    'a live kpki on this host': {
      record: () => ({
        pid: sleeper.pid,
        hostname: hostname(),
        startedAt: '2026-11-24T17:05:01.000Z',
      }),
      message: /^tree ".*" is locked by kpki pid \d+ \(started 2026-11-24T17:05:01.000Z\)$/,
    },
    'a kpki on another host (its pid cannot be checked)': {
      record: () => ({ pid: deadPid(), hostname: 'other-node', startedAt: 'x' }),
      message: /locked by kpki pid \d+ on host "other-node"/,
    },
    'an unreadable lock record': {
      record: () => 'garbage',
      message: /lock file ".*" cannot be read/,
    },
    'a record naming pid 0 (a process group, not a process)': {
      record: () => ({ pid: 0, hostname: hostname(), startedAt: 'x' }),
      message: /locked by kpki pid 0/,
    },
  };
  for (const [name, { record, message }] of Object.entries(refused)) {
    it(`refuses a tree locked by ${name}, leaving the lock`, async () => {
      const dir = treeLockedBy(record());
      const before = readFileSync(join(dir, '.kpki/lock'), 'utf8');
      const store = await openTreeStore(dir);
      let ran = false;
      await assert.rejects(
        store.exclusive(() => Promise.resolve((ran = true))),
        (e: unknown) => e instanceof LockedError && message.test(e.message),
      );
      assert.equal(ran, false);
      assert.equal(readFileSync(join(dir, '.kpki/lock'), 'utf8'), before);
    });
  }

  it('takes over a stale lock whose pid has exited, and releases it afterwards', async () => {
    const dir = treeLockedBy({ pid: deadPid(), hostname: hostname(), startedAt: 'x' });
    const store = await openTreeStore(dir);
    const holder = await store.exclusive(() =>
      Promise.resolve(JSON.parse(readFileSync(join(dir, '.kpki/lock'), 'utf8')) as { pid: number }),
    );
    assert.equal(holder.pid, process.pid);
    assert.equal(existsSync(join(dir, '.kpki/lock')), false);
  });

  it('waits up to lockWaitMs for a live holder, then takes the lock once the holder is gone', async () => {
    const child = spawn('sleep', ['60'], { stdio: 'ignore' });
    const dir = treeLockedBy({ pid: child.pid, hostname: hostname(), startedAt: 'x' });
    setTimeout(() => child.kill('SIGKILL'), 300);
    const store = await openTreeStore(dir, { lockWaitMs: 10_000 });
    const started = Date.now();
    assert.equal(await store.exclusive(() => Promise.resolve('ran')), 'ran');
    assert.ok(Date.now() - started >= 250, 'it waited for the holder');
  });

  it('lets only one of two concurrent exclusive sections in', async () => {
    const dir = tempDir();
    const [a, b] = [await openTreeStore(dir), await openTreeStore(dir)];
    let release: () => void = () => undefined;
    const first = a.exclusive(() => new Promise<void>((resolve) => (release = resolve)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await assert.rejects(
      b.exclusive(() => Promise.resolve()),
      new RegExp(`locked by kpki pid ${process.pid}`),
    );
    release();
    await first;
    await b.exclusive(() => Promise.resolve());
  });

  it('on release, leaves a lock that is no longer its own', async () => {
    const dir = tempDir();
    const store = await openTreeStore(dir);
    const other = JSON.stringify({ pid: sleeper.pid, hostname: hostname(), startedAt: 'y' });
    await store.exclusive(() => {
      renameSync(join(dir, '.kpki/lock'), join(dir, '.kpki/mine'));
      writeFileSync(join(dir, '.kpki/lock'), other);
      return Promise.resolve();
    });
    assert.equal(readFileSync(join(dir, '.kpki/lock'), 'utf8'), other);
  });
});
