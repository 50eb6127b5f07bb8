import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LockedError, OperationError } from '../../errors.js';
import type { Datastore } from '../../ops/shared/ports.js';
import { datastoreContract } from '../../../test/support/datastore-contract.js';
import { tempDir } from '../../../test/support/tools.js';
import { openFileDatastore } from './file-datastore.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('embedded file datastore: the port contract', () => {
  let ds: Datastore;
  before(
    async () => void (ds = await openFileDatastore(join(tempDir(), 'db'), { watchIntervalMs: 50 })),
  );
  after(async () => ds.close());
  datastoreContract(() => ds, '/t/');
});

describe('embedded file datastore: on disk', () => {
  it('keeps revisions across reopen, with the directory 0700 and the state file 0600', async () => {
    const dir = join(tempDir(), 'db');
    const first = await openFileDatastore(dir);
    const rev = await first.put('/k', bytes('v'));
    const again = await openFileDatastore(dir);
    assert.equal((await again.get('/k'))?.modRevision, rev);
    assert.ok((await again.put('/k2', bytes('w'))) > rev);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(statSync(join(dir, 'datastore.json')).mode & 0o777, 0o600);
  });

  it('opens the last complete state when a writer died with its temp file half written, and sweeps the temp', async () => {
    const dir = join(tempDir(), 'db');
    const ds = await openFileDatastore(dir);
    await ds.put('/k', bytes('committed'));
    const committed = readFileSync(join(dir, 'datastore.json'));
    // A killed writer: temp file with half of a newer state, never renamed; its lock left behind.
    writeFileSync(
      join(dir, 'datastore.json.tmp-999999-x'),
      committed.subarray(0, committed.length >> 1),
    );
    writeFileSync(
      join(dir, 'lock'),
      JSON.stringify({
        pid: 2 ** 22 + 1,
        hostname: (await import('node:os')).hostname(),
        startedAt: 'then',
      }),
    );
    const reopened = await openFileDatastore(dir);
    assert.equal(new TextDecoder().decode((await reopened.get('/k'))?.value), 'committed');
    assert.deepEqual(readdirSync(dir).sort(), ['datastore.json']);
  });

  it('reports a corrupted state file as CORRUPT_DATASTORE and does not overwrite it', async () => {
    const dir = join(tempDir(), 'db');
    const ds = await openFileDatastore(dir);
    await ds.put('/k', bytes('v'));
    writeFileSync(join(dir, 'datastore.json'), '{"format":"kpki-datastore/1","revision":');
    await assert.rejects(
      ds.put('/k', bytes('w')),
      (e: unknown) => e instanceof OperationError && e.code === 'CORRUPT_DATASTORE',
    );
    assert.equal(
      readFileSync(join(dir, 'datastore.json'), 'utf8'),
      '{"format":"kpki-datastore/1","revision":',
    );
  });

  it('waits for a lock held by another live process and fails with LockedError after the timeout', async () => {
    const dir = join(tempDir(), 'db');
    await openFileDatastore(dir);
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], {
      stdio: 'ignore',
    });
    try {
      writeFileSync(
        join(dir, 'lock'),
        JSON.stringify({
          pid: holder.pid,
          hostname: (await import('node:os')).hostname(),
          startedAt: 'now',
        }),
      );
      const ds = await openFileDatastore(dir, { lockTimeoutMs: 300 }).catch((e: unknown) => e);
      assert.ok(ds instanceof LockedError, String(ds));
      assert.match(ds.message, /locked/);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('serialises concurrent compare-and-swaps: exactly one of many wins', async () => {
    const dir = join(tempDir(), 'db');
    const ds = await openFileDatastore(dir);
    const rev = await ds.put('/race', bytes('base'));
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => ds.compareAndSwap('/race', bytes(`w${i}`), rev)),
    );
    const winners = results.filter((r) => r !== undefined);
    assert.equal(winners.length, 1);
    assert.equal((await ds.get('/race'))?.modRevision, winners[0]);
  });
});
