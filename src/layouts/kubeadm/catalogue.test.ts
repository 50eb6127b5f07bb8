import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { kubeadmCatalogue } from './catalogue.js';
import { defaultKubeadmSpec, kubernetesServiceIp, type KubeadmSpec } from './spec.js';
import { issuedEntries } from '../catalogue.js';

const base: KubeadmSpec = { ...defaultKubeadmSpec({ hostname: 'cp1', address: '10.0.0.5' }) };

describe('kubeadm catalogue', () => {
  it('has three CAs, seven leaves, five kubeconfigs and the sa key pair, with kubeadm paths', () => {
    const { catalogue } = kubeadmCatalogue(base);
    assert.deepEqual(
      catalogue.cas.map((c) => `${c.name}:${c.certPath}`),
      ['ca:pki/ca.crt', 'front-proxy-ca:pki/front-proxy-ca.crt', 'etcd-ca:pki/etcd/ca.crt'],
    );
    assert.deepEqual(catalogue.leaves.map((l) => l.name).sort(), [
      'apiserver',
      'apiserver-etcd-client',
      'apiserver-kubelet-client',
      'etcd-healthcheck-client',
      'etcd-peer',
      'etcd-server',
      'front-proxy-client',
    ]);
    assert.deepEqual(
      catalogue.kubeconfigs.map((k) => k.path),
      [
        'admin.conf',
        'super-admin.conf',
        'controller-manager.conf',
        'scheduler.conf',
        'kubelet.conf',
      ],
    );
    assert.deepEqual(
      catalogue.keyPairs.map((k) => [k.keyPath, k.publicPath]),
      [['pki/sa.key', 'pki/sa.pub']],
    );
  });

  it('drops the etcd CA and its four leaves with external etcd', () => {
    const { catalogue } = kubeadmCatalogue({ ...base, etcd: { external: true } });
    assert.equal(catalogue.cas.length, 2);
    assert.deepEqual(
      catalogue.leaves.map((l) => l.name),
      ['apiserver', 'apiserver-kubelet-client', 'front-proxy-client'],
    );
  });

  it("computes the apiserver SANs: sorted DNS, IPs in order, CPE host, certSANs, invalid ones dropped with kubeadm's warning", () => {
    const { catalogue, warnings } = kubeadmCatalogue({
      ...base,
      controlPlaneEndpoint: '[fd00::10]:6443',
      certSANs: ['lb.example.com', '10.0.0.5', 'not_valid', 'a.example.com'],
      serviceSubnet: '10.100.0.0/16',
    });
    const apiserver = catalogue.leaves.find((l) => l.name === 'apiserver');
    assert.deepEqual(apiserver?.altNames, {
      dns: [
        'a.example.com',
        'cp1',
        'kubernetes',
        'kubernetes.default',
        'kubernetes.default.svc',
        'kubernetes.default.svc.cluster.local',
        'lb.example.com',
      ],
      ip: ['10.100.0.1', '10.0.0.5', 'fd00::10'],
    });
    assert.deepEqual(warnings, [
      "[certificates] WARNING: 'not_valid' was not added to the 'apiserver' SAN, because it is not a valid IP or RFC-1123 compliant DNS entry",
    ]);
  });

  it('gives etcd server and peer the node name as CN, serverAuth+clientAuth, and localhost SANs', () => {
    const { catalogue } = kubeadmCatalogue(base);
    const server = catalogue.leaves.find((l) => l.name === 'etcd-server');
    assert.equal(server?.subject.cn, 'cp1');
    assert.deepEqual(server?.extKeyUsage, ['serverAuth', 'clientAuth']);
    assert.deepEqual(server?.altNames, {
      dns: ['cp1', 'localhost'],
      ip: ['10.0.0.5', '127.0.0.1', '::1'],
    });
  });

  it('uses v1.29+ identities and servers for the kubeconfigs', () => {
    const { catalogue } = kubeadmCatalogue({ ...base, controlPlaneEndpoint: 'api.example.com' });
    const byName = new Map(catalogue.kubeconfigs.map((k) => [k.name, k]));
    assert.deepEqual(byName.get('admin.conf')?.subject, {
      cn: 'kubernetes-admin',
      o: ['kubeadm:cluster-admins'],
    });
    assert.deepEqual(byName.get('super-admin.conf')?.subject, {
      cn: 'kubernetes-super-admin',
      o: ['system:masters'],
    });
    assert.equal(byName.get('admin.conf')?.server, 'https://api.example.com:6443');
    assert.equal(byName.get('scheduler.conf')?.server, 'https://10.0.0.5:6443');
    assert.ok(issuedEntries(catalogue).every((e) => e.validityMs === 8760 * 3600_000));
  });

  it('takes the first address of the first service CIDR', () => {
    assert.equal(kubernetesServiceIp('10.96.0.0/12'), '10.96.0.1');
    assert.equal(kubernetesServiceIp('fd00:10:96::/112,10.96.0.0/12'), 'fd00:10:96::1');
    assert.throws(() => kubernetesServiceIp('banana'), /not a CIDR/);
  });
});
