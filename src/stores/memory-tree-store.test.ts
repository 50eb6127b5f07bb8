import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openTreeStore } from './fs-tree-store.js';
import { MemoryTreeStore } from './memory-tree-store.js';
import { tempDir } from '../../test/support/tools.js';
import { ConflictError, InvalidInputError, LockedError, OperationError } from '../errors.js';
import type { TreeStore } from '../ops/shared/ports.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const decode = (data: Uint8Array | undefined): string | undefined =>
  data === undefined ? undefined : new TextDecoder().decode(data);

/** Both stores, each holding pki/a.crt = "old-a"; the memory store must behave like the disk one. */
const stores: Record<string, () => Promise<TreeStore>> = {
  'memory store': () =>
    Promise.resolve(new MemoryTreeStore({ files: { 'pki/a.crt': bytes('old-a') } })),
  'disk store': () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'pki'));
    writeFileSync(join(dir, 'pki/a.crt'), 'old-a');
    return openTreeStore(dir);
  },
};

for (const [name, open] of Object.entries(stores)) {
  describe(`tree store contract: ${name}`, () => {
    it('commits, lists the backup, and restores the old state (new files removed)', async () => {
      const store = await open();
      const result = await store.exclusive(() =>
        store.commit(
          {
            writes: [
              { path: 'pki/a.crt', data: bytes('new-a'), mode: 0o644 },
              { path: 'pki/b/c.key', data: bytes('k'), mode: 0o600 },
            ],
            deletes: [],
          },
          'renew',
        ),
      );
      assert.deepEqual(
        [decode(await store.read('pki/a.crt')), await store.exists('pki/b')],
        ['new-a', true],
      );
      assert.deepEqual(
        (await store.backups()).map((b) => [b.id, b.operation, b.files]),
        [[result.backupId, 'renew', ['pki/a.crt', 'pki/b/c.key']]],
      );
      await store.exclusive(() => store.restore(result.backupId));
      assert.deepEqual(
        [decode(await store.read('pki/a.crt')), await store.read('pki/b/c.key')],
        ['old-a', undefined],
      );
      assert.equal((await store.backups()).length, 2);
    });

    const failures: Record<
      string,
      { run: (s: TreeStore) => Promise<unknown>; error: (e: unknown) => boolean }
    > = {
      'a commit outside exclusive': {
        run: (s) => s.commit({ writes: [], deletes: [] }, 'x'),
        error: (e) => e instanceof OperationError && e.code === 'NOT_LOCKED',
      },
      'a path leaving the tree': {
        run: (s) =>
          s.exclusive(() =>
            s.commit(
              { writes: [{ path: '../x', data: bytes('x'), mode: 0o600 }], deletes: [] },
              'x',
            ),
          ),
        error: (e) => e instanceof InvalidInputError && e.code === 'BAD_PATH',
      },
      'a directory as target': {
        run: (s) => s.exclusive(() => s.commit({ writes: [], deletes: ['pki'] }, 'x')),
        error: (e) => e instanceof InvalidInputError && e.code === 'BAD_PATH',
      },
      'a file used as a directory': {
        run: (s) =>
          s.exclusive(() =>
            s.commit(
              { writes: [{ path: 'pki/a.crt/x', data: bytes('x'), mode: 0o600 }], deletes: [] },
              'x',
            ),
          ),
        error: (e) => e instanceof OperationError && e.code === 'WRITE_FAILED',
      },
      'an unknown backup': {
        run: (s) => s.exclusive(() => s.restore('nope')),
        error: (e) => e instanceof ConflictError && e.code === 'NO_BACKUP',
      },
      'a nested exclusive': {
        run: (s) => s.exclusive(() => s.exclusive(() => Promise.resolve())),
        error: (e) => e instanceof LockedError,
      },
    };
    for (const [what, { run, error }] of Object.entries(failures)) {
      it(`refuses ${what} and changes nothing`, async () => {
        const store = await open();
        await assert.rejects(run(store), error);
        assert.deepEqual(
          [decode(await store.read('pki/a.crt')), (await store.backups()).length],
          ['old-a', 0],
        );
      });
    }
  });
}

describe('memory store specifics', () => {
  it('hands out copies: mutating read data or written data does not change the tree', async () => {
    const data = bytes('abc');
    const store = new MemoryTreeStore();
    await store.exclusive(() =>
      store.commit({ writes: [{ path: 'k.key', data, mode: 0o600 }], deletes: [] }, 'init'),
    );
    data[0] = 0;
    (await store.read('k.key'))?.fill(0);
    assert.deepEqual(
      [decode(await store.read('k.key')), store.snapshot().get('k.key')?.mode],
      ['abc', 0o600],
    );
  });
});
