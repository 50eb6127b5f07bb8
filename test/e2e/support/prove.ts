/**
 * What a started control plane must show on a kpki tree: readiness, the identities of the admin
 * kubeconfigs, the controller-manager's and scheduler's leader leases, service-account tokens
 * signed with sa.key and accepted with sa.pub, and etcd requiring client certificates.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kubectl, tempDir } from './env.js';
import type { ControlPlane } from './plane.js';

interface Whoami {
  status: { userInfo: { username: string; groups?: string[] } };
}

/** `kubectl auth whoami -o json` for one kubeconfig. */
export function whoami(run: (args: readonly string[]) => { stdout: string }): {
  username: string;
  groups: string[];
} {
  const review = JSON.parse(run(['auth', 'whoami', '-o', 'json']).stdout) as Whoami;
  return { username: review.status.userInfo.username, groups: review.status.userInfo.groups ?? [] };
}

/**
 * Binds `kubeadm:cluster-admins` to cluster-admin as `kubeadm init` does (with super-admin.conf),
 * so admin.conf has its rights. Idempotent.
 */
export function bindClusterAdmins(plane: ControlPlane): void {
  const superAdmin = 'super-admin.conf';
  const found = plane
    .kubectl(superAdmin, [
      'get',
      'clusterrolebinding',
      'kubeadm:cluster-admins',
      '--ignore-not-found',
      '-o',
      'name',
    ])
    .stdout.trim();
  if (found === '')
    plane.kubectl(superAdmin, [
      'create',
      'clusterrolebinding',
      'kubeadm:cluster-admins',
      '--clusterrole=cluster-admin',
      '--group=kubeadm:cluster-admins',
    ]);
}

/** readyz with every check listed and passed. */
export function assertReadyz(plane: ControlPlane): string {
  const text = plane.kubectl('admin.conf', ['get', '--raw', '/readyz?verbose']).stdout;
  const checks = text.split('\n').filter((l) => l.startsWith('['));
  assert.ok(checks.length > 5, `readyz listed no checks:\n${text}`);
  assert.deepEqual(
    checks.filter((l) => !l.startsWith('[+]')),
    [],
    `readyz has failing checks:\n${text}`,
  );
  assert.ok(
    checks.some((l) => l.startsWith('[+]etcd ok')),
    `readyz has no passing etcd check:\n${text}`,
  );
  assert.match(text, /readyz check passed/);
  return text;
}

/** admin.conf and super-admin.conf authenticate as kubeadm ≥ 1.29 intends. */
export function assertAdminIdentities(plane: ControlPlane): void {
  const admin = whoami((args) => plane.kubectl('admin.conf', args));
  assert.equal(admin.username, 'kubernetes-admin');
  assert.ok(
    admin.groups.includes('kubeadm:cluster-admins'),
    `admin.conf groups: ${admin.groups.join(',')}`,
  );
  assert.ok(
    !admin.groups.includes('system:masters'),
    'admin.conf must not be system:masters (kubeadm >= 1.29)',
  );
  const superAdmin = whoami((args) => plane.kubectl('super-admin.conf', args));
  assert.equal(superAdmin.username, 'kubernetes-super-admin');
  assert.ok(
    superAdmin.groups.includes('system:masters'),
    `super-admin.conf groups: ${superAdmin.groups.join(',')}`,
  );
  // admin.conf's rights come from the kubeadm:cluster-admins binding, as on a kubeadm cluster.
  assert.equal(plane.kubectl('admin.conf', ['auth', 'can-i', '*', '*']).stdout.trim(), 'yes');
}

/** The holder of a kube-system Lease, or '' while there is none. */
export function leaseHolder(plane: ControlPlane, name: string): string {
  const out = plane.kubectl('admin.conf', [
    '-n',
    'kube-system',
    'get',
    'lease',
    name,
    '--ignore-not-found',
    '-o',
    'jsonpath={.spec.holderIdentity}',
  ]);
  return out.stdout.trim();
}

/** The controller-manager and the scheduler, on kpki's kubeconfigs, took their leader leases. */
export async function assertLeases(plane: ControlPlane): Promise<void> {
  for (const name of ['kube-controller-manager', 'kube-scheduler']) {
    await plane.waitFor(`the ${name} leader lease`, () => leaseHolder(plane, name) !== '', 120_000);
  }
}

/** A token from `kubectl create token` (signed with sa.key) authenticates (checked with sa.pub). */
export function assertServiceAccountToken(plane: ControlPlane): void {
  const admin = 'admin.conf';
  const sa = 'kpki-e2e';
  if (
    plane
      .kubectl(admin, [
        '-n',
        'default',
        'get',
        'serviceaccount',
        sa,
        '--ignore-not-found',
        '-o',
        'name',
      ])
      .stdout.trim() === ''
  ) {
    plane.kubectl(admin, ['-n', 'default', 'create', 'serviceaccount', sa]);
  }
  const token = plane
    .kubectl(admin, ['-n', 'default', 'create', 'token', sa, '--duration=10m'])
    .stdout.trim();
  assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'kubectl create token did not print a JWT');
  const t = tempDir('token');
  try {
    const kc = join(t.dir, 'token.conf');
    const ca = Buffer.from(readFileSync(join(plane.tree, 'pki/ca.crt'))).toString('base64');
    writeFileSync(
      kc,
      [
        'apiVersion: v1',
        'kind: Config',
        'current-context: sa',
        'clusters:',
        `- name: c`,
        '  cluster:',
        `    server: https://127.0.0.1:${plane.ports.apiserver}`,
        `    certificate-authority-data: ${ca}`,
        'users:',
        '- name: sa',
        '  user:',
        `    token: ${token}`,
        'contexts:',
        '- name: sa',
        '  context: {cluster: c, user: sa}',
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    assert.deepEqual(
      whoami((args) => kubectl(kc, args)).username,
      `system:serviceaccount:default:${sa}`,
    );
  } finally {
    t.remove();
  }
}

/** etcd refuses a client without a certificate and serves one with the healthcheck client's. */
export async function assertEtcdClientCerts(plane: ControlPlane): Promise<void> {
  const withCert = await plane.etcdHealth(true);
  assert.match(withCert.body, /"health":"true"/);
  let refused = false;
  try {
    const without = await plane.etcdHealth(false);
    refused = without.status !== 200;
  } catch {
    refused = true; // TLS handshake failure: client certificate required
  }
  assert.ok(refused, 'etcd answered a client without a certificate');
}

/** Everything above, in order. */
export async function proveControlPlane(
  plane: ControlPlane,
  opts: { etcd: boolean },
): Promise<void> {
  bindClusterAdmins(plane);
  assertReadyz(plane);
  assertAdminIdentities(plane);
  await assertLeases(plane);
  assertServiceAccountToken(plane);
  if (opts.etcd) await assertEtcdClientCerts(plane);
}
