import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseKubeadmConfig } from './config.js';
import { InvalidInputError } from '../../errors.js';

const host = { hostname: 'Node-1', address: '192.168.1.10' };

describe('parseKubeadmConfig', () => {
  it('uses kubeadm defaults and the host when the file sets nothing', () => {
    const { spec } = parseKubeadmConfig(
      'apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\n',
      'c.yaml',
      host,
    );
    assert.equal(spec.nodeName, 'node-1');
    assert.equal(spec.advertiseAddress, '192.168.1.10');
    assert.equal(spec.serviceSubnet, '10.96.0.0/12');
    assert.equal(spec.encryptionAlgorithm, 'RSA-2048');
    assert.equal(spec.certificateValidityMs, 8760 * 3600_000);
  });

  it('reads InitConfiguration and ClusterConfiguration v1beta4 across documents, ignoring other kinds', () => {
    const text = `apiVersion: kubeadm.k8s.io/v1beta4
kind: InitConfiguration
nodeRegistration: { name: cp-1, criSocket: unix:///run/containerd/containerd.sock }
localAPIEndpoint: { advertiseAddress: 10.0.0.5, bindPort: 7443 }
---
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
clusterName: prod
controlPlaneEndpoint: api.example.com:6443
certificatesDir: /etc/kubernetes/pki
encryptionAlgorithm: ECDSA-P256
certificateValidityPeriod: 720h0m0s
caCertificateValidityPeriod: 43800h
networking: { serviceSubnet: "10.100.0.0/16,fd00::/108", dnsDomain: corp.local }
apiServer: { certSANs: [10.0.0.100, lb.example.com] }
etcd: { local: { serverCertSANs: [etcd.example.com], dataDir: /var/lib/etcd } }
---
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cgroupDriver: systemd
`;
    const { spec, warnings } = parseKubeadmConfig(text, 'c.yaml', host);
    assert.equal(spec.nodeName, 'cp-1');
    assert.equal(spec.bindPort, 7443);
    assert.equal(spec.clusterName, 'prod');
    assert.equal(spec.encryptionAlgorithm, 'ECDSA-P256');
    assert.equal(spec.certificateValidityMs, 720 * 3600_000);
    assert.deepEqual(spec.etcd, {
      external: false,
      serverCertSANs: ['etcd.example.com'],
      peerCertSANs: [],
    });
    assert.deepEqual(warnings, []);
  });

  it('v1beta3: PublicKeysECDSA selects ECDSA-P256; external etcd', () => {
    const text =
      'apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\nfeatureGates: { PublicKeysECDSA: true }\netcd:\n  external: { endpoints: [https://e:2379], caFile: /x, certFile: /y, keyFile: /z }\n';
    const { spec } = parseKubeadmConfig(text, 'c.yaml', host);
    assert.equal(spec.encryptionAlgorithm, 'ECDSA-P256');
    assert.deepEqual(spec.etcd, { external: true });
  });

  it('warns, as kubeadm does, about long or inverted validity periods', () => {
    const text =
      'apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\ncertificateValidityPeriod: 100000h\n';
    assert.equal(parseKubeadmConfig(text, 'c.yaml', host).warnings.length, 2);
  });

  const bad: Record<string, { text: string; field: RegExp }> = {
    'an unknown field': {
      text: 'apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\ncertSANs: [x]\n',
      field: /ClusterConfiguration\.certSANs: unknown field/,
    },
    'a nested unknown field': {
      text: 'apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\napiServer: { certSans: [x] }\n',
      field: /apiServer\.certSans: unknown field/,
    },
    'a v1beta4-only field in v1beta3': {
      text: 'apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\nencryptionAlgorithm: ECDSA-P256\n',
      field: /encryptionAlgorithm: field not known in kubeadm.k8s.io\/v1beta3/,
    },
    'an unknown algorithm': {
      text: 'apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nencryptionAlgorithm: DSA\n',
      field: /encryptionAlgorithm: "DSA"/,
    },
    'a bad duration': {
      text: 'apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\ncertificateValidityPeriod: forever\n',
      field: /certificateValidityPeriod: "forever" is not a duration/,
    },
    'a wrong type': {
      text: 'apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\nlocalAPIEndpoint: { bindPort: "6443" }\n',
      field: /localAPIEndpoint\.bindPort: expected a port number/,
    },
    'an unsupported version': {
      text: 'apiVersion: kubeadm.k8s.io/v1beta2\nkind: ClusterConfiguration\n',
      field: /apiVersion "kubeadm.k8s.io\/v1beta2" is not supported/,
    },
    'invalid YAML': { text: 'apiVersion: [\n', field: /invalid YAML/ },
    'a certificatesDir outside the tree': {
      text: 'apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\ncertificatesDir: /srv/pki\n',
      field: /certificatesDir: "\/srv\/pki" must be under/,
    },
  };
  for (const [name, { text, field }] of Object.entries(bad)) {
    it(`rejects ${name}, naming the field`, () => {
      assert.throws(
        () => parseKubeadmConfig(text, 'cfg.yaml', host),
        (error: unknown) =>
          error instanceof InvalidInputError &&
          error.code === 'BAD_CONFIG' &&
          field.test(error.message) &&
          error.message.includes('cfg.yaml'),
      );
    });
  }
});
