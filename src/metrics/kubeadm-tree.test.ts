import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { kubeadmCatalogue, KUBEADM_RESTART_ORDER } from '../layouts/kubeadm/catalogue.js';
import { defaultKubeadmSpec } from '../layouts/kubeadm/spec.js';
import { applyInit, planInit } from '../ops/kubeadm/init.js';
import { applyRenew, planRenew } from '../ops/kubeadm/renew.js';
import { checkTree } from '../ops/kubeadm/check.js';
import { copyStore, memoryOps } from '../../test/support/ops-context.js';
import { samplesOfReport } from './certificate-samples.js';
import { createKpkiMetrics } from './registry.js';

const T0 = new Date('2026-03-01T12:00:00Z');
const LATER = new Date(T0.getTime() + 300 * 86_400_000);
const spec = defaultKubeadmSpec({ hostname: 'cp1', address: '10.0.0.5' });
const { catalogue } = kubeadmCatalogue({ ...spec, encryptionAlgorithm: 'ECDSA-P256' });
const rules = { restartOrder: KUBEADM_RESTART_ORDER };

const notAfterLines = (text: string): string[] =>
  text.split('\n').filter((line) => line.startsWith('x509_cert_not_after{'));

describe('metrics of a real kubeadm check, before and after a renewal', () => {
  it('has one not_after per certificate, no read errors, and the renewed dates after renew', async () => {
    const ops = memoryOps(T0);
    await ops.store.exclusive(async () =>
      applyInit(ops.ctx, await planInit(ops.ctx, { catalogue, ...rules, warnings: [] })),
    );
    const metrics = createKpkiMetrics();
    const before = await checkTree(ops.ctx, { catalogue });
    const rows = [...before.authorities, ...before.certificates].filter((r) => r.certificate);
    metrics.recordCheck('kubeadm', samplesOfReport(before, '/etc/kubernetes'), before.at);
    const first = await metrics.registry.metrics();
    assert.equal(notAfterLines(first).length, rows.length, first);
    assert.match(first, /^x509_read_errors 0$/m);

    const next = memoryOps(LATER, copyStore(ops.store, LATER), ops.keys);
    await next.store.exclusive(async () =>
      applyRenew(next.ctx, await planRenew(next.ctx, { catalogue, names: ['all'], ...rules })),
    );
    const after = await checkTree(next.ctx, { catalogue });
    metrics.recordCheck('kubeadm', samplesOfReport(after, '/etc/kubernetes'), after.at);
    const second = await metrics.registry.metrics();
    assert.equal(notAfterLines(second).length, rows.length, second);
    const apiserver = notAfterLines(second).find((l) =>
      l.includes('filepath="/etc/kubernetes/pki/apiserver.crt"'),
    );
    const renewedTo = Math.floor(LATER.getTime() / 1000) + 364 * 86_400;
    assert.ok(Number(apiserver?.split(' ').pop()) > renewedTo, apiserver);
  });
});
