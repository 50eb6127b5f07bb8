/**
 * `kpki rotate` on RKE2 and K3s data dirs through the built CLI: only the services' files change,
 * the server/tls-<unix> backup is a complete copy, new chains verify with openssl, the markers are
 * written, unknown services change nothing.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, lstatSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { hashTree, kpki, openssl, run, tempDir } from '../support/tools.js';

/** Every regular file below `root` (kpki's own .kpki left out) → SHA-256 of its content. */
function snapshot(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const rel = relative(root, path);
      if (rel === '.kpki') continue;
      if (lstatSync(path).isDirectory()) walk(path);
      else files.set(rel, createHash('sha256').update(readFileSync(path)).digest('hex'));
    }
  };
  walk(root);
  return files;
}

function diff(
  before: Map<string, string>,
  after: Map<string, string>,
): { changed: string[]; added: string[]; removed: string[] } {
  return {
    changed: [...before]
      .filter(([path, hash]) => after.has(path) && after.get(path) !== hash)
      .map(([path]) => path)
      .sort(),
    added: [...after.keys()].filter((path) => !before.has(path)).sort(),
    removed: [...before.keys()].filter((path) => !after.has(path)).sort(),
  };
}

function initTree(prog: string): string {
  const dir = tempDir();
  const result = kpki([
    'init',
    '--layout',
    prog,
    '--dir',
    dir,
    '--node-name',
    'cp1',
    '--node-ip',
    '10.0.0.5',
  ]);
  assert.equal(result.status, 0, result.stderr);
  return dir;
}

function verifyLeaf(dir: string, ca: string, cert: string): void {
  assert.match(
    openssl([
      'verify',
      '-x509_strict',
      '-CAfile',
      join(dir, ca),
      '-untrusted',
      join(dir, cert),
      join(dir, cert),
    ]),
    /: OK/,
  );
}

describe('kpki rotate --service api-server (rke2)', () => {
  const dir = initTree('rke2');
  const before = snapshot(dir);
  const result = kpki(['rotate', '--dir', dir, '--service', 'api-server']);

  it('succeeds, names the backup and the components to restart in order', () => {
    assert.equal(result.status, 0, result.stderr);
    assert.match(
      result.stdout,
      /restart, in this order, so they load the new files: kube-apiserver\n/,
    );
    assert.match(result.stdout, /backed up certificates to .*\/server\/tls-\d{10}/);
  });

  it("changes only the service's four files, adds the backup and force-restart, removes nothing", () => {
    const { changed, added, removed } = diff(before, snapshot(dir));
    assert.deepEqual(changed, [
      'server/tls/client-kube-apiserver.crt',
      'server/tls/client-kube-apiserver.key',
      'server/tls/serving-kube-apiserver.crt',
      'server/tls/serving-kube-apiserver.key',
    ]);
    assert.deepEqual(removed, []);
    const backup =
      added
        .find((path) => /^server\/tls-\d+\//.test(path))
        ?.split('/')
        .slice(0, 2)
        .join('/') ?? '';
    assert.ok(backup !== '');
    assert.deepEqual(
      added.filter((path) => !path.startsWith(`${backup}/`)),
      ['force-restart'],
    );
    assert.equal(statSync(join(dir, 'force-restart')).size, 0);
    assert.equal(statSync(join(dir, 'force-restart')).mode & 0o777, 0o600);
  });

  it('the backup is a byte-identical copy of the whole server/tls tree as it was', () => {
    const after = snapshot(dir);
    const backup =
      [...after.keys()]
        .find((path) => /^server\/tls-\d+\//.test(path))
        ?.split('/')
        .slice(0, 2)
        .join('/') ?? '';
    const original = [...before].filter(([path]) => path.startsWith('server/tls/'));
    const copied = [...after].filter(([path]) => path.startsWith(`${backup}/`));
    assert.equal(copied.length, original.length);
    for (const [path, hash] of original)
      assert.equal(after.get(path.replace('server/tls/', `${backup}/`)), hash, path);
    assert.equal(statSync(join(dir, backup, 'server-ca.key')).mode & 0o777, 0o600, 'modes kept');
  });

  it('the new certificates have new keys and verify with openssl -x509_strict', () => {
    verifyLeaf(dir, 'server/tls/server-ca.crt', 'server/tls/serving-kube-apiserver.crt');
    verifyLeaf(dir, 'server/tls/client-ca.crt', 'server/tls/client-kube-apiserver.crt');
    const pub = (path: string): string => openssl(['pkey', '-in', path, '-pubout']);
    const backup = readdirSync(join(dir, 'server')).find((name) => name.startsWith('tls-')) ?? '';
    assert.notEqual(
      pub(join(dir, 'server/tls/serving-kube-apiserver.key')),
      pub(join(dir, 'server', backup, 'serving-kube-apiserver.key')),
    );
    assert.match(
      openssl([
        'x509',
        '-noout',
        '-ext',
        'subjectAltName',
        '-in',
        join(dir, 'server/tls/serving-kube-apiserver.crt'),
      ]),
      /DNS:kubernetes.default.svc.cluster.local/,
    );
  });
});

describe('kpki rotate --service kubelet,etcd (k3s, several services)', () => {
  const dir = initTree('k3s');
  const before = snapshot(dir);
  const result = kpki(['rotate', '--dir', dir, '--service', 'kubelet,etcd', '-o', 'json']);

  it("rotates exactly those services' files, writes no force-restart (K3s), backs up the agent files flattened", () => {
    assert.equal(result.status, 0, result.stderr);
    const plan = JSON.parse(result.stdout) as { restart: string[] };
    assert.deepEqual(plan.restart, ['etcd', 'kube-apiserver', 'k3s-server', 'kubelet']);
    const { changed, added } = diff(before, snapshot(dir));
    assert.deepEqual(changed, [
      'agent/client-kubelet.crt',
      'agent/client-kubelet.key',
      'agent/serving-kubelet.crt',
      'agent/serving-kubelet.key',
      'server/tls/client-kubelet.key',
      'server/tls/etcd/client.crt',
      'server/tls/etcd/client.key',
      'server/tls/etcd/peer-server-client.crt',
      'server/tls/etcd/peer-server-client.key',
      'server/tls/etcd/server-client.crt',
      'server/tls/etcd/server-client.key',
      'server/tls/serving-kubelet.key',
    ]);
    assert.ok(!added.includes('force-restart'));
    const backup = added[0]?.split('/').slice(0, 2).join('/') ?? '';
    assert.equal(
      snapshot(dir).get(`${backup}/serving-kubelet.crt`),
      before.get('agent/serving-kubelet.crt'),
    );
    assert.equal(
      snapshot(dir).get(`${backup}/client-kubelet.key`),
      before.get('agent/client-kubelet.key'),
      'the agent copy wins, as RKE2 copies it last',
    );
    assert.equal(
      snapshot(dir).get(`${backup}/etcd/peer-ca.key`),
      before.get('server/tls/etcd/peer-ca.key'),
    );
  });

  it('the rotated chains verify, and check still reads everything OK', () => {
    verifyLeaf(dir, 'server/tls/etcd/peer-ca.crt', 'server/tls/etcd/peer-server-client.crt');
    verifyLeaf(dir, 'agent/server-ca.crt', 'agent/serving-kubelet.crt');
    const check = kpki(['check', '--dir', dir]);
    assert.equal(check.status, 0, check.stderr);
  });
});

describe('kpki rotate: admin, the listener trigger, and rejected names', () => {
  it('admin rewrites the user kubeconfig with the new chain; k3s-server writes the regenerate trigger', () => {
    const dir = initTree('k3s');
    const result = kpki(['rotate', '--dir', dir, '--service', 'admin', '--service', 'k3s-server']);
    assert.equal(result.status, 0, result.stderr);
    const view = run('kubectl', [
      '--kubeconfig',
      join(dir, 'k3s.yaml'),
      'config',
      'view',
      '--raw',
      '-o',
      'jsonpath={.users[0].user.client-certificate-data}',
    ]);
    assert.equal(view.status, 0, view.stderr);
    assert.equal(
      Buffer.from(view.stdout, 'base64').toString(),
      readFileSync(join(dir, 'server/tls/client-admin.crt'), 'utf8'),
    );
    assert.equal(statSync(join(dir, 'server/tls/dynamic-cert-regenerate')).size, 0);
  });

  const rejected: Record<string, string[]> = {
    'an unknown service': ['--service', 'api-server,kube-apiserverx'],
    "certificate-authority (CA rotation is not rotate's job)": [
      '--service',
      'certificate-authority',
    ],
    'a service of the other program': ['--service', 'k3s-server'],
  };
  for (const [name, args] of Object.entries(rejected)) {
    it(`refuses ${name}: exit 2, nothing on disk changes`, () => {
      const dir = initTree('rke2');
      const before = hashTree(dir);
      const result = kpki(['rotate', '--dir', dir, ...args]);
      assert.equal(result.status, 2, result.stderr);
      assert.match(result.stderr, /\[UNKNOWN_NAME\] service .* is not recognized/);
      assert.equal(hashTree(dir), before);
    });
  }

  it('--dry-run prints the plan and changes nothing', () => {
    const dir = initTree('rke2');
    const before = hashTree(dir);
    const result = kpki(['rotate', '--dir', dir, '--dry-run']);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /renew +serving-kube-apiserver/);
    assert.match(result.stdout, /create +server\/tls\/dynamic-cert-regenerate/);
    assert.equal(hashTree(dir), before);
  });
});

describe('a data dir of another node', () => {
  it('rotate warns when the kubelet certificate names another node than the one new certificates get', () => {
    const dir = initTree('rke2');
    const other = kpki([
      'rotate',
      '--layout',
      'rke2',
      '--dir',
      dir,
      '--service',
      'kubelet',
      '--node-name',
      'elsewhere',
      '--dry-run',
    ]);
    assert.equal(other.status, 0, other.stderr);
    assert.match(
      other.stderr,
      /warning: the kubelet certificate of this data dir is for node "cp1", but new certificates are for "elsewhere" \(as configured\); pass --node-name cp1/,
    );
    const same = kpki([
      'rotate',
      '--layout',
      'rke2',
      '--dir',
      dir,
      '--service',
      'kubelet',
      '--node-name',
      'cp1',
      '--dry-run',
    ]);
    assert.doesNotMatch(same.stderr, /is for node/);
  });
});
