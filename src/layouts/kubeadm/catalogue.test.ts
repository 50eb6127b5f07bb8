import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { kubeadmCatalogue } from './catalogue.js';
import {
  defaultKubeadmSpec,
  kubernetesServiceIp,
  kubernetesVersionFromManifest,
  type KubeadmSpec,
} from './spec.js';
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

  describe('identities follow kubernetesVersion (reference §2.2, §3.1)', () => {
    const cases: Record<
      string,
      [string | undefined, Record<string, string[] | undefined>, boolean, string]
    > = {
      'v1.28.3: system:masters everywhere, no super-admin.conf, kubelet.conf at the endpoint': [
        'v1.28.3',
        {
          'admin.conf': ['system:masters'],
          'apiserver-kubelet-client': ['system:masters'],
          'apiserver-etcd-client': ['system:masters'],
          'etcd-healthcheck-client': ['system:masters'],
        },
        false,
        'https://api.example.com:6443',
      ],
      'v1.31.0: kubeadm:cluster-admins, super-admin.conf, kubelet.conf still at the endpoint': [
        'v1.31.0',
        {
          'admin.conf': ['kubeadm:cluster-admins'],
          'apiserver-kubelet-client': ['kubeadm:cluster-admins'],
          'apiserver-etcd-client': undefined,
        },
        true,
        'https://api.example.com:6443',
      ],
      'v1.33.1: kubelet.conf at the local API endpoint': [
        'v1.33.1',
        { 'apiserver-kubelet-client': ['kubeadm:cluster-admins'] },
        true,
        'https://10.0.0.5:6443',
      ],
      'no version (newest, v1.37): apiserver-kubelet-client is CN only': [
        undefined,
        { 'admin.conf': ['kubeadm:cluster-admins'], 'apiserver-kubelet-client': undefined },
        true,
        'https://10.0.0.5:6443',
      ],
    };
    for (const [name, [version, orgs, superAdmin, kubeletServer]] of Object.entries(cases)) {
      it(name, () => {
        const { catalogue } = kubeadmCatalogue({
          ...base,
          controlPlaneEndpoint: 'api.example.com',
          kubernetesVersion: version,
        });
        const byName = new Map(issuedEntries(catalogue).map((e) => [e.name, e]));
        for (const [entry, o] of Object.entries(orgs))
          assert.deepEqual(byName.get(entry)?.subject.o, o, entry);
        assert.equal(byName.has('super-admin.conf'), superAdmin);
        const kubelet = catalogue.kubeconfigs.find((k) => k.name === 'kubelet.conf');
        assert.equal(kubelet?.server, kubeletServer);
      });
    }

    it('the version is read from a kube-apiserver static-pod manifest image tag', () => {
      const manifest = [
        'spec:',
        '  containers:',
        '  - command:',
        '    - kube-apiserver',
        '    image: registry.k8s.io/kube-apiserver:v1.28.15',
      ].join('\n');
      assert.equal(kubernetesVersionFromManifest(manifest), 'v1.28.15');
      assert.equal(kubernetesVersionFromManifest('image: registry.k8s.io/etcd:3.5.9-0'), undefined);
    });
  });
});
