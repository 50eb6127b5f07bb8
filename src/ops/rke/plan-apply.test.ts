import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { toRkeConfig } from '../../layouts/rke/rke-config.js';
import { MemoryTreeStore } from '../../stores/memory-tree-store.js';
import { applyRkeInit, planRkeInit } from './init.js';
import { applyRkeRotate, planRkeRotate, type RkeRotateParams } from './rotate.js';
import { applyRkeExport, planRkeExport } from './export.js';
import {
  applyAndProve,
  assertRefused,
  copyStore,
  memoryOps,
  type MemoryOps,
} from '../../../test/support/ops-context.js';
import { CLUSTER_YML, FILES } from '../../../test/rke/helpers.js';

const T0 = new Date('2026-03-01T12:00:00Z');
const DAY = 86_400_000;
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const initParams = { files: FILES, rkeConfig: toRkeConfig(CLUSTER_YML) };
const rotateAll: RkeRotateParams = { files: FILES, services: [], rotateCa: false };

function clusterDir(at = T0): MemoryOps {
  const store = new MemoryTreeStore({
    now: () => at,
    files: { 'cluster.yml': encoder.encode(CLUSTER_YML) },
  });
  return memoryOps(at, store);
}

async function initialised(): Promise<MemoryOps> {
  const ops = clusterDir();
  await ops.store.exclusive(async () =>
    applyRkeInit(ops.ctx, await planRkeInit(ops.ctx, initParams)),
  );
  return ops;
}

function later(ops: MemoryOps, days: number): MemoryOps {
  const at = new Date(T0.getTime() + days * DAY);
  return memoryOps(at, copyStore(ops.store, at), ops.keys);
}

interface Bundle {
  readonly desiredState: {
    readonly certificatesBundle: Record<string, { certificatePEM: string }>;
  };
}

function bundleOf(ops: MemoryOps): Bundle['desiredState']['certificatesBundle'] {
  const file = ops.store.snapshot().get(FILES.stateFile);
  assert.ok(file);
  return (JSON.parse(decoder.decode(file.data)) as Bundle).desiredState.certificatesBundle;
}

describe('rke ops: the plan names exactly the files apply changes', () => {
  it('init of a new cluster: the state file and the admin kubeconfig', async () => {
    const ops = clusterDir();
    const planned = await planRkeInit(ops.ctx, initParams);
    assert.deepEqual(planned.change.paths(), [FILES.adminKubeconfig, FILES.stateFile].sort());
    await applyAndProve(ops, applyRkeInit, planned);
    assert.equal(ops.store.snapshot().get(FILES.stateFile)?.mode, 0o600);
  });

  it('init again: nothing missing, nothing committed', async () => {
    const ops = await initialised();
    const planned = await planRkeInit(ops.ctx, initParams);
    assert.ok(planned.plan.items.every((item) => item.action === 'reuse'));
    assert.equal(await applyAndProve(ops, applyRkeInit, planned), undefined);
  });

  it('rotate of one service changes only its entries', async () => {
    const ops = later(await initialised(), 30);
    const before = bundleOf(ops);
    const planned = await planRkeRotate(ops.ctx, { ...rotateAll, services: ['kube-proxy'] });
    await applyAndProve(ops, applyRkeRotate, planned);
    const after = bundleOf(ops);
    const changed = Object.keys(after).filter(
      (name) => after[name]?.certificatePEM !== before[name]?.certificatePEM,
    );
    assert.deepEqual(changed, ['kube-proxy']);
  });

  it('rotate of everything', async () => {
    const ops = later(await initialised(), 30);
    await applyAndProve(ops, applyRkeRotate, await planRkeRotate(ops.ctx, rotateAll));
  });

  it('rotate --rotate-ca: new CAs, the admin kubeconfig, pods to delete', async () => {
    const ops = later(await initialised(), 30);
    const caBefore = bundleOf(ops)['kube-ca']?.certificatePEM;
    const planned = await planRkeRotate(ops.ctx, { ...rotateAll, rotateCa: true });
    assert.ok(planned.plan.deletePods.length > 0);
    await applyAndProve(ops, applyRkeRotate, planned);
    assert.notEqual(bundleOf(ops)['kube-ca']?.certificatePEM, caBefore);
  });
});

describe('rke ops: refusals are typed and change nothing', () => {
  it('rotate of an unknown service', async () => {
    const ops = await initialised();
    await assertRefused(
      ops.store,
      () => planRkeRotate(ops.ctx, { ...rotateAll, services: ['kube-dns'] }),
      'UNKNOWN_NAME',
    );
  });

  it('rotate without a state file', async () => {
    const ops = clusterDir();
    await assertRefused(ops.store, () => planRkeRotate(ops.ctx, rotateAll), 'NO_STATE');
  });

  it('a plain rotate once kube-ca has expired', async () => {
    const ops = later(await initialised(), 3651);
    await assertRefused(ops.store, () => planRkeRotate(ops.ctx, rotateAll), 'CA_INVALID');
  });

  it('init over a state whose CA entry lost its key', async () => {
    const ops = await initialised();
    const file = ops.store.snapshot().get(FILES.stateFile);
    assert.ok(file);
    const state = JSON.parse(decoder.decode(file.data)) as {
      desiredState: { certificatesBundle: Record<string, Record<string, unknown>> };
    };
    const ca = state.desiredState.certificatesBundle['kube-ca'];
    assert.ok(ca);
    ca.keyPEM = 'garbage';
    const broken = new MemoryTreeStore({
      files: {
        'cluster.yml': encoder.encode(CLUSTER_YML),
        [FILES.stateFile]: encoder.encode(JSON.stringify(state)),
      },
    });
    const next = memoryOps(T0, broken);
    await assertRefused(next.store, () => planRkeInit(next.ctx, initParams), 'BROKEN_STATE');
  });
});

/** `ops` with the state's entry `name` taken out of both states. */
function withoutEntry(ops: MemoryOps, name: string): MemoryOps {
  const files = Object.fromEntries(ops.store.snapshot());
  const file = files[FILES.stateFile];
  assert.ok(file);
  const state = JSON.parse(decoder.decode(file.data)) as Record<
    string,
    { certificatesBundle?: Record<string, unknown> }
  >;
  for (const part of Object.values(state)) delete part.certificatesBundle?.[name];
  files[FILES.stateFile] = { ...file, data: encoder.encode(JSON.stringify(state)) };
  return memoryOps(
    T0,
    new MemoryTreeStore({ root: ops.store.root, now: () => T0, files }),
    ops.keys,
  );
}

describe('rke export: plan → apply into the out tree', () => {
  it('an etcd node: the plan names every file written to out, and nothing in the cluster dir changes', async () => {
    const ops = await initialised();
    const before = ops.store.snapshot();
    const out = memoryOps(T0, new MemoryTreeStore({ root: '/out', now: () => T0 }));
    const planned = await planRkeExport(ops.ctx, {
      files: FILES,
      node: '203.0.113.11',
      out: out.store,
    });
    assert.ok(planned.change.paths().includes('kube-etcd-203-0-113-11.pem'));
    assert.deepEqual(planned.plan.warnings, []);
    await applyAndProve(out, applyRkeExport, planned);
    assert.deepEqual(ops.store.snapshot(), before);
  });

  it('an etcd node without its kube-etcd entry: the missing files are named, the rest is exported', async () => {
    const ops = withoutEntry(await initialised(), 'kube-etcd-203-0-113-11');
    const out = memoryOps(T0, new MemoryTreeStore({ root: '/out', now: () => T0 }));
    const planned = await planRkeExport(ops.ctx, {
      files: FILES,
      node: '203.0.113.11',
      out: out.store,
    });
    assert.match(planned.plan.warnings.join('\n'), /kube-etcd-203-0-113-11\.pem/);
    assert.ok(!planned.change.paths().some((p) => p.startsWith('kube-etcd-203-0-113-11')));
    assert.ok(planned.change.paths().includes('kube-ca.pem'));
    await applyAndProve(out, applyRkeExport, planned);
  });
});
