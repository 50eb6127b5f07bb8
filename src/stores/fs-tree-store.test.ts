import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { openTreeStore } from './fs-tree-store.js';
import { tempDir } from '../../test/support/tools.js';
import { InvalidInputError } from '../errors.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (dir: string, path: string): string => readFileSync(join(dir, path), 'utf8');

function seeded(): string {
  const dir = tempDir();
  mkdirSync(join(dir, 'pki'));
  writeFileSync(join(dir, 'pki/a.crt'), 'old-a');
  writeFileSync(join(dir, 'pki/a.key'), 'old-a-key', { mode: 0o600 });
  return dir;
}

describe('fs tree store: commit, backup, restore', () => {
  it('switches files in, keeps the replaced ones in a backup, and restore puts them back', async () => {
    const dir = seeded();
    const store = await openTreeStore(dir);
    const result = await store.exclusive(() => store.commit({ writes: [
      { path: 'pki/a.crt', data: bytes('new-a'), mode: 0o644 },
      { path: 'pki/etcd/b.key', data: bytes('new-b-key'), mode: 0o600 },
    ], deletes: [] }, 'renew'));
    assert.equal(text(dir, 'pki/a.crt'), 'new-a');
    assert.equal(text(dir, 'pki/etcd/b.key'), 'new-b-key');
    assert.equal(text(result.backupPath, 'files/pki/a.crt'), 'old-a');
    const [backup] = await store.backups();
    assert.equal(backup?.operation, 'renew');
    await store.exclusive(() => store.restore(backup?.id ?? ''));
    assert.equal(text(dir, 'pki/a.crt'), 'old-a');
    assert.equal(existsSync(join(dir, 'pki/etcd/b.key')), false);
    assert.deepEqual(readdirSync(join(dir, 'pki')).filter((n) => n.includes('kpki-tmp')), []);
  });

  it('creates keys 0600 and certificates 0644 even under umask 000', async () => {
    const dir = tempDir();
    const old = process.umask(0);
    try {
      const store = await openTreeStore(dir);
      await store.exclusive(() => store.commit({ writes: [{ path: 'k.key', data: bytes('k'), mode: 0o600 }, { path: 'c.crt', data: bytes('c'), mode: 0o644 }], deletes: [] }, 'init'));
    } finally {
      process.umask(old);
    }
    assert.equal(lstatSync(join(dir, 'k.key')).mode & 0o777, 0o600);
    assert.equal(lstatSync(join(dir, 'c.crt')).mode & 0o777, 0o644);
    assert.equal(lstatSync(join(dir, '.kpki')).mode & 0o777, 0o700);
  });

  it('replaces a symlink planted at a target instead of writing through it', async () => {
    const dir = seeded();
    const outside = join(tempDir(), 'victim');
    writeFileSync(outside, 'precious');
    symlinkSync(outside, join(dir, 'pki/b.key'));
    const store = await openTreeStore(dir);
    await store.exclusive(() => store.commit({ writes: [{ path: 'pki/b.key', data: bytes('key'), mode: 0o600 }], deletes: [] }, 'init'));
    assert.equal(readFileSync(outside, 'utf8'), 'precious');
    assert.equal(lstatSync(join(dir, 'pki/b.key')).isSymbolicLink(), false);
  });

  it('refuses a write that a directory symlink would carry out of the tree, changing nothing', async () => {
    const dir = seeded();
    const elsewhere = tempDir();
    symlinkSync(elsewhere, join(dir, 'pki/etcd'));
    const store = await openTreeStore(dir);
    await assert.rejects(store.exclusive(() => store.commit({ writes: [{ path: 'pki/etcd/ca.key', data: bytes('k'), mode: 0o600 }], deletes: [] }, 'init')), /would leave the tree/);
    assert.deepEqual(readdirSync(elsewhere), []);
  });

  for (const bad of ['../x', '/etc/passwd', 'a/../../x', '.kpki/lock', '']) {
    it(`rejects the path "${bad}"`, async () => {
      const store = await openTreeStore(seeded());
      await assert.rejects(store.exclusive(() => store.commit({ writes: [{ path: bad, data: bytes('x'), mode: 0o600 }], deletes: [] }, 'x')), (e: unknown) => e instanceof InvalidInputError && e.code === 'BAD_PATH');
    });
  }

  it('will not commit without holding the lock', async () => {
    const store = await openTreeStore(seeded());
    await assert.rejects(store.commit({ writes: [], deletes: [] }, 'x'), /outside exclusive/);
  });
});

describe('fs tree store: recovery after a kill', () => {
  it('before the commit point (temps, no journal): the next open removes the temps, old files stay', async () => {
    const dir = seeded();
    mkdirSync(join(dir, '.kpki'), { mode: 0o700 });
    const tmp = join(dir, 'pki/.kpki-tmp-x-a.crt');
    writeFileSync(tmp, 'new-a');
    writeFileSync(join(dir, '.kpki/pending.json'), JSON.stringify({ renames: [{ tmp, target: join(dir, 'pki/a.crt') }], deletes: [] }));
    await openTreeStore(dir);
    assert.equal(text(dir, 'pki/a.crt'), 'old-a');
    assert.equal(existsSync(tmp), false);
  });

  it('after the commit point (journal, half the renames done): the next open finishes them all', async () => {
    const dir = seeded();
    mkdirSync(join(dir, '.kpki'), { mode: 0o700 });
    const tmpKey = join(dir, 'pki/.kpki-tmp-x-a.key');
    writeFileSync(tmpKey, 'new-a-key');
    writeFileSync(join(dir, 'pki/a.crt'), 'new-a');
    const journal = { renames: [{ tmp: join(dir, 'pki/.kpki-tmp-x-a.crt'), target: join(dir, 'pki/a.crt') }, { tmp: tmpKey, target: join(dir, 'pki/a.key') }], deletes: [] };
    writeFileSync(join(dir, '.kpki/journal.json'), JSON.stringify(journal));
    await openTreeStore(dir);
    assert.equal(text(dir, 'pki/a.crt'), 'new-a');
    assert.equal(text(dir, 'pki/a.key'), 'new-a-key');
    assert.equal(existsSync(join(dir, '.kpki/journal.json')), false);
  });

  it('leaves the pending temps of a live kpki alone: only the lock holder may recover', async () => {
    const dir = seeded();
    mkdirSync(join(dir, '.kpki'), { mode: 0o700 });
    const tmp = join(dir, 'pki/.kpki-tmp-x-a.crt');
    writeFileSync(tmp, 'new-a');
    writeFileSync(join(dir, '.kpki/pending.json'), JSON.stringify({ renames: [{ tmp, target: join(dir, 'pki/a.crt') }], deletes: [] }));
    // This very process is the live owner, as another kpki mid-commit would be.
    writeFileSync(join(dir, '.kpki/lock'), JSON.stringify({ pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString() }));
    await openTreeStore(dir);
    assert.equal(text(dir, 'pki/.kpki-tmp-x-a.crt'), 'new-a');
    assert.equal(existsSync(join(dir, '.kpki/pending.json')), true);
  });

  it('removes a state-file temp that a kill left before its rename', async () => {
    const dir = seeded();
    mkdirSync(join(dir, '.kpki'), { mode: 0o700 });
    writeFileSync(join(dir, '.kpki/journal.json.tmp'), '{"renames":[');
    writeFileSync(join(dir, '.kpki/pending.json.tmp'), '{"renames":[');
    await openTreeStore(dir);
    assert.deepEqual(readdirSync(join(dir, '.kpki')), []);
  });

  it('drops an incomplete backup left by a kill', async () => {
    const dir = seeded();
    mkdirSync(join(dir, '.kpki/backups/20260101T000000Z-renew-abcd.partial/files'), { recursive: true });
    const store = await openTreeStore(dir);
    assert.deepEqual(await store.backups(), []);
    assert.equal(existsSync(join(dir, '.kpki/backups/20260101T000000Z-renew-abcd.partial')), false);
  });
});
