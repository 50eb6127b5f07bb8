import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openTreeStore } from './fs-tree-store.js';
import { MemoryTreeStore } from './memory-tree-store.js';
import type { TreeStore } from '../ops/shared/ports.js';
import { tempDir } from '../../test/support/temp-dir.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const FILES = {
  'server/tls/b.key': { data: bytes('k'), mode: 0o600 },
  'server/tls/a.crt': { data: bytes('c'), mode: 0o644 },
  'server/tls/etcd/ca.crt': { data: bytes('e'), mode: 0o644 },
  'server/cred/x': { data: bytes('x'), mode: 0o600 },
};

const stores: Record<string, () => Promise<TreeStore>> = {
  'memory store': () => Promise.resolve(new MemoryTreeStore({ files: FILES })),
  'disk store': async () => {
    const dir = tempDir('kpki-list-');
    for (const [path, file] of Object.entries(FILES)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), file.data, { mode: file.mode });
    }
    writeFileSync(join(dir, 'server/tls/.a.crt.kpki-tmp-abc'), 'temp');
    return openTreeStore(dir);
  },
};

describe('TreeReader.listFiles (the RKE2 server/tls backup copies a whole directory)', () => {
  for (const [name, open] of Object.entries(stores)) {
    it(`${name}: every file below the directory, recursively, sorted, with modes; temporaries and other directories left out`, async () => {
      const store = await open();
      assert.deepEqual(await store.listFiles?.('server/tls'), [
        { path: 'server/tls/a.crt', mode: 0o644 },
        { path: 'server/tls/b.key', mode: 0o600 },
        { path: 'server/tls/etcd/ca.crt', mode: 0o644 },
      ]);
      assert.deepEqual(await store.listFiles?.('server/nothing'), []);
    });
  }
});
