/** `rke import` keeps what the custom directory does not replace, and says so (issue 15 item 4). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { toRkeConfig } from '../../src/layouts/rke/rke-config.js';
import { applyRkeImport } from '../../src/ops/rke/import.js';
import { applyRkeRotate, planRkeRotate } from '../../src/ops/rke/rotate.js';
import { openTreeStore } from '../../src/stores/fs-tree-store.js';
import { tempDirAsync } from '../support/temp-dir.js';
import { CLUSTER_YML, context, FILES, initialisedCluster, readState } from './helpers.js';

const SA = 'kube-service-account-token';
const CA_KEYED = ['kube-ca', 'kube-apiserver-requestheader-ca'];

describe('kpki rke import: what the directory does not replace', () => {
  it('CA certificates without *-key.pem and no SA files: the CA keys and the SA entry stay, a warning says so, rotate still works', async () => {
    const dir = await initialisedCluster();
    const before = (await readState(dir)).desiredState.certificatesBundle;
    const certDir = await tempDirAsync('kpki-rke-custom-');
    for (const [name, entry] of Object.entries(before)) {
      if (name === SA) continue;
      await writeFile(join(certDir, `${name}.pem`), entry.certificatePEM ?? '');
      if (!CA_KEYED.includes(name))
        await writeFile(join(certDir, `${name}-key.pem`), entry.keyPEM ?? '');
    }
    const ctx = await context(dir);
    const out = await ctx.tree.exclusive(async () =>
      applyRkeImport(ctx, {
        files: FILES,
        certDir: await openTreeStore(certDir),
        rkeConfig: toRkeConfig(CLUSTER_YML),
      }),
    );
    const after = (await readState(dir)).desiredState.certificatesBundle;
    assert.deepEqual(after[SA], before[SA]);
    for (const ca of CA_KEYED) {
      assert.ok((before[ca]?.keyPEM ?? '') !== '', `${ca} had a key`);
      assert.equal(after[ca]?.keyPEM, before[ca]?.keyPEM, `${ca} key kept`);
    }
    const note = out.warnings.join('\n');
    assert.match(note, /kept from the state/);
    assert.match(note, /"kube-ca"/);
    assert.match(note, /kube-service-account-token/);
    assert.ok(!note.includes('PRIVATE KEY'));
    const rotate = await context(dir);
    await rotate.tree.exclusive(async () =>
      applyRkeRotate(
        rotate,
        await planRkeRotate(rotate, { files: FILES, services: [], rotateCa: false }),
      ),
    );
  });
});
