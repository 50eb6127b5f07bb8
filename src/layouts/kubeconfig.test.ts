import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  buildFileKubeconfig,
  buildKubeconfig,
  readKubeconfig,
  replaceKubeconfigCredentials,
} from './kubeconfig.js';
import { InvalidInputError } from '../errors.js';
import { testdata } from '../../test/support/testdata.js';

const REAL = testdata('real/kubeadm-zetaoss-zeta-linux/etc/kubernetes/admin.conf');

describe('kubeconfig codec', () => {
  it('writes a kubeconfig in exactly the shape client-go writes (key order, names, embedded data)', () => {
    const real = readFileSync(REAL, 'utf8');
    const creds = readKubeconfig(real, REAL);
    const ours = buildKubeconfig({
      clusterName: 'kubernetes',
      server: creds.server ?? '',
      caPem: creds.caPem ?? '',
      userName: 'kubernetes-admin',
      certPem: creds.certPem ?? '',
      keyPem: creds.keyPem ?? '',
    });
    assert.equal(ours, real);
  });

  it("replaces only the current user's credentials and its cluster's CA, keeping comments and other entries", () => {
    const text = `# managed by hand
apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: b2xk
    server: https://10.0.0.1:6443
  name: kubernetes
- cluster:
    server: https://other:6443
  name: other
contexts:
- context:
    cluster: kubernetes
    user: kubernetes-admin
  name: kubernetes-admin@kubernetes
current-context: kubernetes-admin@kubernetes
kind: Config
preferences: {}
users:
- name: kubernetes-admin
  user:
    client-certificate-data: b2xk
    client-key-data: b2xk
- name: someone-else
  user:
    token: abc
`;
    const updated = replaceKubeconfigCredentials(text, 'admin.conf', {
      caPem: 'CA',
      certPem: 'CERT',
      keyPem: 'KEY',
    });
    const creds = readKubeconfig(updated, 'admin.conf');
    assert.deepEqual([creds.caPem, creds.certPem, creds.keyPem], ['CA', 'CERT', 'KEY']);
    assert.match(updated, /^# managed by hand\n/);
    assert.match(updated, /server: https:\/\/other:6443/);
    assert.match(updated, /token: abc/);
  });

  it('reads file references (kubelet.conf after TLS bootstrap)', () => {
    const creds = readKubeconfig(
      readFileSync(testdata('real/kubeadm-zetaoss-zeta-linux/etc/kubernetes/kubelet.conf'), 'utf8'),
      'kubelet.conf',
    );
    assert.equal(creds.certFile, '/var/lib/kubelet/pki/kubelet-client-current.pem');
    assert.equal(creds.certPem, undefined);
  });

  for (const [name, text] of Object.entries({
    'no current-context': 'apiVersion: v1\nkind: Config\n',
    'a context naming a missing user':
      'current-context: a\ncontexts:\n- name: a\n  context: { cluster: c, user: u }\nclusters:\n- name: c\n  cluster: { server: x }\nusers: []\n',
    'not YAML': 'a: [',
  })) {
    it(`rejects ${name}`, () =>
      assert.throws(
        () => readKubeconfig(text, 'x.conf'),
        (e: unknown) => e instanceof InvalidInputError && e.code === 'BAD_KUBECONFIG',
      ));
  }

  it('writes K3s component kubeconfigs with file references that read back, paths with spaces quoted', () => {
    const text = buildFileKubeconfig({
      server: 'https://127.0.0.1:6443',
      caFile: '/var/lib/rancher/rke2/server/tls/server-ca.crt',
      certFile: '/data dir/client-admin.crt',
      keyFile: '/data dir/client-admin.key',
    });
    const creds = readKubeconfig(text, 'admin.kubeconfig');
    assert.deepEqual(
      [creds.currentContext, creds.clusterName, creds.userName, creds.server],
      ['Default', 'local', 'user', 'https://127.0.0.1:6443'],
    );
    assert.deepEqual(
      [creds.caFile, creds.certFile, creds.keyFile],
      [
        '/var/lib/rancher/rke2/server/tls/server-ca.crt',
        '/data dir/client-admin.crt',
        '/data dir/client-admin.key',
      ],
    );
    assert.match(
      text,
      /^- context:\n {4}cluster: local\n {4}namespace: default\n {4}user: user\n {2}name: Default$/m,
    );
  });

  it('names the context as asked (K3s user kubeconfigs call everything "default")', () => {
    const text = buildKubeconfig({
      clusterName: 'default',
      userName: 'default',
      contextName: 'default',
      server: 'https://127.0.0.1:6443',
      caPem: 'CA',
      certPem: 'C',
      keyPem: 'K',
    });
    assert.equal(readKubeconfig(text, 'k3s.yaml').currentContext, 'default');
  });
});
