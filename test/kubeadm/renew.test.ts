/**
 * kubeadm renew, rollback and external-CA mode through the built CLI, on kpki-made trees and on
 * copies of real kubeadm trees.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync, rmSync, writeFileSync, chmodSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { hashTree, kpki, openssl, tempDir } from '../support/tools.js';
import { testdata } from '../support/testdata.js';

const FLAGS = ['--node-name', 'cp1', '--apiserver-advertise-address', '10.0.0.5'];
const REAL = testdata('real');

function initTree(): string {
  const dir = tempDir();
  const result = kpki(['init', '--dir', dir, ...FLAGS]);
  assert.equal(result.status, 0, result.stderr);
  return dir;
}

const fields = (path: string): string =>
  openssl([
    'x509',
    '-noout',
    '-subject',
    '-issuer',
    '-ext',
    'subjectAltName,extendedKeyUsage',
    '-in',
    path,
  ]);
const read = (dir: string, path: string): string => readFileSync(join(dir, path), 'utf8');

/** A real tree copied somewhere writable (the shared copy is read-only). */
function copyReal(folder: string): string {
  const dir = tempDir();
  cpSync(join(REAL, folder), dir, { recursive: true });
  const walk = (d: string): void => {
    chmodSync(d, 0o755);
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else
        chmodSync(
          join(d, e.name),
          e.name.endsWith('.key') || e.name.endsWith('.conf') ? 0o600 : 0o644,
        );
    }
  };
  walk(dir);
  return dir;
}

describe('kpki renew all', () => {
  let dir: string;
  let before_: string;
  let output: string;
  let caBefore: string;
  before(() => {
    dir = initTree();
    before_ = hashTree(dir);
    caBefore = read(dir, 'pki/ca.crt') + read(dir, 'pki/ca.key');
    const result = kpki(['renew', 'all', '--dir', dir]);
    assert.equal(result.status, 0, result.stderr);
    output = result.stdout;
  });

  it('gives every leaf a new key and certificate with the same identity, signed by the same CA', () => {
    for (const leaf of [
      'apiserver',
      'apiserver-kubelet-client',
      'front-proxy-client',
      'etcd/server',
      'etcd/peer',
      'etcd/healthcheck-client',
      'apiserver-etcd-client',
    ]) {
      const ca =
        leaf === 'front-proxy-client'
          ? 'pki/front-proxy-ca.crt'
          : leaf.startsWith('etcd') || leaf === 'apiserver-etcd-client'
            ? 'pki/etcd/ca.crt'
            : 'pki/ca.crt';
      assert.match(
        openssl(['verify', '-x509_strict', '-CAfile', join(dir, ca), join(dir, `pki/${leaf}.crt`)]),
        /: OK/,
      );
    }
    const backup =
      readdirSync(join(dir, '.kpki/backups')).find((name) => name.includes('renew')) ?? '';
    const old = join(dir, '.kpki/backups', backup, 'files');
    assert.equal(fields(join(dir, 'pki/apiserver.crt')), fields(join(old, 'pki/apiserver.crt')));
    assert.notEqual(
      read(dir, 'pki/apiserver.key'),
      readFileSync(join(old, 'pki/apiserver.key'), 'utf8'),
    );
    assert.equal(read(dir, 'pki/ca.crt') + read(dir, 'pki/ca.key'), caBefore);
  });

  it('leaves the CAs, sa keys and kubelet.conf (rotated by the kubelet) alone', () => {
    const backup =
      readdirSync(join(dir, '.kpki/backups')).find((name) => name.includes('renew')) ?? '';
    const manifest = JSON.parse(
      readFileSync(join(dir, '.kpki/backups', backup, 'manifest.json'), 'utf8'),
    ) as { files: { path: string }[] };
    const touched = manifest.files.map((f) => f.path);
    for (const untouched of ['pki/ca.crt', 'pki/ca.key', 'pki/sa.key', 'kubelet.conf'])
      assert.ok(!touched.includes(untouched), untouched);
    assert.ok(touched.includes('admin.conf') && touched.includes('pki/etcd/peer.key'));
  });

  it('names the renewed certificates and the components to restart, in order', () => {
    assert.match(output, /renew +apiserver +certificate for serving the Kubernetes API\n/);
    assert.match(
      output,
      /restart, in this order, so they load the new files: etcd, kube-apiserver, kube-controller-manager, kube-scheduler\n/,
    );
  });

  it('rollback puts back exactly the files renew replaced', () => {
    const result = kpki(['rollback', '--dir', dir]);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(hashTree(dir), before_);
  });
});

describe('kpki renew with --expiring-within and names', () => {
  it('renews nothing when nothing expires inside the window, and exactly what is named otherwise', () => {
    const dir = initTree();
    const before_ = hashTree(dir);
    const none = kpki(['renew', 'all', '--dir', dir, '--expiring-within', '30d']);
    assert.equal(none.status, 0, none.stderr);
    assert.match(none.stdout, /nothing to change/);
    assert.equal(hashTree(dir), before_);
    const all = kpki(['renew', 'all', '--dir', dir, '--expiring-within', '400d', '--dry-run']);
    assert.match(all.stdout, /renew +apiserver /);
    assert.equal(hashTree(dir), before_, 'dry run changes nothing');
    const apiserverKey = read(dir, 'pki/apiserver.key');
    const one = kpki(['renew', 'scheduler.conf', '--dir', dir]);
    assert.equal(one.status, 0, one.stderr);
    assert.equal(read(dir, 'pki/apiserver.key'), apiserverKey);
    assert.match(
      one.stdout,
      /restart, in this order, so they load the new files: kube-scheduler\n/,
    );
  });
});

describe('external CA mode (ca.key absent)', () => {
  let dir: string;
  before(() => {
    dir = initTree();
    rmSync(join(dir, 'pki/ca.key'));
  });

  it('check marks rows signed by ca as externally managed', () => {
    const json = JSON.parse(kpki(['check', '--dir', dir, '-o', 'json']).stdout) as {
      certificates: { name: string; externallyManaged: boolean }[];
      certificateAuthorities: { name: string; externallyManaged: boolean }[];
    };
    const managed = Object.fromEntries(json.certificates.map((c) => [c.name, c.externallyManaged]));
    assert.equal(managed.apiserver, true);
    assert.equal(managed['admin.conf'], true);
    assert.equal(managed['front-proxy-client'], false);
    assert.equal(json.certificateAuthorities.find((c) => c.name === 'ca')?.externallyManaged, true);
    assert.match(kpki(['check', '--dir', dir]).stdout, /\napiserver +.* ca +yes {5}\n/);
  });

  it('renew skips what the external CA signs, as kubeadm reports it, and renews the rest', () => {
    const apiserver = read(dir, 'pki/apiserver.crt');
    const result = kpki(['renew', 'all', '--dir', dir]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(
      result.stdout,
      /skip +apiserver +Detected external ca, certificate for serving the Kubernetes API can't be renewed/,
    );
    assert.equal(read(dir, 'pki/apiserver.crt'), apiserver);
    assert.match(result.stdout, /renew +front-proxy-client/);
  });

  it('init refuses a missing leaf it cannot sign, with a hint, and changes nothing', () => {
    rmSync(join(dir, 'pki/apiserver.crt'));
    rmSync(join(dir, 'pki/apiserver.key'));
    const before_ = hashTree(dir);
    const result = kpki(['init', '--dir', dir, ...FLAGS]);
    assert.equal(result.status, 3);
    assert.match(
      result.stderr,
      /\[EXTERNAL_CA_INCOMPLETE\] invalid or incomplete external CA: "apiserver" is missing/,
    );
    assert.match(result.stderr, /hint: .*kpki csr generate/);
    assert.equal(hashTree(dir), before_);
  });
});

describe('real kubeadm trees', () => {
  for (const folder of [
    'kubeadm-zetaoss-zeta-linux/etc/kubernetes',
    'kubeadm-Ebenneil-k8/etc/kubernetes',
    'kubeadm-devopsyuva-k8s-1.11',
  ]) {
    it(`${folder}: check reads every row; every leaf is signed by its own CA; exit 4 (expired)`, () => {
      const result = kpki(['check', '--dir', join(REAL, folder), '-o', 'json']);
      assert.equal(result.status, 4, result.stderr);
      const json = JSON.parse(result.stdout) as {
        certificates: {
          name: string;
          residualTime: number;
          missing: boolean;
          problems?: string[];
        }[];
      };
      const present = json.certificates.filter((c) => !c.missing && c.name !== 'kubelet.conf');
      assert.ok(present.length >= 10);
      for (const row of present) {
        assert.ok(row.residualTime < 0, `${row.name} is expired`);
        assert.deepEqual(row.problems ?? [], [], row.name);
      }
    });
  }

  it('renew on a copy of a v1.22 tree keeps O=system:masters and the SANs, and the real CA signs the result', () => {
    const dir = copyReal('kubeadm-Ebenneil-k8/etc/kubernetes');
    const old = fields(join(dir, 'pki/apiserver-kubelet-client.crt'));
    const oldSans = fields(join(dir, 'pki/apiserver.crt'));
    const result = kpki([
      'renew',
      'apiserver',
      'apiserver-kubelet-client',
      'admin.conf',
      '--dir',
      dir,
    ]);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(fields(join(dir, 'pki/apiserver-kubelet-client.crt')), old);
    assert.match(old, /O = system:masters/);
    assert.equal(fields(join(dir, 'pki/apiserver.crt')), oldSans);
    assert.match(
      openssl([
        'verify',
        '-x509_strict',
        '-CAfile',
        join(dir, 'pki/ca.crt'),
        join(dir, 'pki/apiserver.crt'),
      ]),
      /: OK/,
    );
    const check = JSON.parse(kpki(['check', '--dir', dir, '-o', 'json']).stdout) as {
      certificates: { name: string; residualTime: number }[];
    };
    assert.ok(
      (check.certificates.find((c) => c.name === 'admin.conf')?.residualTime ?? 0) > 364 * 86400,
    );
  });
});

describe('writes through a planted config', () => {
  it("renew keeps a kubeconfig's other entries", () => {
    const dir = initTree();
    writeFileSync(join(dir, 'admin.conf'), `# kept\n${read(dir, 'admin.conf')}`);
    assert.equal(kpki(['renew', 'admin.conf', '--dir', dir]).status, 0);
    assert.match(read(dir, 'admin.conf'), /^# kept\n/);
  });
});

describe('renew keeps the key algorithm when no config is given', () => {
  it('an ECDSA tree stays ECDSA (kubeadm would fall back to RSA-2048); with a config, the config decides', () => {
    const dir = tempDir();
    const config = join(tempDir(), 'ec.yaml');
    writeFileSync(
      config,
      'apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nencryptionAlgorithm: ECDSA-P256\n',
    );
    assert.equal(kpki(['init', '--dir', dir, '--config', config, ...FLAGS]).status, 0);
    assert.equal(kpki(['renew', 'apiserver', 'admin.conf', '--dir', dir]).status, 0);
    assert.match(read(dir, 'pki/apiserver.key'), /^-----BEGIN EC PRIVATE KEY-----/);
    assert.match(
      Buffer.from(
        /client-key-data: (\S+)/.exec(read(dir, 'admin.conf'))?.[1] ?? '',
        'base64',
      ).toString(),
      /^-----BEGIN EC PRIVATE KEY-----/,
    );
    const rsa = join(tempDir(), 'rsa.yaml');
    writeFileSync(
      rsa,
      'apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nencryptionAlgorithm: RSA-3072\n',
    );
    assert.equal(kpki(['renew', 'apiserver', '--dir', dir, '--config', rsa]).status, 0);
    assert.match(
      openssl(['pkey', '-noout', '-text', '-in', join(dir, 'pki/apiserver.key')]),
      /Private-Key: \(3072 bit/,
    );
  });
});
