/**
 * `--restart` and `kpki prove` on a real control plane (etcd, kube-apiserver,
 * kube-controller-manager, kube-scheduler on a kpki tree): the command driver restarts each
 * component through a small HTTP endpoint of this test (the processes are this test's children),
 * `kpki renew all --restart` ends with a proof that every component serves its new serial and the
 * controller-manager and scheduler take their leases again; a restart command that fails stops
 * the sequence, and `kpki rollback --restart` brings back the old certificates, proved.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KPKI, kpki, missingPeers, tempDir, writeConfig, type RunResult } from './support/env.js';
import { ControlPlane, freePort, freePorts, renderManifests } from './support/plane.js';
import { bindClusterAdmins, leaseHolder } from './support/prove.js';

/** kpki without blocking this process (its restart command calls back into it). */
function kpkiAsync(args: readonly string[]): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [KPKI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ status: code ?? -1, stdout, stderr }));
  });
}

interface ProofRow {
  component: string;
  name: string;
  kind: string;
  expectedSerial: string;
  servedSerial: string;
  verdict: string;
}

interface RestartJson {
  restart: {
    proof: ProofRow[];
    proved: boolean;
    steps: { component: string }[];
    error?: { message: string; hint: string };
  };
}

const serialOf = (tree: string, path: string): string =>
  new X509Certificate(readFileSync(join(tree, path))).serialNumber;

describe('restarts and live proof on a real control plane', () => {
  const why = missingPeers();
  const work = tempDir('restarts');
  const tree = join(work.dir, 'tree');
  let plane: ControlPlane | undefined;
  let hook: Server | undefined;
  const restarted: string[] = [];
  let live: string[] = [];

  before(async () => {
    if (why !== undefined) return;
    const ports = await freePorts();
    const opts = { bindPort: ports.apiserver };
    const config = writeConfig(join(work.dir, 'kubeadm.yaml'), opts);
    kpki(['init', '--layout', 'kubeadm', '--dir', tree, '--config', config]);
    plane = new ControlPlane(tree, ports);
    await plane.start(renderManifests(opts));
    bindClusterAdmins(plane);
    const hookPort = await freePort();
    hook = createServer((req, res) => {
      const component = (req.url ?? '').replace(/^\/restart\//, '');
      restarted.push(component);
      (plane ? plane.restart(component) : Promise.reject(new Error('no plane'))).then(
        () => res.end('restarted\n'),
        (error: unknown) => {
          res.statusCode = 500;
          res.end(String(error));
        },
      );
    });
    await new Promise<void>((resolve) => hook?.listen(hookPort, '127.0.0.1', resolve));
    const p = plane.ports;
    live = [
      '--restart-driver',
      'command',
      '--endpoint',
      `etcd-server=127.0.0.1:${p.etcdClient}`,
      '--endpoint',
      `etcd-peer=127.0.0.1:${p.etcdPeer}`,
      '--endpoint',
      `kube-controller-manager=127.0.0.1:${p.controllerManager}`,
      '--endpoint',
      `kube-scheduler=127.0.0.1:${p.scheduler}`,
      '--restart-timeout',
      '120s',
    ];
    // Node rather than curl: nothing to install. The hook answers once the process is respawned.
    const call = `fetch('http://127.0.0.1:${hookPort}/restart/{component}').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`;
    live.push('--restart-command', `'${process.execPath}' -e "${call}"`);
  });

  after(async () => {
    hook?.close();
    await plane?.stop();
    work.remove();
  });

  it('kpki prove passes on the running plane, and -o json lists every serving and client check', async () => {
    assert.equal(why, undefined, why);
    const endpoints = live.slice(2, 10);
    const proof = await kpkiAsync(['prove', '--dir', tree, ...endpoints, '-o', 'json']);
    assert.equal(proof.status, 0, proof.stdout + proof.stderr);
    const rows = (JSON.parse(proof.stdout) as { rows: ProofRow[] }).rows;
    assert.deepEqual(
      rows.map((r) => `${r.name}:${r.verdict}`),
      [
        'apiserver:ok',
        'etcd-server:ok',
        'etcd-peer:ok',
        'admin.conf:ok',
        'super-admin.conf:ok',
        'controller-manager.conf:ok',
        'scheduler.conf:ok',
        'apiserver-etcd-client:ok',
      ],
    );
  });

  it('renew all --restart --restart-driver command restarts in order and proves every new serial; the leases come back', async () => {
    assert.ok(plane);
    const before = serialOf(tree, 'pki/apiserver.crt');
    const holders = ['kube-controller-manager', 'kube-scheduler'].map((n) =>
      leaseHolder(plane as ControlPlane, n),
    );
    restarted.length = 0;
    const renew = await kpkiAsync([
      'renew',
      'all',
      '--dir',
      tree,
      '--restart',
      ...live,
      '-o',
      'json',
    ]);
    assert.equal(renew.status, 0, renew.stdout + renew.stderr);
    const body = JSON.parse(renew.stdout) as RestartJson;
    assert.deepEqual(restarted, [
      'etcd',
      'kube-apiserver',
      'kube-controller-manager',
      'kube-scheduler',
    ]);
    assert.equal(body.restart.proved, true);
    const apiserver = body.restart.proof.find((r) => r.name === 'apiserver');
    assert.ok(apiserver);
    assert.notEqual(apiserver.servedSerial, before);
    assert.equal(apiserver.servedSerial, serialOf(tree, 'pki/apiserver.crt'));
    for (const row of body.restart.proof.filter((r) => r.kind === 'serving'))
      assert.equal(row.servedSerial, row.expectedSerial, row.name);
    for (const [i, name] of ['kube-controller-manager', 'kube-scheduler'].entries())
      await plane.waitFor(
        `${name} back on its lease`,
        () => {
          const now = leaseHolder(plane as ControlPlane, name);
          return now !== '' && now !== holders[i];
        },
        120_000,
      );
  });

  it('a restart command that fails stops the sequence there, and rollback --restart brings the old certificates back, proved', async () => {
    assert.ok(plane);
    const old = serialOf(tree, 'pki/apiserver.crt');
    const schedulerPid = plane.pid('kube-scheduler');
    const failing = live.map((arg) =>
      arg.includes('/restart/{component}') ? `[ {component} != kube-apiserver ] && ${arg}` : arg,
    );
    restarted.length = 0;
    const renew = await kpkiAsync(['renew', 'all', '--dir', tree, '--restart', ...failing]);
    assert.equal(renew.status, 1, renew.stdout + renew.stderr);
    assert.match(renew.stdout, /restart of "kube-apiserver" failed/);
    assert.match(renew.stdout, /not restarted: kube-controller-manager, kube-scheduler/);
    assert.match(renew.stdout, /kpki rollback --restart/);
    assert.deepEqual(restarted, ['etcd']);
    assert.equal(plane.pid('kube-scheduler'), schedulerPid, 'the scheduler was restarted');
    assert.notEqual(serialOf(tree, 'pki/apiserver.crt'), old);

    const rollback = await kpkiAsync(['rollback', '--dir', tree, '--restart', ...live]);
    assert.equal(rollback.status, 0, rollback.stdout + rollback.stderr);
    assert.match(rollback.stdout, /proved: 8 checks/);
    assert.equal(serialOf(tree, 'pki/apiserver.crt'), old);
    const proof = await kpkiAsync(['prove', '--dir', tree, ...live.slice(2, 10), '-o', 'json']);
    assert.equal(proof.status, 0, proof.stdout);
    const served = (JSON.parse(proof.stdout) as { rows: ProofRow[] }).rows.find(
      (r) => r.name === 'apiserver',
    );
    assert.equal(served?.servedSerial, old);
  });

  it('static-pod driver: with a stand-in kubelet loop on the manifests directory, every component restarts and proves; a held manifest goes back', async () => {
    assert.ok(plane);
    const p = plane;
    const manifests = join(tree, 'manifests');
    mkdirSync(manifests, { recursive: true });
    const names = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'];
    for (const name of names)
      writeFileSync(join(manifests, `${name}.yaml`), `kind: Pod\n# ${name}\n`);
    // The kubelet's loop: each period, a pod whose manifest left is stopped, one whose manifest is
    // back (and is not running) is started.
    const stopped: string[] = [];
    let busy = false;
    const kubelet = setInterval(() => {
      if (busy) return;
      busy = true;
      void (async () => {
        for (const name of names) {
          const present = existsSync(join(manifests, `${name}.yaml`));
          if (!present && !p.isHalted(name)) {
            stopped.push(name);
            await p.halt(name);
          } else if (present) p.resume(name);
        }
      })().finally(() => (busy = false));
    }, 1000);
    try {
      const pids = names.map((n) => p.pid(n));
      const endpoints = live.slice(2, 10);
      const restart = await kpkiAsync([
        'restart',
        '--dir',
        tree,
        '--restart-driver',
        'static-pod',
        '--file-check-period',
        '2s',
        '--restart-timeout',
        '120s',
        ...endpoints,
      ]);
      assert.equal(restart.status, 0, restart.stdout + restart.stderr);
      assert.deepEqual(stopped, names);
      for (const [i, name] of names.entries()) assert.notEqual(p.pid(name), pids[i], name);
      assert.match(restart.stdout, /proved: 8 checks/);
      assert.deepEqual(readdirSync(manifests).sort(), names.map((n) => `${n}.yaml`).sort());
      assert.deepEqual(readdirSync(`${manifests}.kpki-held`), []);

      // A crash between the two moves leaves the manifest held; the next kpki command puts it back.
      renameSync(
        join(manifests, 'kube-scheduler.yaml'),
        join(`${manifests}.kpki-held`, 'kube-scheduler.yaml'),
      );
      const prove = await kpkiAsync(['prove', '--dir', tree, ...endpoints]);
      assert.match(prove.stderr, /put back held manifests: kube-scheduler\.yaml/);
      assert.ok(existsSync(join(manifests, 'kube-scheduler.yaml')));
    } finally {
      clearInterval(kubelet);
      for (const name of names) p.resume(name);
    }
  });
});
