/**
 * Differential: for each config, the tree the real kubeadm writes (`init phase certs all` +
 * `init phase kubeconfig all`) against the tree `kpki init --config` writes for the same config —
 * same files and modes; per certificate the same subject (with string types), issuer, SANs in
 * order, key usage, EKU, basic constraints, key type and size, SKI/AKI presence and validity length;
 * per kubeconfig the same clusters, users, contexts and server URLs. A difference fails the test
 * unless ALLOWED names it with its reason.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { diffTrees, sortOut, type Allowed } from './support/diff.js';
import {
  kpki,
  kubeadm,
  missingPeers,
  tempDir,
  writeConfig,
  type ConfigOptions,
} from './support/env.js';

const CASES: Record<string, ConfigOptions & { pki?: string }> = {
  'RSA-2048 defaults': { advertiseAddress: '10.0.0.10' },
  'ECDSA-P256': { advertiseAddress: '10.0.0.10', encryptionAlgorithm: 'ECDSA-P256' },
  'ECDSA-P384': { advertiseAddress: '10.0.0.10', encryptionAlgorithm: 'ECDSA-P384' },
  'RSA-3072 with custom SANs (IP, DNS, wildcard, duplicates)': {
    advertiseAddress: '10.0.0.10',
    encryptionAlgorithm: 'RSA-3072',
    certSANs: [
      'zz.example.test',
      '10.0.0.99',
      '*.apps.example.test',
      'kubernetes',
      '10.0.0.10',
      'aa.example.test',
    ],
  },
  'dual-stack service and pod subnets, IPv6 advertise address': {
    advertiseAddress: 'fd00::10',
    serviceSubnet: 'fd00:10:96::/112,10.96.0.0/12',
    podSubnet: 'fd00:10:244::/56,10.244.0.0/16',
  },
  'controlPlaneEndpoint with port, cluster name and DNS domain': {
    advertiseAddress: '10.0.0.10',
    controlPlaneEndpoint: 'cp.example.test:7443',
    clusterName: 'prod',
    dnsDomain: 'corp.internal',
  },
  'controlPlaneEndpoint as an IP without port': {
    advertiseAddress: '10.0.0.10',
    controlPlaneEndpoint: '10.0.0.100',
  },
  'external etcd': { advertiseAddress: '10.0.0.10', externalEtcd: true },
  'custom certificatesDir': {
    advertiseAddress: '10.0.0.10',
    certificatesDir: '/etc/kubernetes/custom-pki',
    pki: 'custom-pki',
  },
};

/**
 * Differences kpki has on purpose or that are not kubeadm's to decide. Each is reported in the
 * README's compatibility table.
 */
export const ALLOWED: readonly Allowed[] = [
  {
    pattern:
      /^\S+\.conf topLevelKeys: kubeadm=\["apiVersion","clusters","contexts","current-context","kind","users"\] kpki=\["apiVersion","clusters","contexts","current-context","kind","preferences","users"\]$/,
    reason:
      'kpki writes an empty `preferences: {}`; the client-go of kubeadm v1.37 omits it (older kubeadm wrote it); clients ignore it',
  },
  {
    // kubeconfig.go: NotAfter = the kubeconfig phase's start + 8760h; pki_helpers.go: NotBefore = the CA's NotBefore.
    // 8760h5m + 0..119 s: the certs phase of a loaded machine can take a minute (RSA-3072).
    pattern:
      /^\S+\.conf users\[0\]\.cert\.validitySeconds: kubeadm=31536(30\d|3[1-9]\d|4[01]\d) kpki=31536300$/,
    reason:
      "kubeadm's kubeconfig certificates run from the CA's NotBefore to the kubeconfig phase's start + 8760h: run as a separate phase (another process) they are longer by the seconds between the phases; kpki (one run) and one `kubeadm init` give 8760h5m",
  },
];

describe('differential: kubeadm init phase certs/kubeconfig vs kpki init', () => {
  const why = missingPeers();
  for (const [name, opts] of Object.entries(CASES)) {
    it(name, () => {
      assert.equal(why, undefined, why);
      const k = tempDir('kubeadm-tree');
      const p = tempDir('kpki-tree');
      const c = tempDir('config');
      try {
        const config = writeConfig(join(c.dir, 'kubeadm.yaml'), opts);
        kubeadm(k.dir, ['init', 'phase', 'certs', 'all', '--config', config]);
        kubeadm(k.dir, ['init', 'phase', 'kubeconfig', 'all', '--config', config]);
        kpki(['init', '--layout', 'kubeadm', '--dir', p.dir, '--config', config]);
        const { allowed, unexpected } = sortOut(
          diffTrees(k.dir, p.dir, opts.pki ?? 'pki'),
          ALLOWED,
        );
        for (const line of allowed) console.log(`  ${name}: ${line}`);
        assert.deepEqual(unexpected, [], `kpki's tree differs from kubeadm's for "${name}"`);
      } finally {
        k.remove();
        p.remove();
        c.remove();
      }
    });
  }
});

describe('differential: configs kubeadm refuses', () => {
  it('a certSAN that is neither an IP nor a DNS name: kubeadm v1.37 refuses the config; kpki drops the SAN with a warning (a KNOWN difference, see README)', () => {
    assert.equal(missingPeers(), undefined, missingPeers());
    const k = tempDir('kubeadm-tree');
    const p = tempDir('kpki-tree');
    const c = tempDir('config');
    try {
      const config = writeConfig(join(c.dir, 'kubeadm.yaml'), {
        advertiseAddress: '10.0.0.10',
        certSANs: ['ok.example.test', 'bad_name!'],
      });
      const refused = kubeadm(k.dir, ['init', 'phase', 'certs', 'all', '--config', config], [1]);
      assert.match(refused.stderr, /apiServer\.certSANs: Invalid value: "bad_name!"/);
      const accepted = kpki(
        ['init', '--layout', 'kubeadm', '--dir', p.dir, '--config', config],
        [0, 3],
      );
      console.log(
        `  invalid certSAN: kubeadm exit 1 (apiServer.certSANs: Invalid value), kpki exit ${accepted.status}: ${(accepted.stderr + accepted.stdout).split('\n').find((l) => /bad_name/.test(l)) ?? ''}`,
      );
    } finally {
      k.remove();
      p.remove();
      c.remove();
    }
  });
  it("kubeadm reads an unquoted `n` as YAML 1.1's false and refuses it as a node name; kpki takes the string (a KNOWN difference)", () => {
    assert.equal(missingPeers(), undefined, missingPeers());
    const k = tempDir('kubeadm-tree');
    const p = tempDir('kpki-tree');
    const c = tempDir('config');
    try {
      const config = writeConfig(join(c.dir, 'kubeadm.yaml'), {
        advertiseAddress: '10.0.0.10',
        nodeName: 'n',
      });
      const refused = kubeadm(k.dir, ['init', 'phase', 'certs', 'all', '--config', config], [1]);
      assert.match(
        refused.stderr,
        /cannot unmarshal bool into Go struct field NodeRegistrationOptions\.nodeRegistration\.name/,
      );
      const accepted = kpki(
        ['init', '--layout', 'kubeadm', '--dir', p.dir, '--config', config],
        [0, 3],
      );
      console.log(
        `  node name "n": kubeadm exit 1 (bool into nodeRegistration.name), kpki exit ${accepted.status}`,
      );
    } finally {
      k.remove();
      p.remove();
      c.remove();
    }
  });
});
