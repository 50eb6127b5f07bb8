/**
 * DESIGN.md "All or nothing", proven with real kills: every kubeadm command that changes a tree is
 * SIGKILLed before each fs syscall it makes (see kill-sweep.ts), and no outcome may be mixed.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { kubeadmFaultCommands, writeKubeadmConfig } from './fault-commands.js';
import { sweepCommand } from './kill-sweep.js';

describe('kill at every step', () => {
  for (const command of kubeadmFaultCommands(writeKubeadmConfig())) {
    it(`${command.name}: all-old or all-new after a SIGKILL anywhere, and a rerun converges`, async () => {
      const report = await sweepCommand(command);
      // Sanity: a sweep that killed almost nothing proves nothing (e.g. strace not injecting).
      assert.ok(report.killPoints >= 40, `only ${report.killPoints} kill points`);
      assert.equal(report.mixed, 0, report.failures.join('\n'));
      assert.deepEqual(report.failures, []);
    });
  }
});
