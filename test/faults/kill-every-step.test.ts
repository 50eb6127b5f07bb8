/**
 * DESIGN.md "All or nothing", proven with real kills: every kubeadm command that changes a tree is
 * SIGKILLed before each fs syscall it makes (see kill-sweep.ts), and no outcome may be mixed.
 */
import { describe, it } from 'node:test';
import { kubeadmFaultCommands, writeKubeadmConfig } from './fault-commands.js';
import { assertSweep } from './kill-sweep.js';

describe('kill at every step', () => {
  for (const command of kubeadmFaultCommands(writeKubeadmConfig())) {
    it(`${command.name}: all-old or all-new after a SIGKILL anywhere, and a rerun converges`, () =>
      assertSweep(command));
  }
});
