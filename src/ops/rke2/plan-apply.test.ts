import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rke2Catalogue } from '../../layouts/rke2/catalogue.js';
import { defaultRke2Spec } from '../../layouts/rke2/spec.js';
import { allServices } from '../../layouts/rke2/services.js';
import { parseCertificates } from '../../pki/certificate.js';
import { encodePrivateKey, parsePrivateKeys } from '../../pki/keys.js';
import { MemoryTreeStore } from '../../stores/memory-tree-store.js';
import { applyRke2Init, planRke2Init } from './init.js';
import { applyRke2Renew, planRke2Renew } from './renew.js';
import { applyRke2Rotate, planRke2Rotate } from './rotate.js';
import { applySaKeyRotate, planSaKeyRotate } from './sa-key.js';
import { applyRke2RotateCa, planRke2RotateCa, type StagedSource } from './rotate-ca.js';
import { crossSignCas } from './cross-sign.js';
import {
  applyAndProve,
  assertRefused,
  copyStore,
  memoryOps,
  pooledKey,
  type MemoryOps,
} from '../../../test/support/ops-context.js';

const T0 = new Date('2026-03-01T12:00:00Z');
const DAY = 86_400_000;
const WINDOW = 120 * DAY;
const catalogue = rke2Catalogue(
  defaultRke2Spec('rke2', '/memory', { hostname: 'cp1', address: '10.0.0.5' }),
  'server',
  T0,
);
const services = allServices('rke2');
const decoder = new TextDecoder();
const encoder = new TextEncoder();

async function initialised(): Promise<MemoryOps> {
  const ops = memoryOps(T0);
  await ops.store.exclusive(async () =>
    applyRke2Init(ops.ctx, await planRke2Init(ops.ctx, { catalogue, warnings: [] })),
  );
  return ops;
}

function later(ops: MemoryOps, days: number): MemoryOps {
  const at = new Date(T0.getTime() + days * DAY);
  return memoryOps(at, copyStore(ops.store, at), ops.keys);
}

function text(ops: MemoryOps, path: string): string {
  const file = ops.store.snapshot().get(path);
  assert.ok(file, path);
  return decoder.decode(file.data);
}

/** A staged directory read from a memory store, every file with one mtime. */
function stageOf(store: MemoryTreeStore, at: Date): StagedSource {
  return {
    where: '/stage',
    read: (path) => store.read(path),
    mtimeNs: async (path) =>
      (await store.exists(path)) ? BigInt(at.getTime()) * 1_000_000n : undefined,
  };
}

describe('rke2 ops: the plan names exactly the files apply changes', () => {
  it('init of a server data dir', async () => {
    const ops = memoryOps(T0);
    const planned = await planRke2Init(ops.ctx, { catalogue, warnings: [] });
    assert.ok(planned.change.paths().includes('server/tls/server-ca.key'));
    await applyAndProve(ops, applyRke2Init, planned);
    assert.equal(ops.store.snapshot().get('server/tls/server-ca.key')?.mode, 0o600);
  });

  it('init again: nothing to create, nothing committed', async () => {
    const ops = await initialised();
    const planned = await planRke2Init(ops.ctx, { catalogue, warnings: [] });
    assert.ok(planned.plan.items.every((item) => item.action === 'reuse'));
    assert.equal(await applyAndProve(ops, applyRke2Init, planned), undefined);
  });

  it('renew inside the window re-issues every leaf on its key', async () => {
    const ops = later(await initialised(), 300);
    const keyBefore = text(ops, 'server/tls/client-admin.key');
    const planned = await planRke2Renew(ops.ctx, { catalogue, services, windowMs: WINDOW });
    assert.ok(planned.plan.items.every((item) => item.action === 'renew'));
    await applyAndProve(ops, applyRke2Renew, planned);
    assert.equal(text(ops, 'server/tls/client-admin.key'), keyBefore);
  });

  it('rotate of every service: backup copy, new keys, triggers', async () => {
    const ops = later(await initialised(), 10);
    const planned = await planRke2Rotate(ops.ctx, { catalogue, services });
    const backup = planned.plan.items[0]?.name ?? '';
    assert.match(backup, /^server\/tls-\d+$/);
    await applyAndProve(ops, applyRke2Rotate, planned);
    assert.ok(ops.store.snapshot().has(`${backup}/server-ca.crt`));
  });

  it('sa-key rotate puts a new key first and keeps the old one', async () => {
    const ops = later(await initialised(), 10);
    const old = text(ops, 'server/tls/service.key');
    const planned = await planSaKeyRotate(ops.ctx, { catalogue });
    await applyAndProve(ops, applySaKeyRotate, planned);
    const keys = parsePrivateKeys(text(ops, 'server/tls/service.key'), 'service.key');
    assert.equal(keys.length, 2);
    assert.equal(encodePrivateKey(keys[1] ?? keys[0]!), old);
    assert.equal(text(ops, 'server/tls/service.current.key'), encodePrivateKey(keys[0]!));
  });

  it('rotate-ca of cross-signed CAs', async () => {
    const ops = later(await initialised(), 10);
    const out = new MemoryTreeStore({ root: '/stage' });
    await out.exclusive(() => crossSignCas(ops.ctx, out, catalogue));
    const params = { catalogue, stage: stageOf(out, ops.ctx.clock.now()), force: false };
    const planned = await planRke2RotateCa(ops.ctx, params);
    const result = await applyAndProve(ops, applyRke2RotateCa, planned);
    assert.equal(result.record, undefined);
    const [leaf] = parseCertificates(text(ops, 'server/tls/client-admin.crt'), 'admin');
    const [ca] = parseCertificates(text(ops, 'server/tls/client-ca.crt'), 'client-ca');
    assert.equal(leaf?.authorityKeyId, ca?.subjectKeyId);
  });

  it('rotate-ca of the service key only', async () => {
    const ops = later(await initialised(), 10);
    const fresh = encodePrivateKey(pooledKey('RSA-2048', 7));
    const staged = fresh + text(ops, 'server/tls/service.key');
    const out = new MemoryTreeStore({ files: { 'tls/service.key': encoder.encode(staged) } });
    const params = { catalogue, stage: stageOf(out, ops.ctx.clock.now()), force: false };
    const planned = await planRke2RotateCa(ops.ctx, params);
    await applyAndProve(ops, applyRke2RotateCa, planned);
    assert.equal(text(ops, 'server/tls/service.current.key'), fresh);
  });
});

describe('rke2 ops: refusals are typed and change nothing', () => {
  it('init with a CA certificate but no CA key', async () => {
    const ops = await initialised();
    const files = Object.fromEntries(ops.store.snapshot());
    delete files['server/tls/client-ca.key'];
    const next = memoryOps(T0, new MemoryTreeStore({ files }));
    await assertRefused(
      next.store,
      () => planRke2Init(next.ctx, { catalogue, warnings: [] }),
      'CA_INCOMPLETE',
    );
  });

  it('renew of a leaf whose key is not its certificate’s', async () => {
    const ops = await initialised();
    const files = Object.fromEntries(ops.store.snapshot());
    files['server/tls/client-admin.key'] = {
      data: encoder.encode(encodePrivateKey(pooledKey('ECDSA-P256', 39))),
      mode: 0o600,
    };
    const next = memoryOps(T0, new MemoryTreeStore({ files }));
    await assertRefused(
      next.store,
      () => planRke2Renew(next.ctx, { catalogue, services, windowMs: WINDOW }),
      'KEY_MISMATCH',
    );
  });

  it('sa-key rotate on a tree without service.key', async () => {
    const ops = memoryOps(T0);
    await assertRefused(ops.store, () => planSaKeyRotate(ops.ctx, { catalogue }), 'NO_SERVICE_KEY');
  });

  it('rotate-ca on a dir that is not a server', async () => {
    const ops = memoryOps(T0);
    const params = { catalogue, stage: stageOf(new MemoryTreeStore(), T0), force: false };
    await assertRefused(ops.store, () => planRke2RotateCa(ops.ctx, params), 'NOT_A_SERVER');
  });

  it('rotate-ca with nothing staged', async () => {
    const ops = await initialised();
    const params = { catalogue, stage: stageOf(new MemoryTreeStore(), T0), force: false };
    await assertRefused(ops.store, () => planRke2RotateCa(ops.ctx, params), 'NOTHING_TO_ROTATE');
  });

  it('rotate-ca of a service key that drops the current signer', async () => {
    const ops = await initialised();
    const out = new MemoryTreeStore({
      files: {
        'tls/service.key': encoder.encode(encodePrivateKey(pooledKey('RSA-2048', 9))),
      },
    });
    const params = { catalogue, stage: stageOf(out, T0), force: false };
    await assertRefused(ops.store, () => planRke2RotateCa(ops.ctx, params), 'ROTATE_CA_INVALID');
  });
});
