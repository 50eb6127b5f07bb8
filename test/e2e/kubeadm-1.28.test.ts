/**
 * Older identities: a tree made by the real kubeadm v1.28 (before 1.29: admin.conf and the
 * apiserver's client certificates in system:masters, no super-admin.conf). kpki check reads it as
 * kubeadm v1.28 does, and `kpki renew all` keeps each certificate's subject, so the old admin stays
 * system:masters (README: "renewal copies the existing subject").
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { describeCert } from './support/describe.js';
import { kpki, kubeadm, missingPeers, peer, tempDir, writeConfig } from './support/env.js';

const OLD = ((): string => {
  const mod = readFileSync(join(import.meta.dirname, '../../peers/kubeadm-1.28/go.mod'), 'utf8');
  return /^(?:require |\t)k8s\.io\/kubernetes (v[0-9.]+)/m.exec(mod)?.[1] ?? 'v1.28.0';
})();

/** kubeadm v1.28 reads v1beta3 only. */
function writeOldConfig(path: string): string {
  writeFileSync(
    path,
    [
      'apiVersion: kubeadm.k8s.io/v1beta3',
      'kind: InitConfiguration',
      'localAPIEndpoint: {advertiseAddress: 10.0.0.10, bindPort: 6443}',
      'nodeRegistration: {name: cp1, criSocket: "unix:///var/run/containerd/containerd.sock"}',
      '---',
      'apiVersion: kubeadm.k8s.io/v1beta3',
      'kind: ClusterConfiguration',
      `kubernetesVersion: ${OLD}`,
      '',
    ].join('\n'),
  );
  return path;
}

function subjectOf(tree: string, file: string): string {
  if (file.endsWith('.crt')) return describeCert(readFileSync(join(tree, file), 'utf8')).subject;
  const doc = parse(readFileSync(join(tree, file), 'utf8')) as {
    users: { user: { 'client-certificate-data': string } }[];
  };
  return describeCert(
    Buffer.from(doc.users[0]?.user['client-certificate-data'] ?? '', 'base64').toString(),
  ).subject;
}

/** RFC 2253 order (last RDN first): O comes before CN in the certificate, as Go writes it. */
const OLD_SUBJECTS: Record<string, string> = {
  'admin.conf': 'CN=PRINTABLESTRING:kubernetes-admin,O=PRINTABLESTRING:system:masters',
  'pki/apiserver-kubelet-client.crt':
    'CN=PRINTABLESTRING:kube-apiserver-kubelet-client,O=PRINTABLESTRING:system:masters',
  'pki/apiserver-etcd-client.crt':
    'CN=PRINTABLESTRING:kube-apiserver-etcd-client,O=PRINTABLESTRING:system:masters',
  'pki/etcd/healthcheck-client.crt':
    'CN=PRINTABLESTRING:kube-etcd-healthcheck-client,O=PRINTABLESTRING:system:masters',
};

describe(`a tree made by kubeadm ${OLD} (identities before 1.29)`, () => {
  it('kpki check reads it, kpki renew all keeps the old subjects, and both kubeadm releases read the result', () => {
    assert.equal(missingPeers(), undefined, missingPeers());
    const oldKubeadm = peer(`kubeadm-${OLD}`);
    assert.ok(existsSync(oldKubeadm), `${oldKubeadm} is missing: run npm run peers`);
    const work = tempDir('old');
    try {
      const tree = join(work.dir, 'tree');
      const config = writeOldConfig(join(work.dir, 'kubeadm-old.yaml'));
      kubeadm(tree, ['init', 'phase', 'certs', 'all', '--config', config], [0], oldKubeadm);
      kubeadm(tree, ['init', 'phase', 'kubeconfig', 'all', '--config', config], [0], oldKubeadm);
      assert.ok(
        !existsSync(join(tree, 'super-admin.conf')),
        `kubeadm ${OLD} wrote no super-admin.conf`,
      );
      // The subjects are really the old ones (the source reference says so; this proves it).
      for (const [file, subject] of Object.entries(OLD_SUBJECTS))
        assert.equal(subjectOf(tree, file), subject, file);

      const before = JSON.parse(kpki(['check', '--dir', tree, '-o', 'json']).stdout) as {
        certificates: { name: string; missing: boolean }[];
        problems?: unknown[];
      };
      assert.deepEqual(before.problems ?? [], []);
      // super-admin.conf is listed as missing, as kubeadm >= 1.29's check-expiration lists it.
      const missing = before.certificates.filter((c) => c.missing).map((c) => c.name);
      console.log(`  kpki check on the ${OLD} tree: missing ${JSON.stringify(missing)}`);

      const oldText = kubeadm(
        tree,
        ['certs', 'check-expiration', '--config', config],
        [0],
        oldKubeadm,
      ).stdout;
      assert.doesNotMatch(oldText, /MISSING|error/i);

      kpki(['renew', 'all', '--dir', tree]);
      for (const [file, subject] of Object.entries(OLD_SUBJECTS))
        assert.equal(subjectOf(tree, file), subject, `${file} after kpki renew all`);
      const after = JSON.parse(kpki(['check', '--dir', tree, '-o', 'json']).stdout) as {
        problems?: unknown[];
      };
      assert.deepEqual(after.problems ?? [], []);
      const oldAfter = kubeadm(
        tree,
        ['certs', 'check-expiration', '--config', config],
        [0],
        oldKubeadm,
      ).stdout;
      assert.doesNotMatch(oldAfter, /MISSING|error/i);
      // The current kubeadm reads the renewed old tree too; only super-admin.conf is missing.
      const current = writeConfig(join(work.dir, 'kubeadm.yaml'), {
        advertiseAddress: '10.0.0.10',
      });
      const newText = kubeadm(tree, ['certs', 'check-expiration', '--config', current]).stdout;
      assert.doesNotMatch(newText, /error/i);
      assert.deepEqual(
        newText
          .split('\n')
          .filter((l) => /MISSING/.test(l))
          .map((l) => l.trim()),
        ['!MISSING! super-admin.conf'],
      );
    } finally {
      work.remove();
    }
  });
});
