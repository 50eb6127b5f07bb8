import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { buildAndValidatePath } from './index.js';
import { issue } from '../../../test/support/make-chain.js';
import type { CryptoKeyPair, Issued } from '../../../test/support/make-chain.js';

const NOW = new Date('2026-06-01T12:00:00Z');

describe('path building over graphs', () => {
  it('backtracks from a cross-signed path that fails to one that works (CA rotation overlap)', async () => {
    // The intermediate exists twice with one key: signed by the expired old root and by the new root.
    const oldRoot = await issue({
      subject: 'CN=Old Cluster CA',
      ca: true,
      notAfter: new Date('2026-01-01T00:00:00Z'),
    });
    const newRoot = await issue({ subject: 'CN=New Cluster CA', ca: true });
    const keys: CryptoKeyPair = await webcrypto.subtle.generateKey(
      { name: 'ECDSA', namedCurve: 'P-256' },
      true,
      ['sign', 'verify'],
    );
    const viaOld = await issue({ subject: 'CN=Cluster ICA', ca: true, keys, issuer: oldRoot });
    const viaNew = await issue({ subject: 'CN=Cluster ICA', ca: true, keys, issuer: newRoot });
    const leaf = await issue({
      subject: 'CN=apiserver',
      issuer: viaNew,
      dns: ['kubernetes.default.svc'],
    });
    const params = {
      leaf: leaf.der,
      time: NOW,
      host: 'kubernetes.default.svc',
      purpose: 'server' as const,
      anchors: [oldRoot.der, newRoot.der],
    };
    const onlyOld = buildAndValidatePath({ ...params, intermediates: [viaOld.der] });
    assert.equal(onlyOld.valid ? 'valid' : onlyOld.code, 'EXPIRED');
    // The failing candidate comes first; the search must go back and take the other one.
    const both = buildAndValidatePath({ ...params, intermediates: [viaOld.der, viaNew.der] });
    assert.ok(both.valid, both.valid ? '' : both.reason);
    assert.deepEqual(
      both.path.map((p) => p.subject),
      ['CN=apiserver', 'CN=Cluster ICA', 'CN=New Cluster CA'],
    );
  });

  it('ends fast on a long same-subject chain that reaches no anchor', async () => {
    const root = await issue({ subject: 'CN=Unrelated Root', ca: true });
    let top: Issued = await issue({ subject: 'CN=Loop CA', ca: true, omitKeyIds: true });
    const cas: Issued[] = [top];
    for (let i = 0; i < 30; i++) {
      top = await issue({ subject: 'CN=Loop CA', ca: true, issuer: top, omitKeyIds: true });
      cas.push(top);
    }
    const leaf = await issue({
      subject: 'CN=leaf',
      issuer: top,
      dns: ['a.example.test'],
      omitKeyIds: true,
    });
    const start = performance.now();
    const result = buildAndValidatePath({
      leaf: leaf.der,
      intermediates: cas.map((c) => c.der),
      anchors: [root.der],
      time: NOW,
      policy: { profile: 'compat', maxSignatureChecks: 100 },
    });
    assert.equal(result.valid, false);
    assert.ok(performance.now() - start < 2000);
  });

  it('stops at the signature budget with LIMIT_EXCEEDED', async () => {
    const root = await issue({ subject: 'CN=Root', ca: true });
    const cas: Issued[] = [];
    for (let i = 0; i < 6; i++)
      cas.push(await issue({ subject: 'CN=Same CA', ca: true, issuer: root, omitKeyIds: true }));
    const leaf = await issue({
      subject: 'CN=leaf',
      issuer: await issue({ subject: 'CN=Same CA', ca: true, omitKeyIds: true }),
      omitKeyIds: true,
    });
    const result = buildAndValidatePath({
      leaf: leaf.der,
      intermediates: cas.map((c) => c.der),
      anchors: [root.der],
      time: NOW,
      policy: { profile: 'compat', maxSignatureChecks: 3 },
    });
    assert.equal(result.valid, false);
    assert.equal(result.valid ? '' : result.code, 'LIMIT_EXCEEDED');
  });
});
