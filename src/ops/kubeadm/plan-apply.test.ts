import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { kubeadmCatalogue, KUBEADM_RESTART_ORDER } from '../../layouts/kubeadm/catalogue.js';
import { defaultKubeadmSpec } from '../../layouts/kubeadm/spec.js';
import { parseCertificates } from '../../pki/certificate.js';
import { MemoryTreeStore } from '../../stores/memory-tree-store.js';
import { applyInit, planInit, type InitParams } from './init.js';
import { applyCsrGenerate, planCsrGenerate } from './csr-generate.js';
import { treeHostDefaults } from './tree-host.js';
import { applyRenew, planRenew, type RenewParams } from './renew.js';
import {
  applyRotateCa,
  planRotateCa,
  ROTATION_DIR,
  type RotationPhase,
} from './rotate-ca-phases.js';
import {
  applyAndProve,
  assertRefused,
  copyStore,
  memoryOps,
  type MemoryOps,
} from '../../../test/support/ops-context.js';

const T0 = new Date('2026-03-01T12:00:00Z');
const DAY = 86_400_000;
// ECDSA keys keep the tests fast (RSA generation is what costs); one test runs kubeadm's RSA default.
const spec = defaultKubeadmSpec({ hostname: 'cp1', address: '10.0.0.5' });
const { catalogue } = kubeadmCatalogue({ ...spec, encryptionAlgorithm: 'ECDSA-P256' });
const rules = { restartOrder: KUBEADM_RESTART_ORDER };
const initParams: InitParams = { catalogue, ...rules, warnings: [] };
const renewAll: RenewParams = { catalogue, names: ['all'], ...rules };
const decoder = new TextDecoder();

async function initialised(at = T0): Promise<MemoryOps> {
  const ops = memoryOps(at);
  await ops.store.exclusive(async () => applyInit(ops.ctx, await planInit(ops.ctx, initParams)));
  return ops;
}

/** The same tree, seen `days` later by a fresh context (the key pool goes on where it was). */
function later(ops: MemoryOps, days: number): MemoryOps {
  const at = new Date(T0.getTime() + days * DAY);
  return memoryOps(at, copyStore(ops.store, at), ops.keys);
}

function certOf(ops: MemoryOps, path: string): ReturnType<typeof parseCertificates> {
  const file = ops.store.snapshot().get(path);
  assert.ok(file, path);
  return parseCertificates(decoder.decode(file.data), path);
}

describe('kubeadm ops: the plan names exactly the files apply changes', () => {
  it('init on an empty tree, with RSA keys as kubeadm makes by default', async () => {
    const ops = memoryOps(T0);
    const rsa = kubeadmCatalogue(spec).catalogue;
    const planned = await planInit(ops.ctx, { ...initParams, catalogue: rsa });
    assert.ok(planned.plan.items.every((item) => item.action === 'create'));
    assert.ok(planned.change.paths().includes('pki/ca.key'));
    await applyAndProve(ops, applyInit, planned);
    assert.equal(ops.store.snapshot().get('pki/ca.key')?.mode, 0o600);
    assert.equal(ops.store.snapshot().get('pki/ca.crt')?.mode, 0o644);
  });

  it('init after one leaf was removed creates that leaf only, signed by the existing CA', async () => {
    const ops = await initialised();
    const files = Object.fromEntries(ops.store.snapshot());
    delete files['pki/apiserver.crt'];
    delete files['pki/apiserver.key'];
    const next = memoryOps(T0, new MemoryTreeStore({ files }));
    const planned = await planInit(next.ctx, initParams);
    const creating = planned.plan.items.filter((item) => item.action === 'create');
    assert.deepEqual(
      creating.map((item) => item.name),
      ['apiserver'],
    );
    await applyAndProve(next, applyInit, planned);
    const [leaf] = certOf(next, 'pki/apiserver.crt');
    const [ca] = certOf(next, 'pki/ca.crt');
    assert.equal(leaf?.authorityKeyId, ca?.subjectKeyId);
  });

  it('init on a complete tree plans nothing and apply commits nothing', async () => {
    const ops = await initialised();
    const planned = await planInit(ops.ctx, initParams);
    assert.ok(planned.plan.items.every((item) => item.action === 'reuse'));
    assert.equal(await applyAndProve(ops, applyInit, planned), undefined);
    assert.equal((await ops.store.backups()).length, 1);
  });

  it('renew all, a year later', async () => {
    const ops = later(await initialised(), 300);
    const planned = await planRenew(ops.ctx, renewAll);
    const before = certOf(ops, 'pki/apiserver.crt')[0]?.notAfter.getTime() ?? 0;
    const result = await applyAndProve(ops, applyRenew, planned);
    assert.ok(result?.backupId);
    assert.ok((certOf(ops, 'pki/apiserver.crt')[0]?.notAfter.getTime() ?? 0) > before);
    // kubelet.conf is self-rotated: `all` leaves it alone.
    assert.ok(!planned.change.paths().includes('kubelet.conf'));
  });

  it('renew of one name, with a window that excludes it, changes nothing', async () => {
    const ops = later(await initialised(), 10);
    const planned = await planRenew(ops.ctx, {
      ...renewAll,
      names: ['apiserver'],
      expiringWithinMs: 30 * DAY,
    });
    assert.deepEqual(
      planned.plan.items.map((item) => item.action),
      ['skip'],
    );
    assert.equal(await applyAndProve(ops, applyRenew, planned), undefined);
  });

  it('rotate-ca trust, issue, finish: each phase exactly as planned', async () => {
    const ops = later(await initialised(), 1);
    const oldCa = certOf(ops, 'pki/ca.crt')[0]?.subjectKeyId;
    for (const phase of ['trust', 'issue', 'finish'] as RotationPhase[]) {
      const planned = await planRotateCa(ops.ctx, { catalogue, phase, cas: ['ca'], ...rules });
      assert.equal(planned.change.label, `rotate-ca-${phase}`);
      await applyAndProve(ops, applyRotateCa, planned);
    }
    const bundle = certOf(ops, 'pki/ca.crt');
    assert.equal(bundle.length, 1);
    assert.notEqual(bundle[0]?.subjectKeyId, oldCa);
    assert.equal(certOf(ops, 'pki/apiserver.crt')[0]?.authorityKeyId, bundle[0]?.subjectKeyId);
    assert.ok(![...ops.store.snapshot().keys()].some((path) => path.startsWith(ROTATION_DIR)));
  });
});

describe('kubeadm ops: refusals are typed and change nothing', () => {
  const cases: Record<
    string,
    { edit: (files: Record<string, Uint8Array>) => void; code: string; op: 'init' | 'renew' }
  > = {
    'init with a CA key but no CA certificate': {
      edit: (files) => {
        delete files['pki/ca.crt'];
      },
      code: 'KEY_WITHOUT_CERT',
      op: 'init',
    },
    'init with a leaf certificate that is not a certificate': {
      edit: (files) => {
        files['pki/apiserver.crt'] = new TextEncoder().encode('not a certificate\n');
      },
      code: 'INVALID_EXISTING',
      op: 'init',
    },
    'init with an external CA (no key) and a missing leaf': {
      edit: (files) => {
        delete files['pki/ca.key'];
        delete files['pki/apiserver.crt'];
        delete files['pki/apiserver.key'];
      },
      code: 'EXTERNAL_CA_INCOMPLETE',
      op: 'init',
    },
    'renew of a leaf whose certificate does not parse': {
      edit: (files) => {
        files['pki/front-proxy-client.crt'] = new TextEncoder().encode('garbage\n');
      },
      code: 'BROKEN_ENTRY',
      op: 'renew',
    },
  };
  for (const [name, { edit, code, op }] of Object.entries(cases)) {
    it(name, async () => {
      const ops = await initialised();
      const files = Object.fromEntries(
        [...ops.store.snapshot()].map(([path, file]) => [path, file.data]),
      );
      edit(files);
      const next = memoryOps(T0, new MemoryTreeStore({ files }));
      await assertRefused(
        next.store,
        () =>
          op === 'init'
            ? planInit(next.ctx, initParams)
            : planRenew(next.ctx, { ...renewAll, names: ['front-proxy-client'] }),
        code,
      );
    });
  }

  it('renew of an unknown name', async () => {
    const ops = await initialised();
    await assertRefused(
      ops.store,
      () => planRenew(ops.ctx, { ...renewAll, names: ['apiserver', 'api-server'] }),
      'UNKNOWN_NAME',
    );
  });

  it('rotate-ca issue before trust', async () => {
    const ops = await initialised();
    await assertRefused(
      ops.store,
      () => planRotateCa(ops.ctx, { catalogue, phase: 'issue', cas: [], ...rules }),
      'ROTATION_ORDER',
    );
  });
});

describe('kubeadm ops: init reuses only what fits the spec (kubeadm validateCertificateWithConfig)', () => {
  async function refusal(ops: MemoryOps, params: InitParams): Promise<Error & { hint?: string }> {
    let caught: unknown;
    await assertRefused(
      ops.store,
      async () => {
        try {
          await planInit(ops.ctx, params);
        } catch (error) {
          caught = error;
          throw error;
        }
      },
      'INVALID_EXISTING',
    );
    return caught as Error & { hint?: string };
  }

  it('new SANs and a new controlPlaneEndpoint: one refusal naming apiserver and every kubeconfig it moves', async () => {
    const ops = await initialised();
    const changed = kubeadmCatalogue({
      ...spec,
      encryptionAlgorithm: 'ECDSA-P256',
      certSANs: ['k8s.example.com', '10.0.0.100'],
      controlPlaneEndpoint: 'api.example.com:6443',
    }).catalogue;
    const error = await refusal(ops, { ...initParams, catalogue: changed });
    assert.match(
      error.message,
      /"apiserver" exists but is not usable: lacks SAN DNS:api\.example\.com, DNS:k8s\.example\.com, IP:10\.0\.0\.100/,
    );
    assert.match(
      error.message,
      /"admin\.conf" exists but is not usable: server "https:\/\/10\.0\.0\.5:6443", the spec gives "https:\/\/api\.example\.com:6443"/,
    );
    assert.match(error.message, /"super-admin\.conf"/);
    assert.doesNotMatch(error.message, /"scheduler\.conf"/);
    assert.match(
      error.hint ?? '',
      /apiserver: move pki\/apiserver\.key and pki\/apiserver\.crt out of the tree/,
    );
  });

  it('expired leaves after a year: refused with the renew command for each', async () => {
    const ops = later(await initialised(), 400);
    const error = await refusal(ops, initParams);
    assert.match(error.message, /"apiserver" exists but is not usable: expired on 2027-03-01/);
    assert.match(error.hint ?? '', /^ {2}apiserver: kpki renew apiserver$/m);
    assert.match(error.hint ?? '', /^ {2}admin\.conf: kpki renew admin\.conf$/m);
  });

  it('another CN, O or usage for the role is a difference; the same tree again is not', async () => {
    const ops = await initialised();
    const again = await planInit(ops.ctx, initParams);
    assert.ok(again.plan.items.every((item) => item.action === 'reuse'));
    const renamed = {
      ...catalogue,
      leaves: catalogue.leaves.map((leaf) =>
        leaf.name === 'apiserver'
          ? { ...leaf, subject: { cn: 'other' }, extKeyUsage: ['clientAuth' as const] }
          : leaf,
      ),
    };
    const error = await refusal(ops, { ...initParams, catalogue: renamed });
    assert.match(error.message, /extended key usage serverAuth, the role needs clientAuth/);
    assert.match(error.message, /CN "kube-apiserver", the spec gives "other"/);
  });
});

describe('kubeadm ops: leaves never outlive their CA; renewing under an ending CA is refused', () => {
  // A CA of 100 days, so the one-year leaves meet its end.
  const shortCa = {
    ...catalogue,
    cas: catalogue.cas.map((ca) => ({ ...ca, validityMs: 100 * DAY })),
  };
  const params = { ...renewAll, catalogue: shortCa };
  async function shortTree(): Promise<MemoryOps> {
    const ops = memoryOps(T0);
    const planned = await planInit(ops.ctx, { ...initParams, catalogue: shortCa });
    assert.match(planned.plan.warnings.join('\n'), /apiserver: NotAfter cut back to .*CA "ca"/);
    await ops.store.exclusive(async () => applyInit(ops.ctx, planned));
    return ops;
  }

  it('renew 50 days on: every leaf ends with its CA, and the plan says so', async () => {
    const ops = later(await shortTree(), 50);
    const planned = await planRenew(ops.ctx, params);
    assert.match(planned.plan.warnings.join('\n'), /^etcd-peer: NotAfter cut back to/m);
    await applyAndProve(ops, applyRenew, planned);
    const ca = certOf(ops, 'pki/ca.crt')[0];
    const leaf = certOf(ops, 'pki/apiserver.crt')[0];
    assert.equal(leaf?.notAfter.getTime(), ca?.notAfter.getTime());
  });

  for (const [days, code] of [
    [80, 'CA_EXPIRING'],
    [120, 'CA_EXPIRED'],
  ] as const) {
    it(`renew ${days} days on: ${code}, naming rotate-ca; --allow-expired-ca warns and renews`, async () => {
      const ops = later(await shortTree(), days);
      await assertRefused(ops.store, () => planRenew(ops.ctx, params), code);
      await assert.rejects(() => planRenew(ops.ctx, params), /refusing to renew under CA "ca"/);
      const allowed = await planRenew(ops.ctx, { ...params, allowExpiredCa: true });
      assert.match(allowed.plan.warnings.join('\n'), /renewing anyway.*kpki rotate-ca/);
      await applyAndProve(ops, applyRenew, allowed);
    });
  }
});

describe('kubeadm ops: renew --update-sans gives the spec SANs and server URLs', () => {
  it('the plan shows the SAN and server change, apply writes exactly it, and init then reuses all', async () => {
    const ops = await initialised();
    const changed = kubeadmCatalogue({
      ...spec,
      encryptionAlgorithm: 'ECDSA-P256',
      certSANs: ['k8s.example.com'],
      controlPlaneEndpoint: 'api.example.com:6443',
    }).catalogue;
    const planned = await planRenew(ops.ctx, {
      ...renewAll,
      catalogue: changed,
      names: ['apiserver', 'admin.conf', 'super-admin.conf'],
      updateSans: true,
    });
    const reasons = new Map(planned.plan.items.map((item) => [item.name, item.reason]));
    assert.match(
      reasons.get('apiserver') ?? '',
      /; SANs \+DNS:api\.example\.com \+DNS:k8s\.example\.com$/,
    );
    assert.match(
      reasons.get('admin.conf') ?? '',
      /; server https:\/\/10\.0\.0\.5:6443 → https:\/\/api\.example\.com:6443$/,
    );
    assert.deepEqual(planned.plan.restart, ['kube-apiserver']);
    await applyAndProve(ops, applyRenew, planned);
    const apiserver = certOf(ops, 'pki/apiserver.crt')[0];
    assert.ok(apiserver?.dnsNames.includes('k8s.example.com'));
    const again = await planInit(ops.ctx, { ...initParams, catalogue: changed });
    assert.ok(again.plan.items.every((item) => item.action === 'reuse'));
  });

  it('without --update-sans the SANs are copied, as kubeadm renew does', async () => {
    const ops = await initialised();
    const changed = kubeadmCatalogue({
      ...spec,
      encryptionAlgorithm: 'ECDSA-P256',
      certSANs: ['k8s.example.com'],
    }).catalogue;
    const planned = await planRenew(ops.ctx, {
      ...renewAll,
      catalogue: changed,
      names: ['apiserver'],
    });
    await applyAndProve(ops, applyRenew, planned);
    assert.ok(!certOf(ops, 'pki/apiserver.crt')[0]?.dnsNames.includes('k8s.example.com'));
  });
});

describe('kubeadm ops: csr generate is a plan and an apply like the others', () => {
  it('the plan names exactly the keys and requests apply writes; a second plan refuses', async () => {
    const ops = memoryOps(T0);
    const planned = await planCsrGenerate(ops.ctx, catalogue);
    assert.ok(planned.plan.items.every((item) => item.action === 'create'));
    await applyAndProve(ops, applyCsrGenerate, planned);
    await assertRefused(ops.store, () => planCsrGenerate(ops.ctx, catalogue), 'FILE_EXISTS');
  });
});

describe('kubeadm ops: a tree tells which node it was made for', () => {
  it('node name from kubelet.conf, address from the apiserver SANs, over the host', async () => {
    const ops = await initialised();
    const host = { hostname: 'elsewhere', address: '192.0.2.9' };
    const other = kubeadmCatalogue(defaultKubeadmSpec(host)).catalogue;
    const found = await treeHostDefaults(ops.store, other, host);
    assert.deepEqual(found, { host: { hostname: 'cp1', address: '10.0.0.5' }, fromTree: true });
    const empty = await treeHostDefaults(memoryOps(T0).store, other, host);
    assert.deepEqual(empty, { host, fromTree: false });
  });
});
