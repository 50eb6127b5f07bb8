// The Datastore port's contract, run against every implementation (embedded file store, etcd).
import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { Datastore, DatastoreEvent } from '../../src/ops/shared/ports.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (value: Uint8Array | undefined): string | undefined =>
  value === undefined ? undefined : new TextDecoder().decode(value);

/** Registers the contract tests; `store()` gives the store under test (opened by the caller's before hook). */
export function datastoreContract(store: () => Datastore, prefix: string): void {
  it('get of a missing key is undefined; put returns increasing revisions', async () => {
    const ds = store();
    assert.equal(await ds.get(`${prefix}missing`), undefined);
    const r1 = await ds.put(`${prefix}p`, bytes('one'));
    const r2 = await ds.put(`${prefix}p`, bytes('two'));
    assert.ok(r2 > r1);
    const entry = await ds.get(`${prefix}p`);
    assert.equal(text(entry?.value), 'two');
    assert.equal(entry?.modRevision, r2);
    assert.equal(entry?.createRevision, r1);
  });

  it('create writes only when the key is absent', async () => {
    const ds = store();
    assert.ok((await ds.create(`${prefix}c`, bytes('first'))) !== undefined);
    assert.equal(await ds.create(`${prefix}c`, bytes('second')), undefined);
    assert.equal(text((await ds.get(`${prefix}c`))?.value), 'first');
  });

  it('compare-and-swap succeeds on the current revision and refuses a stale one, changing nothing', async () => {
    const ds = store();
    const rev = await ds.put(`${prefix}cas`, bytes('v1'));
    const next = await ds.compareAndSwap(`${prefix}cas`, bytes('v2'), rev);
    assert.ok(next !== undefined && next > rev);
    assert.equal(await ds.compareAndSwap(`${prefix}cas`, bytes('v3'), rev), undefined);
    assert.equal(text((await ds.get(`${prefix}cas`))?.value), 'v2');
    assert.equal(await ds.compareAndSwap(`${prefix}absent`, bytes('v'), rev), undefined);
    assert.equal(await ds.get(`${prefix}absent`), undefined);
  });

  it('move creates the new key and deletes the old one together, or does nothing', async () => {
    const ds = store();
    const rev = await ds.put(`${prefix}from`, bytes('old'));
    await ds.put(`${prefix}taken`, bytes('x'));
    assert.equal(await ds.move(`${prefix}from`, rev, `${prefix}taken`, bytes('new')), undefined);
    assert.equal(await ds.move(`${prefix}from`, rev - 1, `${prefix}to`, bytes('new')), undefined);
    assert.equal(text((await ds.get(`${prefix}from`))?.value), 'old');
    assert.equal(await ds.get(`${prefix}to`), undefined);
    assert.ok((await ds.move(`${prefix}from`, rev, `${prefix}to`, bytes('new'))) !== undefined);
    assert.equal(await ds.get(`${prefix}from`), undefined);
    assert.equal(text((await ds.get(`${prefix}to`))?.value), 'new');
  });

  it('list returns the keys under a prefix in key order; delete reports whether it removed', async () => {
    const ds = store();
    for (const k of ['l/b', 'l/a', 'l/c', 'lx']) await ds.put(`${prefix}${k}`, bytes(k));
    assert.deepEqual(
      (await ds.list(`${prefix}l/`)).map((e) => e.key),
      [`${prefix}l/a`, `${prefix}l/b`, `${prefix}l/c`],
    );
    assert.equal(await ds.delete(`${prefix}l/b`), true);
    assert.equal(await ds.delete(`${prefix}l/b`), false);
    assert.deepEqual(
      (await ds.list(`${prefix}l/`)).map((e) => e.key),
      [`${prefix}l/a`, `${prefix}l/c`],
    );
  });

  it('watch reports puts and deletes under the prefix made after it started', async () => {
    const ds = store();
    await ds.put(`${prefix}w/before`, bytes('ignored'));
    const controller = new AbortController();
    const seen: DatastoreEvent[] = [];
    const watching = (async () => {
      for await (const event of ds.watch(`${prefix}w/`, controller.signal)) {
        seen.push(event);
        if (seen.length === 2) controller.abort();
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 400));
    await ds.put(`${prefix}other`, bytes('not watched'));
    await ds.put(`${prefix}w/k`, bytes('v'));
    await new Promise((resolve) => setTimeout(resolve, 400));
    await ds.delete(`${prefix}w/before`);
    const timer = setTimeout(() => controller.abort(), 5000);
    await watching;
    clearTimeout(timer);
    assert.deepEqual(
      seen.map((e) => [e.type, e.key, text(e.value)]),
      [
        ['put', `${prefix}w/k`, 'v'],
        ['delete', `${prefix}w/before`, undefined],
      ],
    );
  });
}
