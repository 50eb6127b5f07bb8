import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCertificate } from '../../src/pki/certificate.js';
import { parseRkeState, serializeRkeState } from '../../src/layouts/rke/state.js';
import { checkRkeState } from '../../src/ops/rke/check.js';
import { applyRkeRotate, planRkeRotate } from '../../src/ops/rke/rotate.js';
import {
  changedEntries,
  context,
  FILES,
  fixtureWithCluster,
  opensslVerify,
  readState,
  REAL,
  REAL_DIR,
} from './helpers.js';

describe('real cluster.rkestate files', () => {
  for (const name of REAL) {
    it(`${name}: parse → serialize gives back the file byte for byte`, async () => {
      const text = await readFile(join(REAL_DIR, name, 'cluster.rkestate'), 'utf8');
      assert.equal(serializeRkeState(parseRkeState(text, 'cluster.rkestate').document), text);
    });

    it(`${name}: check reads every entry and every PEM parses`, async () => {
      const dir = await fixtureWithCluster(name);
      const report = await checkRkeState(await context(dir), FILES);
      const state = await readState(dir);
      const inState = Object.keys(state.desiredState.certificatesBundle);
      const rows = [...report.certificates, ...report.authorities];
      for (const entry of inState)
        assert.ok(
          rows.some((row) => row.name === entry && !row.missing),
          `${entry} reported`,
        );
      for (const row of rows.filter((r) => !r.missing)) {
        assert.ok(
          !row.problems.some((p) => /malformed|not a valid|does not match|not signed/.test(p)),
          `${row.name}: ${row.problems.join('; ')}`,
        );
      }
    });

    it(`${name}: a full rotate changes every leaf but the SA key, in both states, and keeps every other field`, async () => {
      const dir = await fixtureWithCluster(name);
      const before = await readState(dir);
      const ctx = await context(dir);
      await ctx.tree.exclusive(async () =>
        applyRkeRotate(
          ctx,
          await planRkeRotate(ctx, { files: FILES, services: [], rotateCa: false }),
        ),
      );
      const after = await readState(dir);
      assert.equal((await stat(join(dir, 'cluster.rkestate'))).mode & 0o777, 0o600);
      const desiredBefore = before.desiredState.certificatesBundle;
      const desiredAfter = after.desiredState.certificatesBundle;
      for (const unchanged of [
        'kube-ca',
        'kube-apiserver-requestheader-ca',
        'kube-service-account-token',
      ]) {
        if (unchanged in desiredBefore)
          assert.deepEqual(desiredAfter[unchanged], desiredBefore[unchanged], unchanged);
      }
      const changed = changedEntries(desiredBefore, desiredAfter);
      assert.ok(
        changed.includes('kube-apiserver') &&
          changed.includes('kube-node') &&
          changed.includes('kube-admin'),
      );
      // Everything outside the bundles is as RKE wrote it.
      assert.deepEqual(
        { ...after.desiredState, certificatesBundle: null },
        { ...before.desiredState, certificatesBundle: null },
      );
      if (before.currentState.certificatesBundle === undefined)
        assert.deepEqual(after.currentState, before.currentState);
      else
        for (const entry of changed)
          assert.deepEqual(
            after.currentState.certificatesBundle?.[entry],
            desiredAfter[entry],
            `${entry} same in both states`,
          );
      for (const entry of changed.filter((n) => desiredAfter[n] !== undefined)) {
        const ca =
          entry === 'kube-apiserver-proxy-client' ? 'kube-apiserver-requestheader-ca' : 'kube-ca';
        const caPem = desiredAfter[ca]?.certificatePEM ?? '';
        await opensslVerify(
          caPem,
          desiredAfter[entry]?.certificatePEM ?? '',
          parseCertificate(caPem, ca).subjectKeyId === undefined,
        );
        const fields = Object.keys(desiredBefore[entry] ?? {}).filter(
          (f) => desiredBefore[entry]?.[f] !== desiredAfter[entry]?.[f],
        );
        assert.ok(
          fields.every((f) => ['certificatePEM', 'keyPEM', 'config'].includes(f)),
          `${entry}: only PEMs/config change, not ${fields.join(',')}`,
        );
      }
      const recheck = await checkRkeState(await context(dir), FILES);
      const broken = [...recheck.certificates, ...recheck.authorities].filter((row) =>
        row.problems.some((p) => /not signed|does not match|lacks SANs/.test(p)),
      );
      assert.deepEqual(
        broken.map((row) => row.name),
        [],
      );
    });
  }

  it('natitomattis: rotating etcd removes the three stale kube-etcd entries and renews the three live ones', async () => {
    const dir = await fixtureWithCluster('rke1-natitomattis-rke-playroom');
    const before = await readState(dir);
    const ctx = await context(dir);
    const { plan } = await planRkeRotate(ctx, {
      files: FILES,
      services: ['etcd'],
      rotateCa: false,
    });
    assert.deepEqual(
      plan.items
        .filter((i) => i.action === 'remove')
        .map((i) => i.name)
        .sort(),
      ['kube-etcd-10-10-10-101', 'kube-etcd-10-10-10-102', 'kube-etcd-10-10-10-103'],
    );
    await ctx.tree.exclusive(async () =>
      applyRkeRotate(
        ctx,
        await planRkeRotate(ctx, { files: FILES, services: ['etcd'], rotateCa: false }),
      ),
    );
    const after = await readState(dir);
    assert.deepEqual(
      changedEntries(before.desiredState.certificatesBundle, after.desiredState.certificatesBundle),
      [
        'kube-etcd-10-10-10-101',
        'kube-etcd-10-10-10-102',
        'kube-etcd-10-10-10-103',
        'kube-etcd-172-16-0-110',
        'kube-etcd-172-16-0-116',
        'kube-etcd-172-16-0-178',
      ],
    );
    assert.ok(!('kube-etcd-10-10-10-101' in after.desiredState.certificatesBundle));
    assert.ok(!('kube-etcd-10-10-10-101' in (after.currentState.certificatesBundle ?? {})));
  });
});
