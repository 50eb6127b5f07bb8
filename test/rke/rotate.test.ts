import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UnknownNameError, ValidationError } from '../../src/errors.js';
import { parseCertificate } from '../../src/pki/certificate.js';
import { readKubeconfig } from '../../src/layouts/kubeconfig.js';
import { applyRkeRotate, planRkeRotate } from '../../src/ops/rke/rotate.js';
import {
  changedEntries,
  context,
  FILES,
  fixtureWithCluster,
  hashDir,
  opensslVerify,
  readState,
} from './helpers.js';
import { kpki } from '../support/tools.js';

const HOSTS = ['192.168.0.177', '192.168.0.163', '192.168.0.199'];
const on = (container: string): string[] => HOSTS.map((host) => `${container}@${host}`);

/** `--service` → the entries it must change and the containers the plan restarts (hopoffbaby: 3 nodes, all roles). */
const SERVICES: Record<string, { changed: string[]; restart: string[] }> = {
  'kube-apiserver rotates only the apiserver certificate': {
    changed: ['kube-apiserver'],
    restart: [...on('kube-apiserver'), ...on('kube-controller-manager')],
  },
  'kube-controller-manager rotates only its certificate': {
    changed: ['kube-controller-manager'],
    restart: on('kube-controller-manager'),
  },
  'kube-scheduler rotates only its certificate': {
    changed: ['kube-scheduler'],
    restart: on('kube-scheduler'),
  },
  'kube-proxy rotates only its certificate': { changed: ['kube-proxy'], restart: on('kube-proxy') },
  'kubelet rotates kube-node (also the apiserver etcd client)': {
    changed: ['kube-node'],
    restart: [...on('kube-apiserver'), ...on('kubelet')],
  },
  'etcd rotates every kube-etcd certificate': {
    changed: ['kube-etcd-192-168-0-163', 'kube-etcd-192-168-0-177', 'kube-etcd-192-168-0-199'],
    restart: on('etcd'),
  },
};

describe('kpki rotate --service (RKE)', () => {
  for (const [sentence, expected] of Object.entries(SERVICES)) {
    const service = sentence.split(' ')[0] ?? '';
    it(sentence, async () => {
      const dir = await fixtureWithCluster('rke1-hopoffbaby-rkeexamples');
      const before = await readState(dir);
      const kubeconfigBefore = await readFile(join(dir, 'kube_config_cluster.yml'), 'utf8');
      const ctx = await context(dir);
      const { plan } = await planRkeRotate(ctx, {
        files: FILES,
        services: [service],
        rotateCa: false,
      });
      assert.deepEqual(plan.restart, expected.restart);
      assert.deepEqual(plan.deletePods, []);
      await ctx.tree.exclusive(async () =>
        applyRkeRotate(
          ctx,
          await planRkeRotate(ctx, { files: FILES, services: [service], rotateCa: false }),
        ),
      );
      const after = await readState(dir);
      assert.deepEqual(
        changedEntries(
          before.desiredState.certificatesBundle,
          after.desiredState.certificatesBundle,
        ),
        expected.changed,
      );
      assert.deepEqual(
        changedEntries(
          before.currentState.certificatesBundle,
          after.currentState.certificatesBundle,
        ),
        expected.changed,
      );
      for (const name of expected.changed) {
        const entry = after.desiredState.certificatesBundle[name];
        assert.notEqual(
          entry?.keyPEM,
          before.desiredState.certificatesBundle[name]?.keyPEM,
          `${name} has a new key`,
        );
        await opensslVerify(
          after.desiredState.certificatesBundle['kube-ca']?.certificatePEM ?? '',
          entry?.certificatePEM ?? '',
          true,
        );
      }
      assert.equal(
        await readFile(join(dir, 'kube_config_cluster.yml'), 'utf8'),
        kubeconfigBefore,
        'admin kubeconfig untouched',
      );
    });
  }

  it('SANs follow the current cluster file: a SAN added there appears on the rotated apiserver certificate', async () => {
    const dir = await fixtureWithCluster('rke1-hopoffbaby-rkeexamples');
    const yml = await readFile(join(dir, 'cluster.yml'), 'utf8');
    await writeFile(
      join(dir, 'cluster.yml'),
      yml.replace(/^ {2}sans:\n/m, '  sans:\n    - api.example.test\n'),
    );
    const ctx = await context(dir);
    await ctx.tree.exclusive(async () =>
      applyRkeRotate(
        ctx,
        await planRkeRotate(ctx, { files: FILES, services: ['kube-apiserver'], rotateCa: false }),
      ),
    );
    const cert = parseCertificate(
      (await readState(dir)).desiredState.certificatesBundle['kube-apiserver']?.certificatePEM ??
        '',
      'apiserver',
    );
    assert.ok(cert.dnsNames.includes('api.example.test'), cert.dnsNames.join(','));
    assert.deepEqual(cert.ipAddresses.slice(0, 3), HOSTS);
  });

  it('an unknown service is an error and nothing changes', async () => {
    const dir = await fixtureWithCluster('rke1-bn089-RKE');
    const ctx = await context(dir);
    const hash = await hashDir(dir);
    await assert.rejects(
      planRkeRotate(ctx, {
        files: FILES,
        services: ['kubelet', 'kube-apiserverr'],
        rotateCa: false,
      }),
      (error: unknown) => {
        assert.ok(error instanceof UnknownNameError);
        assert.match(error.message, /"kube-apiserverr"/);
        assert.match(error.hint ?? '', /kube-controller-manager/);
        return true;
      },
    );
    assert.equal(await hashDir(dir), hash);
  });
});

describe('kpki rotate --rotate-ca (RKE)', () => {
  it('new CAs, every leaf re-signed by them, the service-account key kept, the admin kubeconfig updated in place', async () => {
    const dir = await fixtureWithCluster('rke1-hopoffbaby-rkeexamples');
    const before = await readState(dir);
    const ctx = await context(dir);
    const { plan } = await planRkeRotate(ctx, { files: FILES, services: ['etcd'], rotateCa: true });
    assert.ok(
      plan.deletePods.includes('k8s-app=kube-dns') && plan.deletePods.includes('app=ingress-nginx'),
    );
    await ctx.tree.exclusive(async () =>
      applyRkeRotate(
        ctx,
        await planRkeRotate(ctx, { files: FILES, services: ['etcd'], rotateCa: true }),
      ),
    );
    const bundle = (await readState(dir)).desiredState.certificatesBundle;
    const old = before.desiredState.certificatesBundle;
    assert.deepEqual(changedEntries(old, bundle), Object.keys(old).sort(), 'every entry changed');
    const ca = bundle['kube-ca']?.certificatePEM ?? '';
    const headerCa = bundle['kube-apiserver-requestheader-ca']?.certificatePEM ?? '';
    assert.notEqual(ca, old['kube-ca']?.certificatePEM);
    for (const [name, entry] of Object.entries(bundle)) {
      if (name === 'kube-ca' || name === 'kube-apiserver-requestheader-ca') continue;
      await opensslVerify(
        name === 'kube-apiserver-proxy-client' ? headerCa : ca,
        entry.certificatePEM ?? '',
      );
    }
    assert.equal(
      bundle['kube-service-account-token']?.keyPEM,
      old['kube-service-account-token']?.keyPEM,
      'SA key unchanged',
    );
    const kubeconfig = readKubeconfig(
      await readFile(join(dir, 'kube_config_cluster.yml'), 'utf8'),
      'kube_config_cluster.yml',
    );
    assert.equal(kubeconfig.server, 'https://192.168.0.99:6443', 'the VIP server line is kept');
    assert.equal(kubeconfig.caPem, ca);
    assert.equal(kubeconfig.certPem, bundle['kube-admin']?.certificatePEM);
    assert.equal(readKubeconfig(bundle['kube-admin']?.config ?? '', 'config').caPem, ca);
  });

  it("an expired kube-ca stops a plain rotate with RKE's message; --rotate-ca still works", async () => {
    const dir = await fixtureWithCluster('rke1-bn089-RKE');
    const later = new Date('2036-01-01T00:00:00Z');
    const ctx = await context(dir, later);
    const hash = await hashDir(dir);
    await assert.rejects(
      planRkeRotate(ctx, { files: FILES, services: [], rotateCa: false }),
      (error: unknown) => {
        assert.ok(error instanceof ValidationError);
        assert.equal(error.code, 'CA_INVALID');
        assert.match(
          error.message,
          /^CA certificate is invalid, please use the --rotate-ca flag to rotate CA certificate, error: x509: certificate has expired/,
        );
        return true;
      },
    );
    assert.equal(await hashDir(dir), hash);
    await ctx.tree.exclusive(async () =>
      applyRkeRotate(ctx, await planRkeRotate(ctx, { files: FILES, services: [], rotateCa: true })),
    );
    const ca = parseCertificate(
      (await readState(dir)).desiredState.certificatesBundle['kube-ca']?.certificatePEM ?? '',
      'ca',
    );
    assert.equal(ca.notBefore.toISOString(), later.toISOString());
  });

  it('a plain rotate in year 9 of the CA clamps leaves to the CA expiry (RKE would outlive the CA)', async () => {
    const dir = await fixtureWithCluster('rke1-bn089-RKE');
    const ctx = await context(dir, new Date('2034-06-01T00:00:00Z'));
    await ctx.tree.exclusive(async () =>
      applyRkeRotate(
        ctx,
        await planRkeRotate(ctx, { files: FILES, services: ['kube-proxy'], rotateCa: false }),
      ),
    );
    const bundle = (await readState(dir)).desiredState.certificatesBundle;
    const leaf = parseCertificate(bundle['kube-proxy']?.certificatePEM ?? '', 'proxy');
    const ca = parseCertificate(bundle['kube-ca']?.certificatePEM ?? '', 'ca');
    assert.equal(leaf.notAfter.getTime(), ca.notAfter.getTime());
    assert.equal(
      leaf.notBefore.getTime(),
      ca.notBefore.getTime(),
      'leaf NotBefore = CA NotBefore, as RKE',
    );
  });
});

describe('kpki rotate-ca (RKE): the CLI name for rke cert rotate --rotate-ca', () => {
  it('replaces both CAs and re-signs every leaf, as rotate --rotate-ca does', async () => {
    const dir = await fixtureWithCluster('rke1-hopoffbaby-rkeexamples');
    const old = (await readState(dir)).desiredState.certificatesBundle;
    const result = kpki(['rotate-ca', '--config', join(dir, 'cluster.yml')]);
    assert.equal(result.status, 0, result.stderr);
    const bundle = (await readState(dir)).desiredState.certificatesBundle;
    assert.deepEqual(changedEntries(old, bundle), Object.keys(old).sort(), 'every entry changed');
    await opensslVerify(
      bundle['kube-ca']?.certificatePEM ?? '',
      bundle['kube-apiserver']?.certificatePEM ?? '',
    );
  });
});
