import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { openTreeStore } from './fs-tree-store.js';
import { hashTree, tempDir } from '../../test/support/tools.js';
import { describeError, FileAccessError, InvalidInputError, OperationError } from '../errors.js';
import type { ChangeSet, TreeStore } from '../ops/shared/ports.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (dir: string, path: string): string => readFileSync(join(dir, path), 'utf8');
const mode = (path: string): number => lstatSync(path).mode & 0o777;
const FIXED = new Date('2026-11-24T17:05:01.123Z');

function seeded(): string {
  const dir = tempDir();
  mkdirSync(join(dir, 'pki'));
  writeFileSync(join(dir, 'pki/a.crt'), 'old-a', { mode: 0o644 });
  writeFileSync(join(dir, 'pki/a.key'), 'old-a-key', { mode: 0o600 });
  return dir;
}

async function commit(
  store: TreeStore,
  change: Partial<ChangeSet>,
  operation = 'renew',
): Promise<ReturnType<TreeStore['commit']>> {
  return store.exclusive(() =>
    store.commit({ writes: change.writes ?? [], deletes: change.deletes ?? [] }, operation),
  );
}

/** Every name below `dir` (outside .kpki) that marks a kpki temporary. */
function temps(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter(
    (n) => !n.startsWith('.kpki') && n.includes('.kpki-tmp-'),
  );
}

describe('fs tree store: commit, backup, restore', () => {
  it('switches new and replaced files in, keeps the replaced ones with their modes in a backup, and restore puts them back', async () => {
    const dir = seeded();
    const store = await openTreeStore(dir, { now: () => FIXED });
    const result = await commit(store, {
      writes: [
        { path: 'pki/a.crt', data: bytes('new-a'), mode: 0o644 },
        { path: 'pki/etcd/b.key', data: bytes('new-b-key'), mode: 0o600 },
      ],
      deletes: ['pki/a.key'],
    });
    assert.deepEqual(
      [text(dir, 'pki/a.crt'), text(dir, 'pki/etcd/b.key'), existsSync(join(dir, 'pki/a.key'))],
      ['new-a', 'new-b-key', false],
    );
    assert.match(result.backupId, /^20261124T170501\.\d{3}Z-renew-[0-9a-f]{4}$/);
    assert.equal(text(result.backupPath, 'files/pki/a.key'), 'old-a-key');
    assert.equal(mode(join(result.backupPath, 'files/pki/a.key')), 0o600);
    const manifest = JSON.parse(text(result.backupPath, 'manifest.json')) as {
      files: { path: string; existed: boolean; mode: number }[];
    };
    assert.deepEqual(manifest.files, [
      { path: 'pki/a.crt', existed: true, mode: 0o644 },
      { path: 'pki/etcd/b.key', existed: false, mode: 0 },
      { path: 'pki/a.key', existed: true, mode: 0o600 },
    ]);
    const undo = await store.exclusive(() => store.restore(result.backupId));
    assert.deepEqual(
      [text(dir, 'pki/a.crt'), text(dir, 'pki/a.key'), existsSync(join(dir, 'pki/etcd/b.key'))],
      ['old-a', 'old-a-key', false],
    );
    assert.equal(mode(join(dir, 'pki/a.key')), 0o600);
    assert.equal(
      text(undo.backupPath, 'files/pki/etcd/b.key'),
      'new-b-key',
      'the rollback is itself backed up',
    );
    assert.deepEqual(
      (await store.backups()).map((b) => b.id),
      [undo.backupId, result.backupId].sort().reverse(),
    );
    assert.deepEqual(temps(dir), []);
  });

  it('creates keys 0600, kubeconfigs 0600, certificates 0644 and .kpki 0700 even under umask 000', async () => {
    const dir = tempDir();
    const old = process.umask(0);
    try {
      const store = await openTreeStore(dir);
      await commit(
        store,
        {
          writes: [
            { path: 'k.key', data: bytes('k'), mode: 0o600 },
            { path: 'admin.conf', data: bytes('c'), mode: 0o600 },
            { path: 'pki/c.crt', data: bytes('c'), mode: 0o644 },
          ],
        },
        'init',
      );
    } finally {
      process.umask(old);
    }
    assert.deepEqual(
      ['k.key', 'admin.conf', 'pki/c.crt', 'pki', '.kpki', '.kpki/backups'].map((p) =>
        mode(join(dir, p)),
      ),
      [0o600, 0o600, 0o644, 0o755, 0o700, 0o700],
    );
  });

  it('narrows a looser .kpki left by someone else to 0700', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, '.kpki'));
    chmodSync(join(dir, '.kpki'), 0o755);
    const store = await openTreeStore(dir);
    await commit(store, { writes: [{ path: 'k.key', data: bytes('k'), mode: 0o600 }] }, 'init');
    assert.equal(mode(join(dir, '.kpki')), 0o700);
  });

  it('replaces a symlink planted at a target instead of writing through it; the outside file is untouched', async () => {
    const dir = seeded();
    const outside = join(tempDir(), 'victim');
    writeFileSync(outside, 'precious', { mode: 0o644 });
    symlinkSync(outside, join(dir, 'pki/b.key'));
    const store = await openTreeStore(dir);
    await commit(
      store,
      { writes: [{ path: 'pki/b.key', data: bytes('key'), mode: 0o600 }] },
      'init',
    );
    assert.equal(readFileSync(outside, 'utf8'), 'precious');
    assert.equal(mode(outside), 0o644);
    assert.equal(lstatSync(join(dir, 'pki/b.key')).isSymbolicLink(), false);
    assert.equal(text(dir, 'pki/b.key'), 'key');
  });

  it('refuses a write that a directory symlink would carry out of the tree, changing nothing', async () => {
    const dir = seeded();
    const elsewhere = tempDir();
    symlinkSync(elsewhere, join(dir, 'pki/etcd'));
    const before = hashTree(dir);
    const store = await openTreeStore(dir);
    await assert.rejects(
      commit(
        store,
        { writes: [{ path: 'pki/etcd/ca.key', data: bytes('k'), mode: 0o600 }] },
        'init',
      ),
      /would leave the tree/,
    );
    assert.deepEqual(readdirSync(elsewhere), []);
    assert.equal(hashTree(dir), before);
  });

  const badPaths: Record<string, ChangeSet> = {
    'a parent segment': { writes: [{ path: '../x', data: bytes('x'), mode: 0o600 }], deletes: [] },
    'an absolute path': {
      writes: [{ path: '/etc/passwd', data: bytes('x'), mode: 0o600 }],
      deletes: [],
    },
    'a parent segment deeper in': {
      writes: [{ path: 'a/../../x', data: bytes('x'), mode: 0o600 }],
      deletes: [],
    },
    'the tree root itself': { writes: [{ path: '.', data: bytes('x'), mode: 0o600 }], deletes: [] },
    'kpki state': { writes: [{ path: '.kpki/lock', data: bytes('x'), mode: 0o600 }], deletes: [] },
    'an empty path': { writes: [{ path: '', data: bytes('x'), mode: 0o600 }], deletes: [] },
    'a NUL byte': { writes: [{ path: 'a\0b', data: bytes('x'), mode: 0o600 }], deletes: [] },
    'a doubled slash': {
      writes: [{ path: 'pki//a.crt', data: bytes('x'), mode: 0o600 }],
      deletes: [],
    },
    'a delete out of the tree': { writes: [], deletes: ['../../etc/hosts'] },
    'an existing directory as target': {
      writes: [{ path: 'pki', data: bytes('x'), mode: 0o600 }],
      deletes: [],
    },
    'a path written twice': {
      writes: [
        { path: 'pki/a.crt', data: bytes('1'), mode: 0o644 },
        { path: 'pki/a.crt', data: bytes('2'), mode: 0o644 },
      ],
      deletes: [],
    },
    'a path written and deleted': {
      writes: [{ path: 'pki/a.crt', data: bytes('1'), mode: 0o644 }],
      deletes: ['pki/a.crt'],
    },
  };
  for (const [name, change] of Object.entries(badPaths)) {
    it(`rejects ${name} before touching the disk`, async () => {
      const dir = seeded();
      const store = await openTreeStore(dir);
      await store.exclusive(() => Promise.resolve());
      const before = hashTree(dir, true);
      await assert.rejects(
        commit(store, change),
        (e: unknown) => e instanceof InvalidInputError && /PATH/.test(e.code),
      );
      assert.equal(hashTree(dir, true), before);
    });
  }

  it('will not commit without holding the lock', async () => {
    const store = await openTreeStore(seeded());
    await assert.rejects(
      store.commit({ writes: [], deletes: [] }, 'x'),
      (e: unknown) => e instanceof OperationError && e.code === 'NOT_LOCKED',
    );
  });

  it('undoes everything when a write fails before the commit point: old files, no temps, no backup, no new directories', async () => {
    const dir = seeded();
    const store = await openTreeStore(dir);
    await store.exclusive(() => Promise.resolve());
    const before = hashTree(dir, true);
    // The last temp cannot be created (its "directory" is a file): the earlier temps, a new
    // directory and the backup already exist by then and must all go.
    const change = {
      writes: [
        { path: 'pki/a.crt', data: bytes('new'), mode: 0o644 },
        { path: 'pki/new/x.crt', data: bytes('x'), mode: 0o644 },
        { path: 'pki/a.key/b.key', data: bytes('SECRET-KEY'), mode: 0o600 },
      ],
    };
    await assert.rejects(
      commit(store, change),
      (e: unknown) =>
        e instanceof OperationError &&
        e.code === 'WRITE_FAILED' &&
        !describeError(e).includes('SECRET'),
    );
    assert.equal(hashTree(dir, true), before);
    assert.deepEqual(await store.backups(), []);
  });
});

describe('fs tree store: reads', () => {
  const cases: Record<
    string,
    { setup: (dir: string) => void; path: string; expect: string | undefined | RegExp }
  > = {
    'a file in the tree': { setup: () => undefined, path: 'pki/a.crt', expect: 'old-a' },
    'a missing file': { setup: () => undefined, path: 'pki/none.crt', expect: undefined },
    'a file below a file': { setup: () => undefined, path: 'pki/a.crt/x', expect: undefined },
    'a symlink inside the tree': {
      setup: (dir) => symlinkSync('a.crt', join(dir, 'pki/current.crt')),
      path: 'pki/current.crt',
      expect: 'old-a',
    },
    'a symlink leading out of the tree': {
      setup: (dir) => symlinkSync('/etc/hostname', join(dir, 'pki/out.crt')),
      path: 'pki/out.crt',
      expect: /link leading outside the tree/,
    },
    'a directory': { setup: () => undefined, path: 'pki', expect: /cannot read ".*pki": EISDIR/ },
  };
  for (const [name, { setup, path, expect }] of Object.entries(cases)) {
    it(`reads ${name}`, async () => {
      const dir = seeded();
      setup(dir);
      const store = await openTreeStore(dir);
      if (expect instanceof RegExp) {
        await assert.rejects(
          store.read(path),
          (e: unknown) =>
            e instanceof FileAccessError && e.code === 'UNREADABLE' && expect.test(e.message),
        );
      } else {
        const data = await store.read(path);
        assert.equal(data === undefined ? undefined : new TextDecoder().decode(data), expect);
      }
    });
  }

  it('reports existence of files and directories, not of missing paths', async () => {
    const store = await openTreeStore(seeded());
    assert.deepEqual(
      await Promise.all(['pki', 'pki/a.key', 'pki/no'].map((p) => store.exists(p))),
      [true, true, false],
    );
  });

  it('refuses to open a root that is not a directory', async () => {
    await assert.rejects(
      openTreeStore(join(tempDir(), 'missing')),
      (e: unknown) => e instanceof FileAccessError && e.code === 'NO_TREE',
    );
  });
});
