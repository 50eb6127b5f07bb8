/** RKE1 rotate repairs a broken entry of a rotated service, as `rke cert rotate` does (issue 15 item 5). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkRkeState } from '../../src/ops/rke/check.js';
import { applyRkeRotate, planRkeRotate } from '../../src/ops/rke/rotate.js';
import { KpkiError } from '../../src/errors.js';
import { context, FILES, initialisedCluster } from './helpers.js';

type State = Record<string, { certificatesBundle?: Record<string, Record<string, string>> }>;

/** An initialised cluster whose kube-scheduler key is kube-proxy's and, with `proxy`, whose kube-proxy certificate is cut short. */
async function brokenCluster(proxy: boolean): Promise<string> {
  const dir = await initialisedCluster();
  const path = join(dir, 'cluster.rkestate');
  const state = JSON.parse(await readFile(path, 'utf8')) as State;
  for (const part of Object.values(state)) {
    const bundle = part.certificatesBundle;
    if (!bundle?.['kube-scheduler'] || !bundle['kube-proxy']) continue;
    bundle['kube-scheduler'].keyPEM = bundle['kube-proxy'].keyPEM ?? '';
    if (proxy) {
      const pem = bundle['kube-proxy'].certificatePEM ?? '';
      bundle['kube-proxy'].certificatePEM = pem.slice(0, pem.length / 2);
    }
  }
  await writeFile(path, JSON.stringify(state, null, 2), { mode: 0o600 });
  return dir;
}

const CASES: Record<
  string,
  { proxy: boolean; services: string[]; rotateCa: boolean; repaired: string[] }
> = {
  '--service kube-scheduler with a mismatched key': {
    proxy: false,
    services: ['kube-scheduler'],
    rotateCa: false,
    repaired: ['kube-scheduler'],
  },
  'a full rotate with a mismatched key and a truncated certificate': {
    proxy: true,
    services: [],
    rotateCa: false,
    repaired: ['kube-proxy', 'kube-scheduler'],
  },
  '--rotate-ca with a mismatched key and a truncated certificate': {
    proxy: true,
    services: [],
    rotateCa: true,
    repaired: ['kube-proxy', 'kube-scheduler'],
  },
};

describe('kpki rotate --layout rke repairs broken entries it rotates', () => {
  for (const [name, { proxy, services, rotateCa, repaired }] of Object.entries(CASES))
    it(name, async () => {
      const dir = await brokenCluster(proxy);
      const ctx = await context(dir);
      const planned = await planRkeRotate(ctx, { files: FILES, services, rotateCa });
      const said = planned.plan.items
        .filter((i) => i.reason.startsWith('repaired'))
        .map((i) => i.name);
      assert.deepEqual(said.sort(), repaired);
      assert.match(planned.plan.warnings.join('\n'), /repaired broken entries/);
      await ctx.tree.exclusive(async () => applyRkeRotate(ctx, planned));
      const report = await checkRkeState(await context(dir), FILES);
      const bad = [...report.certificates, ...report.authorities].filter(
        (row) =>
          row.missing ||
          row.problems.some((p) => /malformed|not a valid|does not match|not signed/.test(p)),
      );
      assert.deepEqual(
        bad.map((row) => row.name),
        [],
      );
    });

  it('a broken entry outside the rotation is still refused (BROKEN_STATE), nothing written', async () => {
    const dir = await brokenCluster(true);
    const before = await readFile(join(dir, 'cluster.rkestate'), 'utf8');
    const ctx = await context(dir);
    await assert.rejects(
      () => planRkeRotate(ctx, { files: FILES, services: ['kube-scheduler'], rotateCa: false }),
      (error: unknown) => error instanceof KpkiError && error.code === 'BROKEN_STATE',
    );
    assert.equal(await readFile(join(dir, 'cluster.rkestate'), 'utf8'), before);
  });
});
