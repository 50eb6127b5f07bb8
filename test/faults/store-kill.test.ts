/**
 * DESIGN.md "All or nothing" for the tree store alone, with real kills: a six-file commit
 * (store-commit-script.ts) is SIGKILLed by strace before every rename, unlink, link and mkdir it
 * makes; the next open must leave the whole old set or the whole new set, no temp, no partial
 * backup, and a backup exactly when the new set is in place.
 *
 * strace counts `when=K` per thread, and promise fs calls run on libuv's pool, so the script runs
 * with UV_THREADPOOL_SIZE=1: the K-th call of a syscall is then the K-th of the process.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openTreeStore } from '../../src/stores/fs-tree-store.js';
import { tempDir } from '../support/tools.js';
import { STORE_KILL_CHANGE, STORE_KILL_OLD } from './store-kill-change.js';

const SYSCALLS = ['rename', 'unlink', 'link', 'mkdir'];
const SCRIPT = join(import.meta.dirname, 'store-commit-script.ts');
const ENV = { ...process.env, UV_THREADPOOL_SIZE: '1' };

function oldTree(): string {
  const dir = tempDir('kpki-store-kill-');
  mkdirSync(join(dir, 'pki'));
  for (const [path, text] of Object.entries(STORE_KILL_OLD)) writeFileSync(join(dir, path), text);
  return dir;
}

function strace(args: readonly string[], dir: string): number | null {
  return spawnSync(
    'strace',
    ['-f', '-qq', ...args, process.execPath, '--import', 'tsx', SCRIPT, dir],
    { env: ENV, stdio: 'ignore' },
  ).status;
}

/** Calls of each syscall in an unkilled run. */
function countCalls(): Record<string, number> {
  // A first run warms tsx's compile cache: a cold cache makes mkdir calls that later runs do not.
  spawnSync(process.execPath, ['--import', 'tsx', SCRIPT, oldTree()], {
    env: ENV,
    stdio: 'ignore',
  });
  const dir = oldTree();
  const out = join(tempDir(), 'counts.txt');
  assert.equal(
    strace(['-c', '-o', out, '-e', `trace=${SYSCALLS.join(',')}`], dir),
    0,
    'the traced run commits',
  );
  const counts: Record<string, number> = {};
  for (const line of readFileSync(out, 'utf8').split('\n')) {
    const cols = line.trim().split(/\s+/);
    const name = cols[cols.length - 1] ?? '';
    if (SYSCALLS.includes(name)) counts[name] = Number(cols[3]);
  }
  return counts;
}

/** `old`, `new`, or a description of the mix. */
function setState(dir: string): string {
  const states = STORE_KILL_CHANGE.writes.map((w) => {
    const path = join(dir, w.path);
    if (!existsSync(path)) return w.path in STORE_KILL_OLD ? `${w.path} missing` : 'old';
    const text = readFileSync(path, 'utf8');
    return text === new TextDecoder().decode(w.data)
      ? 'new'
      : text === STORE_KILL_OLD[w.path]
        ? 'old'
        : `${w.path} garbled`;
  });
  return new Set(states).size === 1 ? (states[0] ?? '') : states.join(', ');
}

function leftovers(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter(
    (n) =>
      n.includes('.kpki-tmp-') ||
      n.endsWith('.partial') ||
      (n.endsWith('.json') && !n.endsWith('manifest.json')),
  );
}

describe('tree store commit under SIGKILL', () => {
  it('converges to the whole old or the whole new set after a kill before any rename, unlink, link or mkdir', async () => {
    const counts = countCalls();
    assert.ok(
      (counts.rename ?? 0) >= 8,
      `a six-file commit renames at least 8 times, saw ${counts.rename}`,
    );
    let tried = 0;
    let mixed = 0;
    for (const syscall of SYSCALLS) {
      for (let k = 1; k <= (counts[syscall] ?? 0); k++) {
        const dir = oldTree();
        const status = strace(
          [
            '-o',
            '/dev/null',
            '-e',
            `trace=${syscall}`,
            '-e',
            `inject=${syscall}:signal=SIGKILL:when=${k}`,
          ],
          dir,
        );
        assert.notEqual(status, 0, `${syscall} #${k} was reached and killed the commit`);
        tried++;
        const store = await openTreeStore(dir);
        const state = setState(dir);
        const backups = (await store.backups()).length;
        const consistent = (state === 'old' && backups === 0) || (state === 'new' && backups === 1);
        if (!consistent || leftovers(dir).length > 0) {
          mixed++;
          console.log(
            `after a kill at ${syscall} #${k}: ${state}; ${backups} backups; left over: ${leftovers(dir).join(', ')}`,
          );
        }
        rmSync(dir, { recursive: true, force: true });
      }
    }
    console.log(
      `store-kill: ${tried} kill points (${SYSCALLS.map((s) => `${s} ${counts[s] ?? 0}`).join(', ')}), ${mixed} mixed`,
    );
    assert.equal(mixed, 0);
  });
});
