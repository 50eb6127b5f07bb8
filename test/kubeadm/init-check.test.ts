/**
 * kubeadm layout end to end through the built CLI: init, what openssl and kubectl say about every
 * file it wrote, idempotent re-init, and check in text, JSON and YAML.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashTree, kpki, openssl, run, tempDir } from '../support/tools.js';

const CAS: Record<string, string> = {
  ca: 'pki/ca.crt',
  'front-proxy-ca': 'pki/front-proxy-ca.crt',
  'etcd-ca': 'pki/etcd/ca.crt',
};
/** name → [cert path, CA, subject as openssl prints it, EKU text, SAN text or undefined] */
const LEAVES: Record<string, [string, string, string, string, string | undefined]> = {
  apiserver: [
    'pki/apiserver.crt',
    'ca',
    'CN = kube-apiserver',
    'TLS Web Server Authentication',
    'DNS:api.example.com, DNS:cp1, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, DNS:kubernetes.default.svc.cluster.local, IP Address:10.96.0.1, IP Address:10.0.0.5, IP Address:10.0.0.100',
  ],
  'apiserver-kubelet-client': [
    'pki/apiserver-kubelet-client.crt',
    'ca',
    // kubeadm ≥ 1.37 (kubernetes#138957): CN only; RBAC grants the kubelet API access by user.
    'CN = kube-apiserver-kubelet-client',
    'TLS Web Client Authentication',
    undefined,
  ],
  'front-proxy-client': [
    'pki/front-proxy-client.crt',
    'front-proxy-ca',
    'CN = front-proxy-client',
    'TLS Web Client Authentication',
    undefined,
  ],
  'etcd-server': [
    'pki/etcd/server.crt',
    'etcd-ca',
    'CN = cp1',
    'TLS Web Server Authentication, TLS Web Client Authentication',
    'DNS:cp1, DNS:localhost, IP Address:10.0.0.5, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1',
  ],
  'etcd-peer': [
    'pki/etcd/peer.crt',
    'etcd-ca',
    'CN = cp1',
    'TLS Web Server Authentication, TLS Web Client Authentication',
    'DNS:cp1, DNS:localhost, IP Address:10.0.0.5, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1',
  ],
  'etcd-healthcheck-client': [
    'pki/etcd/healthcheck-client.crt',
    'etcd-ca',
    'CN = kube-etcd-healthcheck-client',
    'TLS Web Client Authentication',
    undefined,
  ],
  'apiserver-etcd-client': [
    'pki/apiserver-etcd-client.crt',
    'etcd-ca',
    'CN = kube-apiserver-etcd-client',
    'TLS Web Client Authentication',
    undefined,
  ],
};
const KUBECONFIGS: Record<string, [string, string]> = {
  'admin.conf': [
    'O = kubeadm:cluster-admins, CN = kubernetes-admin',
    'https://api.example.com:6443',
  ],
  'super-admin.conf': [
    'O = system:masters, CN = kubernetes-super-admin',
    'https://api.example.com:6443',
  ],
  'controller-manager.conf': ['CN = system:kube-controller-manager', 'https://10.0.0.5:6443'],
  'scheduler.conf': ['CN = system:kube-scheduler', 'https://10.0.0.5:6443'],
  'kubelet.conf': ['O = system:nodes, CN = system:node:cp1', 'https://10.0.0.5:6443'],
};
const FLAGS = [
  '--node-name',
  'cp1',
  '--apiserver-advertise-address',
  '10.0.0.5',
  '--control-plane-endpoint',
  'api.example.com',
  '--apiserver-cert-extra-sans',
  '10.0.0.100',
];

describe('kpki init --layout kubeadm (RSA, flags)', () => {
  let dir: string;
  before(() => {
    dir = tempDir();
    const result = kpki(['init', '--layout', 'kubeadm', '--dir', dir, ...FLAGS]);
    assert.equal(result.status, 0, result.stderr);
  });

  for (const [name, [path, ca, subject, eku, san]] of Object.entries(LEAVES)) {
    it(`${name}: openssl verify -x509_strict against ${ca}, and the catalogue's fields`, () => {
      const cert = join(dir, path);
      assert.match(
        openssl(['verify', '-x509_strict', '-CAfile', join(dir, CAS[ca] ?? ''), cert]),
        /: OK/,
      );
      const text = openssl(['x509', '-noout', '-text', '-in', cert]);
      assert.match(text, new RegExp(`Subject: ${subject}\\n`));
      assert.match(text, /Key Usage: critical\n\s+Digital Signature, Key Encipherment\n/);
      assert.match(text, new RegExp(`Extended Key Usage: \\n\\s+${eku}\\n`));
      assert.match(text, /Basic Constraints: critical\n\s+CA:FALSE/);
      if (san === undefined) assert.doesNotMatch(text, /Subject Alternative Name/);
      else assert.match(text, new RegExp(`Subject Alternative Name: \\n\\s+${san}\\n`));
      assert.equal(statSync(cert).mode & 0o777, 0o644);
      assert.equal(statSync(cert.replace(/\.crt$/, '.key')).mode & 0o777, 0o600);
      const days =
        (new Date(
          openssl(['x509', '-noout', '-enddate', '-in', cert]).split('=')[1] ?? '',
        ).getTime() -
          Date.now()) /
        86_400_000;
      assert.ok(days > 364 && days <= 365, `leaf lifetime ${days} days`);
    });
  }

  for (const [name, path] of Object.entries(CAS)) {
    it(`${name}: a self-signed CA with the CN in its DNS SAN, keyCertSign and ten years`, () => {
      const text = openssl(['x509', '-noout', '-text', '-in', join(dir, path)]);
      assert.match(text, /Basic Constraints: critical\n\s+CA:TRUE\n/);
      assert.match(text, /Digital Signature, Key Encipherment, Certificate Sign/);
      assert.match(text, /Subject Alternative Name: \n\s+DNS:/);
      assert.match(
        openssl(['verify', '-x509_strict', '-CAfile', join(dir, path), join(dir, path)]),
        /: OK/,
      );
    });
  }

  for (const [file, [subject, server]] of Object.entries(KUBECONFIGS)) {
    it(`${file}: kubectl reads it; client cert signed by ca with the kubeadm identity; mode 0600`, () => {
      const path = join(dir, file);
      const view = run('kubectl', ['--kubeconfig', path, 'config', 'view', '--raw', '-o', 'json']);
      assert.equal(view.status, 0, view.stderr);
      const config = JSON.parse(view.stdout) as {
        clusters: { cluster: { server: string } }[];
        users: { user: Record<string, string> }[];
      };
      assert.equal(config.clusters[0]?.cluster.server, server);
      const certPem = Buffer.from(
        config.users[0]?.user['client-certificate-data'] ?? '',
        'base64',
      ).toString();
      const certFile = join(dir, `${file}.crt.tmp`);
      writeFileSync(certFile, certPem);
      assert.match(
        openssl(['verify', '-x509_strict', '-CAfile', join(dir, 'pki/ca.crt'), certFile]),
        /: OK/,
      );
      assert.match(
        openssl(['x509', '-noout', '-subject', '-ext', 'extendedKeyUsage', '-in', certFile]),
        new RegExp(`subject=${subject}\\n[\\s\\S]*TLS Web Client Authentication`),
      );
      run('rm', [certFile]);
      assert.equal(statSync(path).mode & 0o777, 0o600);
    });
  }

  it('sa.pub is the public half of sa.key, both 0600', () => {
    assert.equal(
      openssl(['pkey', '-pubout', '-in', join(dir, 'pki/sa.key')]),
      readFileSync(join(dir, 'pki/sa.pub'), 'utf8'),
    );
    assert.equal(statSync(join(dir, 'pki/sa.pub')).mode & 0o777, 0o600);
  });

  it('running init again reuses everything and changes nothing', () => {
    const before = hashTree(dir);
    const again = kpki(['init', '--dir', dir, ...FLAGS]);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /nothing to change/);
    assert.doesNotMatch(again.stdout, /^\s+create/m);
    assert.equal(hashTree(dir), before);
  });

  it('check: kubeadm table with every row, exit 0; JSON and YAML in the v1alpha3 schema', () => {
    const text = kpki(['check', '--dir', dir]);
    assert.equal(text.status, 0, text.stderr);
    assert.match(
      text.stdout,
      /^CERTIFICATE {16}EXPIRES {18}RESIDUAL TIME {3}CERTIFICATE AUTHORITY {3}EXTERNALLY MANAGED\n/,
    );
    assert.match(
      text.stdout,
      /\napiserver {18}\w{3} \d{2}, \d{4} \d{2}:\d{2} UTC {3}364d {12}ca {22}no {6}\n/,
    );
    const json = JSON.parse(kpki(['check', '--dir', dir, '-o', 'json']).stdout) as {
      certificates: { name: string; residualTime: number }[];
      certificateAuthorities: { name: string }[];
    };
    assert.deepEqual(
      json.certificates.map((c) => c.name),
      [
        'admin.conf',
        'apiserver',
        'apiserver-etcd-client',
        'apiserver-kubelet-client',
        'controller-manager.conf',
        'etcd-healthcheck-client',
        'etcd-peer',
        'etcd-server',
        'front-proxy-client',
        'kubelet.conf',
        'scheduler.conf',
        'super-admin.conf',
      ],
    );
    assert.deepEqual(
      json.certificateAuthorities.map((c) => c.name),
      ['ca', 'etcd-ca', 'front-proxy-ca'],
    );
    assert.ok(
      json.certificates.every(
        (c) => c.residualTime > 364 * 86400 && Number.isInteger(c.residualTime),
      ),
    );
    assert.match(
      kpki(['check', '--dir', dir, '-o', 'yaml']).stdout,
      /kind: CertificateExpirationInfo/,
    );
  });

  it('check --warn-within exits 4 when certificates expire inside the window', () => {
    assert.equal(kpki(['check', '--dir', dir, '--warn-within', '400d']).status, 4);
    assert.equal(kpki(['check', '--dir', dir, '--warn-within', '300d']).status, 0);
  });
});

describe('kpki init with an ECDSA kubeadm config', () => {
  it('writes SEC1 keys and ecdsa-with-SHA256 signatures that openssl verifies', () => {
    const dir = tempDir();
    const config = join(tempDir(), 'kubeadm.yaml');
    writeFileSync(
      config,
      'apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nencryptionAlgorithm: ECDSA-P256\ncertificateValidityPeriod: 720h\n---\napiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\nnodeRegistration: { name: ec-node }\nlocalAPIEndpoint: { advertiseAddress: 10.1.1.1 }\n',
    );
    const result = kpki(['init', '--dir', dir, '--config', config]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(
      readFileSync(join(dir, 'pki/apiserver.key'), 'utf8'),
      /^-----BEGIN EC PRIVATE KEY-----/,
    );
    const text = openssl(['x509', '-noout', '-text', '-in', join(dir, 'pki/etcd/server.crt')]);
    assert.match(text, /ecdsa-with-SHA256/);
    assert.match(text, /Subject: CN = ec-node/);
    assert.match(
      openssl([
        'verify',
        '-x509_strict',
        '-CAfile',
        join(dir, 'pki/etcd/ca.crt'),
        join(dir, 'pki/etcd/server.crt'),
      ]),
      /: OK/,
    );
    const days =
      (new Date(
        openssl(['x509', '-noout', '-enddate', '-in', join(dir, 'pki/apiserver.crt')]).split(
          '=',
        )[1] ?? '',
      ).getTime() -
        Date.now()) /
      86_400_000;
    assert.ok(days > 29 && days <= 30);
  });
});
