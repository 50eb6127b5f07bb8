import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseClusterYaml } from '../../src/layouts/rke/spec.js';
import { toRkeConfig } from '../../src/layouts/rke/rke-config.js';
import { parseCertificate } from '../../src/pki/certificate.js';
import { applyRkeRotate, planRkeRotate } from '../../src/ops/rke/rotate.js';
import { context, FILES, fixtureWithCluster, readState, REAL, REAL_DIR } from './helpers.js';

const HOSTS = ['192.168.0.177', '192.168.0.163', '192.168.0.199'];

/** The hopoffbaby cluster file with its three identical nodes written once and merged (`<<: *node`). */
async function mergeKeyClusterFile(): Promise<string> {
  const real = await readFile(join(REAL_DIR, 'rke1-hopoffbaby-rkeexamples', 'cluster.yml'), 'utf8');
  const rest = real.slice(real.indexOf('\nservices:') + 1);
  const nodes = HOSTS.map((host) => `- <<: *node\n  address: ${host}\n`).join('');
  return `x-node: &node\n  port: "22"\n  role: [controlplane, worker, etcd]\n  user: neil\nnodes:\n${nodes}${rest}`;
}

describe('RKE1 cluster files with YAML merge keys, read as RKE (go-yaml v2) reads them', () => {
  it('every merged node keeps its roles, in the spec and in the rkeConfig kept in the state', async () => {
    const text = await mergeKeyClusterFile();
    const spec = parseClusterYaml(text, 'cluster.yml');
    assert.deepEqual(
      spec.nodes.map((n) => [n.address, [...n.roles].sort()]),
      HOSTS.map((h) => [h, ['controlplane', 'etcd', 'worker']]),
    );
    const config = toRkeConfig(text) as { nodes: { role: string[]; user: string }[] };
    assert.deepEqual(
      config.nodes.map((n) => [n.user, n.role]),
      HOSTS.map(() => ['neil', ['controlplane', 'worker', 'etcd']]),
    );
    assert.ok(!('<<' in (config.nodes[0] ?? {})));
  });

  it('hopoffbaby with merge keys: rotate removes no etcd entry and the apiserver keeps every node IP', async () => {
    const dir = await fixtureWithCluster('rke1-hopoffbaby-rkeexamples');
    await writeFile(join(dir, 'cluster.yml'), await mergeKeyClusterFile());
    const before = await readState(dir);
    const ctx = await context(dir);
    const planned = await planRkeRotate(ctx, { files: FILES, services: [], rotateCa: false });
    assert.deepEqual(
      planned.plan.items.filter((i) => i.action === 'remove').map((i) => i.name),
      [],
    );
    await ctx.tree.exclusive(async () => applyRkeRotate(ctx, planned));
    const after = await readState(dir);
    const etcd = (bundle: Record<string, unknown>): string[] =>
      Object.keys(bundle)
        .filter((n) => n.startsWith('kube-etcd-'))
        .sort();
    assert.equal(etcd(after.desiredState.certificatesBundle).length, 3);
    assert.deepEqual(
      etcd(after.desiredState.certificatesBundle),
      etcd(before.desiredState.certificatesBundle),
    );
    assert.deepEqual(
      etcd(after.currentState.certificatesBundle ?? {}),
      etcd(before.currentState.certificatesBundle ?? {}),
    );
    const apiserver = parseCertificate(
      after.desiredState.certificatesBundle['kube-apiserver']?.certificatePEM ?? '',
      'kube-apiserver',
    );
    for (const host of HOSTS) assert.ok(apiserver.ipAddresses.includes(host), host);
  });

  for (const name of REAL) {
    it(`${name}: the real cluster file reads the same nodes through the one policy`, async () => {
      const dir = await fixtureWithCluster(name);
      const text = await readFile(join(dir, 'cluster.yml'), 'utf8');
      const spec = parseClusterYaml(text, 'cluster.yml');
      const config = toRkeConfig(text) as { nodes?: { address: string }[] };
      assert.deepEqual(
        spec.nodes.map((n) => n.address),
        (config.nodes ?? []).map((n) => n.address),
      );
    });
  }
});
