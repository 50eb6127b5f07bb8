/**
 * DESIGN.md "All or nothing", proven with real kills: `renew all` is SIGKILLed before every
 * rename, fsync, unlink and mkdir it makes; after the next kpki command the tree holds either the
 * whole old set or the whole new set, every key matches its certificate, every leaf verifies
 * against its CA, no temporary file is left, and renewing again succeeds.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kpki, tempDir } from '../support/tools.js';
import { countSyscalls, runKilledAt, strayTemps } from './kill-harness.js';

const CHANGED = ['pki/apiserver.crt', 'pki/apiserver.key', 'pki/etcd/peer.crt', 'pki/etcd/server.key', 'pki/front-proxy-client.crt', 'admin.conf', 'scheduler.conf', 'super-admin.conf'];
const SYSCALLS = ['rename', 'fsync', 'unlink', 'mkdir'];

describe('renew all under SIGKILL at every step', () => {
  let tree: string;
  let config: string;
  const args = (dir: string): string[] => ['renew', 'all', '--dir', dir, '--config', config];
  before(() => {
    tree = tempDir();
    config = join(tempDir(), 'kubeadm.yaml');
    // ECDSA keeps each of the many runs fast; the write path is the same as with RSA.
    writeFileSync(config, 'apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nencryptionAlgorithm: ECDSA-P256\n---\napiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\nnodeRegistration: { name: n1 }\nlocalAPIEndpoint: { advertiseAddress: 10.0.0.9 }\n');
    assert.equal(kpki(['init', '--dir', tree, '--config', config]).status, 0);
  });

  it('never leaves a mixed set', () => {
    const counts = countSyscalls(tree, args, SYSCALLS);
    const original = new Map(CHANGED.map((path) => [path, readFileSync(join(tree, path), 'utf8')]));
    let tried = 0;
    let mixed = 0;
    for (const syscall of SYSCALLS) {
      for (let k = 1; k <= (counts[syscall] ?? 0); k++) {
        const { dir } = runKilledAt(tree, args, syscall, k);
        tried++;
        const check = kpki(['check', '--dir', dir, '--config', config, '-o', 'json']);
        const report = JSON.parse(check.stdout) as { certificates: { name: string; problems?: string[] }[] };
        const problems = report.certificates.flatMap((c) => (c.problems ?? []).map((p) => `${c.name}: ${p}`));
        const changed = CHANGED.filter((path) => readFileSync(join(dir, path), 'utf8') !== original.get(path));
        const consistent = (changed.length === 0 || changed.length === CHANGED.length) && problems.length === 0 && strayTemps(dir).length === 0;
        if (!consistent) {
          mixed++;
          console.log(`mixed after kill at ${syscall} #${k}: changed ${changed.length}/${CHANGED.length}; ${problems.join('; ')}; temps ${strayTemps(dir).join(', ')}`);
        }
        const again = kpki(args(dir));
        assert.equal(again.status, 0, `rerun after kill at ${syscall} #${k}: ${again.stderr}`);
        rmSync(dir, { recursive: true, force: true });
      }
    }
    console.log(`renew-kill: ${tried} kill points (${SYSCALLS.map((s) => `${s} ${counts[s] ?? 0}`).join(', ')}), ${mixed} mixed`);
    assert.ok(tried >= 60, `only ${tried} kill points`);
    assert.equal(mixed, 0);
  });
});
