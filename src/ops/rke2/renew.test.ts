import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { openTreeStore } from '../../stores/fs-tree-store.js';
import { generatePrivateKey, encodePrivateKey } from '../../pki/keys.js';
import { parseCertificates } from '../../pki/certificate.js';
import { rke2Catalogue, type Rke2Catalogue } from '../../layouts/rke2/catalogue.js';
import { defaultRke2Spec, type Rke2Spec } from '../../layouts/rke2/spec.js';
import { allServices } from '../../layouts/rke2/services.js';
import { encodeDynamicCert } from '../../layouts/rke2/dynamic-cert.js';
import { applyRke2Init, planRke2Init } from './init.js';
import { applyRke2Renew, planRke2Renew } from './renew.js';
import { loadRke2Authority } from './issue.js';
import { issueLeaf } from '../shared/issue.js';
import { RKE2_ISSUANCE } from '../../layouts/rke2/issuance-profile.js';
import type { OpsContext } from '../shared/ports.js';
import { tempDir } from '../../../test/support/temp-dir.js';

const DAY = 86_400_000;
const T0 = new Date('2026-03-01T12:00:00Z');
const WINDOW = 120 * DAY;
/** Leaves made at T0 by a CA made at T0: NotBefore T0 − 1h, NotAfter 365 days later. */
const NOT_AFTER = T0.getTime() - 3_600_000 + 365 * DAY;
const decoder = new TextDecoder();

async function context(root: string, at: Date): Promise<OpsContext> {
  let counter = 0;
  return {
    tree: await openTreeStore(root),
    clock: { now: () => at },
    keys: { generate: generatePrivateKey },
    random: (n) => new Uint8Array(n).map(() => (counter++ * 37 + 11) & 0xff),
  };
}

function spec(root: string, overrides: Partial<Rke2Spec> = {}): Rke2Spec {
  return {
    ...defaultRke2Spec('rke2', root, { hostname: 'cp1', address: '10.0.0.5' }),
    ...overrides,
  };
}

async function freshTree(): Promise<{ root: string; catalogue: Rke2Catalogue }> {
  const root = tempDir('kpki-rke2-renew-');
  const catalogue = rke2Catalogue(spec(root), 'server', T0);
  const ctx = await context(root, T0);
  await ctx.tree.exclusive(async () =>
    applyRke2Init(ctx, await planRke2Init(ctx, { catalogue, warnings: [] })),
  );
  return { root, catalogue };
}

async function planAt(
  root: string,
  catalogue: Rke2Catalogue,
  at: number,
): Promise<Map<string, string>> {
  const ctx = await context(root, new Date(at));
  const plan = await planRke2Renew(ctx, {
    catalogue,
    services: allServices('rke2'),
    windowMs: WINDOW,
  }).then((p) => p.plan);
  return new Map(plan.items.map((item) => [item.name, item.action]));
}

describe('rke2 renew: the renewal window with an injected clock (K3s IsCertExpired is inclusive)', () => {
  let tree: { root: string; catalogue: Rke2Catalogue };
  before(async () => {
    tree = await freshTree();
  });
  const edges: Record<string, [number, 'renew' | 'skip']> = {
    'one second outside the window: kept': [NOT_AFTER - WINDOW - 1000, 'skip'],
    'exactly at the window edge: renewed': [NOT_AFTER - WINDOW, 'renew'],
    'one second inside the window: renewed': [NOT_AFTER - WINDOW + 1000, 'renew'],
    'expired one second ago: renewed': [NOT_AFTER + 1000, 'renew'],
  };
  for (const [name, [at, action]] of Object.entries(edges)) {
    it(name, async () => {
      const items = await planAt(tree.root, tree.catalogue, at);
      for (const leaf of tree.catalogue.leaves)
        assert.equal(items.get(leaf.name), action, leaf.name);
    });
  }

  it('apply at the edge reuses every key, extends every leaf, and switches them all in one commit', async () => {
    const { root, catalogue } = await freshTree();
    const ctx = await context(root, new Date(NOT_AFTER - WINDOW));
    const keysBefore = await Promise.all(
      catalogue.leaves.map((leaf) => ctx.tree.read(leaf.keyPath)),
    );
    const params = { catalogue, services: allServices('rke2'), windowMs: WINDOW };
    const result = await ctx.tree.exclusive(async () =>
      applyRke2Renew(ctx, await planRke2Renew(ctx, params)),
    );
    assert.ok(result);
    for (const [index, leaf] of catalogue.leaves.entries()) {
      assert.deepEqual(
        await ctx.tree.read(leaf.keyPath),
        keysBefore[index],
        `${leaf.name} key reused`,
      );
      const cert = parseCertificates(
        decoder.decode(await ctx.tree.read(leaf.certPath)),
        leaf.certPath,
      )[0];
      assert.equal(cert?.notAfter.getTime(), NOT_AFTER - WINDOW - 3_600_000 + 365 * DAY, leaf.name);
    }
    const again = await planRke2Renew(ctx, params).then((p) => p.plan);
    assert.ok(
      again.items.every((item) => item.action === 'skip'),
      'nothing left to renew',
    );
  });

  it('renews leaves whose required SANs changed (new tls-san), and only those', async () => {
    const { root, catalogue } = await freshTree();
    const changed = rke2Catalogue(spec(root, { tlsSans: ['api.example.com'] }), 'server', T0);
    const ctx = await context(root, new Date(T0.getTime() + DAY));
    const plan = await planRke2Renew(ctx, {
      catalogue: changed,
      services: allServices('rke2'),
      windowMs: WINDOW,
    }).then((p) => p.plan);
    const renewed = plan.items
      .filter((item) => item.action === 'renew')
      .map((item) => item.name)
      .sort();
    assert.deepEqual(renewed, [
      'etcd/peer-server-client',
      'etcd/server-client',
      'serving-kube-apiserver',
    ]);
    assert.match(
      plan.items.find((item) => item.name === 'serving-kube-apiserver')?.reason ?? '',
      /SANs missing: api\.example\.com/,
    );
    assert.ok(catalogue.leaves.length > renewed.length);
  });

  it("renews a leaf issued by another CA (AKID ≠ the CA's SKID) and one whose CN changed (node renamed)", async () => {
    const { root } = await freshTree();
    const renamed = rke2Catalogue(spec(root, { nodeName: 'cp2' }), 'server', T0);
    const ctx = await context(root, new Date(T0.getTime() + DAY));
    const items = new Map(
      (
        await planRke2Renew(ctx, { catalogue: renamed, services: ['kubelet'], windowMs: WINDOW })
      ).plan.items.map((i) => [i.name, i.reason]),
    );
    assert.match(
      items.get('agent/client-kubelet') ?? '',
      /CN "system:node:cp1" should be "system:node:cp2"/,
    );
    const other = await freshTree();
    const otherCa = other.catalogue.cas.find((ca) => ca.name === 'client-ca');
    assert.ok(otherCa);
    const ctxOther = await context(other.root, T0);
    const authority = await loadRke2Authority((p) => ctxOther.tree.read(p), otherCa, other.root);
    const leaf = renamed.leaves.find((entry) => entry.name === 'client-admin');
    assert.ok(leaf);
    const key = await generatePrivateKey('ECDSA-P256');
    const foreign = (await issueLeaf(ctxOther, RKE2_ISSUANCE, leaf, authority, T0, key))
      .certificate;
    await ctx.tree.exclusive(() =>
      ctx.tree.commit(
        {
          writes: [
            {
              path: leaf.certPath,
              data: new TextEncoder().encode(foreign.pem + authority.bundlePem),
              mode: 0o644,
            },
            {
              path: leaf.keyPath,
              data: new TextEncoder().encode(encodePrivateKey(key)),
              mode: 0o600,
            },
          ],
          deletes: [],
        },
        'test',
      ),
    );
    const plan = await planRke2Renew(ctx, {
      catalogue: renamed,
      services: ['admin'],
      windowMs: WINDOW,
    }).then((p) => p.plan);
    assert.match(plan.items[0]?.reason ?? '', /issued by another CA/);
  });
});

describe('rke2 renew: the dynamic listener certificate', () => {
  it('is re-signed with the same key inside the window; a static one is never touched', async () => {
    const { root, catalogue } = await freshTree();
    const ctx = await context(root, T0);
    const serverCa = catalogue.cas.find((ca) => ca.name === 'server-ca');
    assert.ok(serverCa);
    const authority = await loadRke2Authority((p) => ctx.tree.read(p), serverCa, root);
    const key = await generatePrivateKey('ECDSA-P256');
    const entry = {
      ...catalogue.leaves.find((leaf) => leaf.name === 'serving-kube-apiserver')!,
      subject: { cn: 'rke2', o: ['rke2'] },
    };
    const cert = (await issueLeaf(ctx, RKE2_ISSUANCE, entry, authority, T0, key)).certificate;
    const json = encodeDynamicCert('rke2', cert.pem + authority.bundlePem, encodePrivateKey(key), {
      'listener.cattle.io/cn-localhost': 'localhost',
    });
    await ctx.tree.exclusive(() =>
      ctx.tree.commit(
        {
          writes: [
            { path: catalogue.dynamicCertPath, data: new TextEncoder().encode(json), mode: 0o600 },
          ],
          deletes: [],
        },
        'test',
      ),
    );
    const later = await context(root, new Date(NOT_AFTER - DAY));
    const params = { catalogue, services: ['rke2-server'], windowMs: WINDOW };
    const planned = await planRke2Renew(later, params);
    assert.equal(planned.plan.items[0]?.action, 'renew');
    await later.tree.exclusive(() => applyRke2Renew(later, planned));
    const secret = JSON.parse(decoder.decode(await later.tree.read(catalogue.dynamicCertPath))) as {
      data: Record<string, string>;
      metadata: { annotations: Record<string, string> };
    };
    assert.equal(
      secret.data['tls.key'],
      Buffer.from(encodePrivateKey(key)).toString('base64'),
      'same key',
    );
    const renewed = parseCertificates(
      Buffer.from(secret.data['tls.crt'] ?? '', 'base64').toString(),
      'tls.crt',
    );
    assert.ok((renewed[0]?.notAfter.getTime() ?? 0) > NOT_AFTER + 300 * DAY);
    assert.equal(renewed.length, 2, 'leaf and the server CA');
    assert.match(
      secret.metadata.annotations['listener.cattle.io/fingerprint'] ?? '',
      /^SHA1=[0-9A-F]{40}$/,
    );
    assert.equal(secret.metadata.annotations['listener.cattle.io/cn-localhost'], 'localhost');

    const staticJson = encodeDynamicCert('rke2', cert.pem, encodePrivateKey(key), {
      'listener.cattle.io/static': 'true',
    });
    await later.tree.exclusive(() =>
      later.tree.commit(
        {
          writes: [
            {
              path: catalogue.dynamicCertPath,
              data: new TextEncoder().encode(staticJson),
              mode: 0o600,
            },
          ],
          deletes: [],
        },
        'test',
      ),
    );
    const staticPlan = await planRke2Renew(later, params).then((p) => p.plan);
    assert.equal(staticPlan.items[0]?.action, 'skip');
    assert.match(staticPlan.items[0]?.reason ?? '', /static/);
  });
});
