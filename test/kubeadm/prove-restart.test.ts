/**
 * `kpki prove` against a real TLS server serving the tree's apiserver certificate, and the
 * restart plan of `--restart` without a control plane: a dry run restarts nothing, a failing
 * restart command stops the sequence with the rollback command. (The control plane itself is in
 * test/e2e/restarts.test.ts.)
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { KPKI, tempDir } from '../support/tools.js';

function kpkiAsync(
  args: readonly string[],
): Promise<{ status: number; stdout: string; stderr: string }> {
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

async function initTree(): Promise<string> {
  const dir = tempDir();
  const init = await kpkiAsync([
    'init',
    '--dir',
    dir,
    '--node-name',
    'cp1',
    '--apiserver-advertise-address',
    '127.0.0.1',
  ]);
  assert.equal(init.status, 0, init.stderr);
  return dir;
}

async function serve(tree: string): Promise<{ server: Server; port: number }> {
  const server = createServer(
    {
      cert: readFileSync(join(tree, 'pki/apiserver.crt')),
      key: readFileSync(join(tree, 'pki/apiserver.key')),
    },
    (_req, res) => res.end('ok'),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

interface Row {
  name: string;
  verdict: string;
  expectedSerial: string;
  servedSerial: string;
}

const serial = (tree: string): string =>
  new X509Certificate(readFileSync(join(tree, 'pki/apiserver.crt'))).serialNumber;

describe('kpki prove and --restart (kubeadm)', () => {
  it('proves the served apiserver certificate, then calls it old after a renewal nobody restarted (exit 1)', async () => {
    const tree = await initTree();
    const { server, port } = await serve(tree);
    try {
      const args = [
        'prove',
        '--dir',
        tree,
        '--endpoint',
        `apiserver=127.0.0.1:${port}`,
        '-o',
        'json',
        '--probe-timeout',
        '2s',
      ];
      const first = await kpkiAsync(args);
      const before = (JSON.parse(first.stdout) as { rows: Row[] }).rows.find(
        (r) => r.name === 'apiserver',
      );
      assert.equal(before?.verdict, 'ok', first.stdout);
      assert.equal(before?.servedSerial, serial(tree));
      assert.equal(first.status, 1, 'etcd and the kubeconfigs are unreachable: not proved');

      const old = serial(tree);
      const renew = await kpkiAsync(['renew', 'apiserver', '--dir', tree]);
      assert.equal(renew.status, 0, renew.stderr);
      const second = await kpkiAsync(args);
      const after = (JSON.parse(second.stdout) as { rows: Row[] }).rows.find(
        (r) => r.name === 'apiserver',
      );
      assert.equal(after?.verdict, 'old');
      assert.equal(after?.servedSerial, old);
      assert.equal(after?.expectedSerial, serial(tree));
      assert.equal(second.status, 1);
      const text = await kpkiAsync(args.filter((a) => a !== '-o' && a !== 'json'));
      assert.match(text.stdout, /old: kube-apiserver apiserver at 127\.0\.0\.1:\d+: restart it/);
      assert.doesNotMatch(text.stdout + text.stderr, /PRIVATE KEY/);
    } finally {
      server.close();
    }
  });

  it('a dry run prints the restart plan with the files each component loads, and restarts nothing', async () => {
    const tree = await initTree();
    const marker = join(tree, 'restarted');
    const run = await kpkiAsync([
      'renew',
      'all',
      '--dir',
      tree,
      '--dry-run',
      '--restart',
      '--restart-command',
      `touch ${marker}`,
    ]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(
      run.stdout,
      /\[restart\] plan \(dry run, nothing restarted\), in this order:\n {2}1\. etcd \(command\) loads: pki\/etcd\/server\.crt/,
    );
    assert.match(run.stdout, /4\. kube-scheduler \(command\) loads: scheduler\.conf/);
    assert.equal(existsSync(marker), false);
  });

  it('a failing restart command stops at the first component, names it and the rollback command (exit 1)', async () => {
    const tree = await initTree();
    const run = await kpkiAsync([
      'renew',
      'apiserver',
      '--dir',
      tree,
      '--restart',
      '--restart-command',
      'echo no such unit {unit} >&2; exit 3',
      '--restart-timeout',
      '2s',
    ]);
    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.match(
      run.stdout,
      /restart of "kube-apiserver" failed \(command driver\): restart command for "kube-apiserver" failed \(exit 3\)/,
    );
    assert.match(run.stdout, /no such unit kube-apiserver/);
    assert.match(run.stdout, /kpki rollback --restart --dir /);
  });

  it('refuses an unknown driver and a bad --endpoint with a usage error (exit 2), changing nothing', async () => {
    const tree = await initTree();
    const before = serial(tree);
    for (const extra of [
      ['--restart-driver', 'ssh'],
      ['--endpoint', 'apiserver=nowhere'],
    ]) {
      const run = await kpkiAsync(['renew', 'all', '--dir', tree, '--restart', ...extra]);
      assert.equal(run.status, 2, run.stderr);
    }
    assert.equal(serial(tree), before);
  });
});
