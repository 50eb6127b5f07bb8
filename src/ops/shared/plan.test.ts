import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { encodePrivateKey } from '../../pki/keys.js';
import { applyPlanned, plannedPaths, PreparedChange, type Planned } from './plan.js';
import { MemoryTreeStore } from '../../stores/memory-tree-store.js';
import { pooledKey } from '../../../test/support/ops-context.js';

const keyPem = encodePrivateKey(pooledKey('ECDSA-P256', 0));
const body = keyPem.split('\n')[1] ?? '';
const planned: Planned = {
  plan: {
    operation: 'init',
    root: '/memory',
    items: [{ name: 'ca', action: 'create', reason: 'missing', files: ['pki/ca.key'] }],
    restart: [],
    warnings: [],
  },
  change: new PreparedChange('init', [
    { path: 'pki/ca.key', data: new TextEncoder().encode(keyPem), mode: 0o600 },
  ]),
};

describe('plan shape: the printable part and the data are apart', () => {
  const renderings: Record<string, () => string> = {
    'JSON of the whole planned value': () => JSON.stringify(planned),
    'util.inspect of the whole planned value': () => inspect(planned, { depth: 10 }),
    'JSON of the plan': () => JSON.stringify(planned.plan),
  };
  for (const [name, render] of Object.entries(renderings)) {
    it(`${name} names the paths and holds no key bytes`, () => {
      const text = render();
      assert.doesNotMatch(text, /PRIVATE KEY/);
      assert.ok(!text.includes(body), 'key body printed');
      assert.match(text, /pki\/ca\.key/);
    });
  }

  it('the change sorts its writes and names every path the plan names', () => {
    const change = new PreparedChange('x', [
      { path: 'b', data: new Uint8Array(), mode: 0o644 },
      { path: 'a', data: new Uint8Array(), mode: 0o644 },
    ]);
    assert.deepEqual(
      change.writes.map((w) => w.path),
      ['a', 'b'],
    );
    assert.deepEqual(plannedPaths(planned.plan), planned.change.paths());
  });

  it('apply commits the change under its label, and an empty change not at all', async () => {
    const store = new MemoryTreeStore();
    const empty: Planned = { plan: planned.plan, change: new PreparedChange('init', []) };
    assert.equal(await store.exclusive(() => applyPlanned({ tree: store }, empty)), undefined);
    assert.equal((await store.backups()).length, 0);
    await store.exclusive(() => applyPlanned({ tree: store }, planned));
    const [backup] = await store.backups();
    assert.equal(backup?.operation, 'init');
    assert.equal(new TextDecoder().decode(await store.read('pki/ca.key')), keyPem);
  });
});
