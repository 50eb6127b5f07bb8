import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buildKubeconfig, readKubeconfig, replaceKubeconfigCredentials } from './kubeconfig.js';
import { InvalidInputError } from '../errors.js';

const REAL = '../shared/testdata/real/kubeadm-zetaoss-zeta-linux/etc/kubernetes/admin.conf';

describe('kubeconfig codec', () => {
  it('writes a kubeconfig in exactly the shape client-go writes (key order, names, embedded data)', () => {
    const real = readFileSync(REAL, 'utf8');
    const creds = readKubeconfig(real, REAL);
    const ours = buildKubeconfig({ clusterName: 'kubernetes', server: creds.server ?? '', caPem: creds.caPem ?? '', userName: 'kubernetes-admin', certPem: creds.certPem ?? '', keyPem: creds.keyPem ?? '' });
    assert.equal(ours, real);
  });

  it('replaces only the current user\'s credentials and its cluster\'s CA, keeping comments and other entries', () => {
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
    const updated = replaceKubeconfigCredentials(text, 'admin.conf', { caPem: 'CA', certPem: 'CERT', keyPem: 'KEY' });
    const creds = readKubeconfig(updated, 'admin.conf');
    assert.deepEqual([creds.caPem, creds.certPem, creds.keyPem], ['CA', 'CERT', 'KEY']);
    assert.match(updated, /^# managed by hand\n/);
    assert.match(updated, /server: https:\/\/other:6443/);
    assert.match(updated, /token: abc/);
  });

  it('reads file references (kubelet.conf after TLS bootstrap)', () => {
    const creds = readKubeconfig(readFileSync('../shared/testdata/real/kubeadm-zetaoss-zeta-linux/etc/kubernetes/kubelet.conf', 'utf8'), 'kubelet.conf');
    assert.equal(creds.certFile, '/var/lib/kubelet/pki/kubelet-client-current.pem');
    assert.equal(creds.certPem, undefined);
  });

  for (const [name, text] of Object.entries({ 'no current-context': 'apiVersion: v1\nkind: Config\n', 'a context naming a missing user': 'current-context: a\ncontexts:\n- name: a\n  context: { cluster: c, user: u }\nclusters:\n- name: c\n  cluster: { server: x }\nusers: []\n', 'not YAML': 'a: [' })) {
    it(`rejects ${name}`, () => assert.throws(() => readKubeconfig(text, 'x.conf'), (e: unknown) => e instanceof InvalidInputError && e.code === 'BAD_KUBECONFIG'));
  }
});
