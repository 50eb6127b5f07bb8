import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { openTreeStore } from './fs-tree-store.js';
import {
  JOURNAL,
  PENDING,
  relativeTempPath,
  writeRecord,
  type StatePaths,
  type TxRecord,
} from './journal.js';
import { writePartialBackup } from './backup-dir.js';
import { hashTree, tempDir } from '../../test/support/tools.js';
import { OperationError } from '../errors.js';

const FILES = ['pki/a.crt', 'pki/a.key', 'pki/etcd/b.crt'];
const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
after(() => sleeper.kill('SIGKILL'));

/** A tree holding the old set, and the record of a commit writing the new set (pki/etcd is new). */
async function crashedTree(): Promise<{
  dir: string;
  paths: StatePaths;
  record: TxRecord;
  tmp: (i: number) => string;
}> {
  const dir = tempDir();
  mkdirSync(join(dir, 'pki'));
  for (const path of FILES.slice(0, 2)) writeFileSync(join(dir, path), `old ${path}`);
  const paths: StatePaths = {
    root: dir,
    stateDir: join(dir, '.kpki'),
    backupsDir: join(dir, '.kpki/backups'),
  };
  mkdirSync(paths.backupsDir, { recursive: true, mode: 0o700 });
  const txid = 'lx1-abcdef';
  const record: TxRecord = {
    txid,
    backupId: '20261124T170501Z-renew-abcd',
    renames: FILES.map((target) => ({ tmp: relativeTempPath(target, txid), target })),
    deletes: [],
    createdDirs: ['pki/etcd'],
  };
  await writeRecord(paths, PENDING, record);
  await writePartialBackup(dir, paths.backupsDir, record.backupId, FILES, {
    operation: 'renew',
    createdAt: '2026-11-24T17:05:01.000Z',
  });
  mkdirSync(join(dir, 'pki/etcd'));
  return { dir, paths, record, tmp: (i) => join(dir, record.renames[i]?.tmp ?? '') };
}

function writeTemps(tmp: (i: number) => string, count: number): void {
  for (let i = 0; i < count; i++) writeFileSync(tmp(i), `new ${FILES[i]}`);
}

/** `old`, `new`, or `mixed: ...` for the files of the set. */
function setState(dir: string): string {
  const states = FILES.map((path) =>
    existsSync(join(dir, path)) ? readFileSync(join(dir, path), 'utf8').split(' ')[0] : 'absent',
  );
  const kinds = new Set(states.map((s) => (s === 'absent' ? 'old' : s)));
  return kinds.size === 1 ? ([...kinds][0] ?? '') : `mixed: ${states.join(', ')}`;
}

function leftovers(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter(
    (n) =>
      n.includes('.kpki-tmp-') ||
      n.endsWith('.partial') ||
      n.endsWith(PENDING) ||
      n.endsWith(JOURNAL),
  );
}

describe('recovery after a kill', () => {
  const scenarios: Record<
    string,
    { crash: (t: Awaited<ReturnType<typeof crashedTree>>) => Promise<void>; expect: 'old' | 'new' }
  > = {
    'before the commit point, while writing temps': {
      crash: ({ tmp }) => Promise.resolve(writeTemps(tmp, 2)),
      expect: 'old',
    },
    'before the commit point, every temp written': {
      crash: ({ tmp }) => Promise.resolve(writeTemps(tmp, 3)),
      expect: 'old',
    },
    'just after the commit point, before any rename': {
      crash: async (t) => {
        writeTemps(t.tmp, 3);
        await writeRecord(t.paths, JOURNAL, t.record);
      },
      expect: 'new',
    },
    'halfway through the renames': {
      crash: async (t) => {
        writeTemps(t.tmp, 3);
        await writeRecord(t.paths, JOURNAL, t.record);
        renameSync(t.tmp(0), join(t.dir, FILES[0] ?? ''));
        renameSync(t.tmp(1), join(t.dir, FILES[1] ?? ''));
      },
      expect: 'new',
    },
    'after every rename, the pending record already removed': {
      crash: async (t) => {
        writeTemps(t.tmp, 3);
        await writeRecord(t.paths, JOURNAL, t.record);
        for (let i = 0; i < 3; i++) renameSync(t.tmp(i), join(t.dir, FILES[i] ?? ''));
        await import('node:fs/promises').then((fs) => fs.rm(join(t.paths.stateDir, PENDING)));
      },
      expect: 'new',
    },
  };
  for (const [name, { crash, expect }] of Object.entries(scenarios)) {
    it(`killed ${name}: the next open converges to the ${expect} set with nothing left over`, async () => {
      const t = await crashedTree();
      await crash(t);
      const store = await openTreeStore(t.dir);
      assert.equal(setState(t.dir), expect);
      assert.deepEqual(leftovers(t.dir), []);
      assert.deepEqual(
        (await store.backups()).map((b) => b.id),
        expect === 'new' ? [t.record.backupId] : [],
      );
      assert.equal(
        existsSync(join(t.dir, 'pki/etcd')),
        expect === 'new',
        'a directory the undone commit created is removed',
      );
    });
  }

  it('recovers a copy of a crashed tree in the copy only (the journal holds tree-relative paths)', async () => {
    const t = await crashedTree();
    writeTemps(t.tmp, 3);
    await writeRecord(t.paths, JOURNAL, t.record);
    const copy = tempDir();
    cpSync(t.dir, copy, { recursive: true });
    const original = hashTree(t.dir, true);
    await openTreeStore(copy);
    assert.equal(setState(copy), 'new');
    assert.equal(hashTree(t.dir, true), original);
  });

  it('leaves the records and temps of a commit whose live owner holds the lock', async () => {
    const t = await crashedTree();
    writeTemps(t.tmp, 2);
    writeFileSync(
      join(t.paths.stateDir, 'lock'),
      JSON.stringify({ pid: sleeper.pid, hostname: hostname(), startedAt: 'x' }),
    );
    const before = hashTree(t.dir, true);
    await openTreeStore(t.dir);
    assert.equal(hashTree(t.dir, true), before);
  });

  const damaged: Record<string, (t: Awaited<ReturnType<typeof crashedTree>>) => void> = {
    'a journal cut short': (t) =>
      writeFileSync(join(t.paths.stateDir, JOURNAL), '{"txid":"lx1-abcdef","renames":[{'),
    'a journal renaming a file from outside the tree': (t) =>
      writeFileSync(
        join(t.paths.stateDir, JOURNAL),
        JSON.stringify({
          ...t.record,
          renames: [{ tmp: '../../etc/hostname', target: 'pki/a.crt' }],
        }),
      ),
    'a journal deleting outside the tree': (t) =>
      writeFileSync(
        join(t.paths.stateDir, JOURNAL),
        JSON.stringify({ ...t.record, deletes: ['pki/../../victim'] }),
      ),
  };
  for (const [name, plant] of Object.entries(damaged)) {
    it(`refuses to guess with ${name}, changing nothing`, async () => {
      const t = await crashedTree();
      writeTemps(t.tmp, 3);
      plant(t);
      const before = hashTree(t.dir, true);
      await assert.rejects(
        openTreeStore(t.dir),
        (e: unknown) => e instanceof OperationError && e.code === 'BAD_JOURNAL',
      );
      assert.equal(hashTree(t.dir, true), before);
    });
  }
});
