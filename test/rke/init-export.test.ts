import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UnknownNameError } from '../../src/errors.js';
import { parseCertificate } from '../../src/pki/certificate.js';
import { readKubeconfig } from '../../src/layouts/kubeconfig.js';
import { parseRkeState } from '../../src/layouts/rke/state.js';
import { checkRkeState } from '../../src/ops/rke/check.js';
import { applyRkeExport, planRkeExport } from '../../src/ops/rke/export.js';
import { applyRkeInit, planRkeInit } from '../../src/ops/rke/init.js';
import { openTreeStore } from '../../src/stores/fs-tree-store.js';
import {
  context,
  FILES,
  fixtureWithCluster,
  initialisedCluster,
  opensslVerify,
  readState,
} from './helpers.js';
import { tempDirAsync } from '../support/temp-dir.js';

describe('kpki init --layout rke', () => {
  it('writes a complete state that kpki reads back, every certificate passing openssl verify -x509_strict', async () => {
    const dir = await initialisedCluster();
    assert.equal((await stat(join(dir, 'cluster.rkestate'))).mode & 0o777, 0o600);
    const text = await readFile(join(dir, 'cluster.rkestate'), 'utf8');
    const state = parseRkeState(text, 'cluster.rkestate');
    assert.deepEqual(state.document.currentState, {});
    const bundle = (await readState(dir)).desiredState.certificatesBundle;
    assert.deepEqual(Object.keys(bundle).sort(), [
      'kube-admin',
      'kube-apiserver',
      'kube-apiserver-proxy-client',
      'kube-apiserver-requestheader-ca',
      'kube-ca',
      'kube-controller-manager',
      'kube-etcd-10-0-0-10',
      'kube-etcd-203-0-113-11',
      'kube-kubelet-10-0-0-10',
      'kube-kubelet-203-0-113-11',
      'kube-kubelet-worker-1-example-test',
      'kube-node',
      'kube-proxy',
      'kube-scheduler',
      'kube-service-account-token',
    ]);
    for (const [name, entry] of Object.entries(bundle)) {
      const ca =
        name === 'kube-apiserver-proxy-client' || name === 'kube-apiserver-requestheader-ca'
          ? 'kube-apiserver-requestheader-ca'
          : 'kube-ca';
      await opensslVerify(bundle[ca]?.certificatePEM ?? '', entry.certificatePEM ?? '');
      assert.match(entry.keyPEM ?? '', /^-----BEGIN RSA PRIVATE KEY-----/);
    }
    const api = parseCertificate(bundle['kube-apiserver']?.certificatePEM ?? '', 'api');
    assert.deepEqual(api.dnsNames, [
      'cp-1',
      'api.example.test',
      'localhost',
      'kubernetes',
      'kubernetes.default',
      'kubernetes.default.svc',
      'kubernetes.default.svc.corp.local',
    ]);
    assert.deepEqual(api.ipAddresses, [
      '203.0.113.10',
      '10.0.0.10',
      '198.51.100.7',
      '127.0.0.1',
      '10.43.0.1',
      'fd00:43::1',
    ]);
    assert.deepEqual(api.extKeyUsage, ['clientAuth', 'serverAuth']);
    const node = parseCertificate(bundle['kube-node']?.certificatePEM ?? '', 'node');
    assert.deepEqual(node.subject, { cn: 'system:node', o: ['system:nodes'] });
    assert.equal(
      bundle['kube-etcd-10-0-0-10']?.commonName,
      'system:kube-etcd-10-0-0-10',
      'RKE metadata, not the subject',
    );
    assert.equal(bundle['kube-admin']?.configPath, './kube_config_cluster.yml');
    const kubeconfig = readKubeconfig(
      await readFile(join(dir, 'kube_config_cluster.yml'), 'utf8'),
      'kube_config_cluster.yml',
    );
    assert.equal(kubeconfig.server, 'https://203.0.113.10:6443');
    assert.equal(kubeconfig.userName, 'kube-admin-prod');
    const report = await checkRkeState(await context(dir), FILES);
    assert.deepEqual(
      [...report.certificates, ...report.authorities]
        .filter((row) => row.problems.length > 0 || row.missing)
        .map((row) => row.name),
      [],
    );
  });

  it('a second init changes nothing', async () => {
    const dir = await initialisedCluster();
    const ctx = await context(dir);
    const { plan } = await planRkeInit(ctx, { files: FILES, rkeConfig: {} });
    assert.ok(plan.items.every((item) => item.action === 'reuse'));
    assert.equal(
      await ctx.tree.exclusive(async () =>
        applyRkeInit(ctx, await planRkeInit(ctx, { files: FILES, rkeConfig: {} })),
      ),
      undefined,
    );
  });
});

async function exported(
  dir: string,
  node: string,
): Promise<{ files: Map<string, number>; out: string }> {
  const out = await tempDirAsync('kpki-rke-out-');
  const ctx = await context(dir);
  const store = await openTreeStore(out);
  const planned = await planRkeExport(ctx, { files: FILES, node, out: store });
  await store.exclusive(() => applyRkeExport(ctx, planned));
  const files = new Map<string, number>();
  for (const name of (await readdir(out)).filter((n) => n !== '.kpki'))
    files.set(name, (await stat(join(out, name))).mode & 0o777);
  return { files, out };
}

describe('kpki rke export --node', () => {
  it('a worker gets kube-ca without its key, kube-proxy, kube-node, the kubelet serving certificates and their kubeconfigs', async () => {
    const dir = await initialisedCluster();
    const { files, out } = await exported(dir, 'worker-1.example.test');
    assert.deepEqual([...files.keys()].sort(), [
      'kube-ca.pem',
      'kube-kubelet-10-0-0-10-key.pem',
      'kube-kubelet-10-0-0-10.pem',
      'kube-kubelet-203-0-113-11-key.pem',
      'kube-kubelet-203-0-113-11.pem',
      'kube-kubelet-worker-1-example-test-key.pem',
      'kube-kubelet-worker-1-example-test.pem',
      'kube-node-key.pem',
      'kube-node.pem',
      'kube-proxy-key.pem',
      'kube-proxy.pem',
      'kubecfg-kube-node.yaml',
      'kubecfg-kube-proxy.yaml',
    ]);
    assert.equal(files.get('kube-ca.pem'), 0o644);
    assert.equal(files.get('kube-node-key.pem'), 0o600);
    assert.match(
      await readFile(join(out, 'kubecfg-kube-node.yaml'), 'utf8'),
      /client-certificate: \/etc\/kubernetes\/ssl\/kube-node.pem/,
    );
  });

  it('a control-plane + etcd node (named by its internal address) also gets the CA key, the control-plane set and the etcd certificates', async () => {
    const dir = await initialisedCluster();
    const { files } = await exported(dir, '10.0.0.10');
    for (const name of [
      'kube-ca-key.pem',
      'kube-apiserver.pem',
      'kube-service-account-token-key.pem',
      'kube-apiserver-requestheader-ca.pem',
      'kube-apiserver-proxy-client-key.pem',
      'kubecfg-kube-controller-manager.yaml',
      'kubecfg-kube-scheduler.yaml',
      'kube-etcd-10-0-0-10.pem',
      'kube-etcd-203-0-113-11-key.pem',
    ]) {
      assert.ok(files.has(name), name);
    }
    assert.ok(!files.has('kube-admin.pem'), 'the admin certificate stays on the workstation');
  });

  it('an etcd-only node gets the etcd certificates but no control-plane file and no CA key', async () => {
    const dir = await initialisedCluster();
    const { files } = await exported(dir, '203.0.113.11');
    assert.ok(files.has('kube-etcd-10-0-0-10.pem') && files.has('kube-etcd-203-0-113-11-key.pem'));
    assert.ok(!files.has('kube-ca-key.pem') && !files.has('kube-apiserver.pem'));
  });

  it('a real state: stale per-host entries are not shipped; an unknown node is an error', async () => {
    const dir = await fixtureWithCluster('rke1-natitomattis-rke-playroom');
    const { files } = await exported(dir, '172.16.0.116');
    assert.ok(files.has('kube-etcd-172-16-0-116.pem') && !files.has('kube-etcd-10-10-10-101.pem'));
    await assert.rejects(exported(dir, '10.9.9.9'), UnknownNameError);
  });
});
