/**
 * One kpki per tree (DESIGN.md "All or nothing"): two mutating commands started together either
 * run one after the other or one fails naming the lock holder; the tree ends consistent; a lock
 * left by a killed kpki is taken over.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { kpki } from '../support/tools.js';
import { initTree, writeKubeadmConfig } from './fault-commands.js';
import { copyTree, kpkiAsync, runInjected, strayTemps } from './kill-harness.js';
import { cryptoProblems, leftoverState } from './tree-judge.js';

function assertConsistent(dir: string): void {
  assert.deepEqual(cryptoProblems(dir), []);
  assert.deepEqual([...strayTemps(dir), ...leftoverState(dir)], []);
}

describe('concurrent runs', () => {
  let config: string;
  let tree: string;
  before(() => {
    config = writeKubeadmConfig();
    tree = initTree(config);
  });

  it('two renews at once: both succeed in turn, or one fails with "locked by kpki pid N"; the tree is consistent', async () => {
    const outcomes = new Set<string>();
    for (let round = 0; round < 4; round++) {
      const dir = copyTree(tree);
      const args = ['renew', 'all', '--dir', dir, '--config', config];
      const [a, b] = await Promise.all([
        kpkiAsync(args),
        kpkiAsync(['renew', 'apiserver', '--dir', dir, '--config', config]),
      ]);
      for (const result of [a, b]) {
        if (result.status !== 0) {
          assert.equal(result.status, 1, result.stderr);
          assert.match(result.stderr, /\[LOCKED\] tree ".*" is locked by kpki pid \d+/);
        }
      }
      assert.ok(a.status === 0 || b.status === 0, 'one of them ran');
      outcomes.add(a.status === 0 && b.status === 0 ? 'sequential' : 'one locked out');
      assertConsistent(dir);
      assert.equal(kpki(['check', '--dir', dir, '--config', config, '-o', 'json']).status, 0);
    }
    console.log(`concurrency: 4 rounds of two renews at once: ${[...outcomes].join(', ')}`);
  });

  it("a check during a renew does not touch the renew's temps, and the renew lands whole", async () => {
    const dir = copyTree(tree);
    const renew = kpkiAsync(['renew', 'all', '--dir', dir, '--config', config]);
    const checks = await Promise.all(
      [1, 2, 3].map(() => kpkiAsync(['check', '--dir', dir, '--config', config, '-o', 'json'])),
    );
    assert.equal((await renew).status, 0);
    assert.ok(checks.every((c) => c.stdout.includes('CertificateExpirationInfo')));
    assertConsistent(dir);
  });

  it('refuses while a live process holds the lock, naming its pid', () => {
    const dir = copyTree(tree);
    const sleeper = spawn('sleep', ['30']);
    try {
      writeFileSync(
        join(dir, '.kpki/lock'),
        JSON.stringify({
          pid: sleeper.pid,
          hostname: hostname(),
          startedAt: new Date().toISOString(),
        }),
      );
      const result = kpki(['renew', 'all', '--dir', dir, '--config', config]);
      assert.equal(result.status, 1);
      assert.match(result.stderr, new RegExp(`locked by kpki pid ${sleeper.pid}`));
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it('takes over the lock of a SIGKILLed kpki and finishes its change', async () => {
    const dir = copyTree(tree);
    const killed = await runInjected(dir, (d) => ['renew', 'all', '--dir', d, '--config', config], {
      syscall: 'rename',
      k: 2,
      action: 'signal=SIGKILL',
    });
    assert.equal(killed.signal, 'SIGKILL');
    const owner = JSON.parse(
      spawnSync('cat', [join(dir, '.kpki/lock')], { encoding: 'utf8' }).stdout,
    ) as { pid: number };
    assert.ok(owner.pid > 0, 'the killed kpki left its lock');
    const again = kpki(['renew', 'all', '--dir', dir, '--config', config]);
    assert.equal(again.status, 0, again.stderr);
    assertConsistent(dir);
  });
});
