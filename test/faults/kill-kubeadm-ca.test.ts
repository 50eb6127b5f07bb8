/**
 * The kill sweep (kill-sweep.ts) over kubeadm's CA commands: each phase of `rotate-ca`, and
 * `ca generate`. The rotation's own state (`.kpki-rotate-ca/`) is part of each phase's set.
 */
import { describe, it } from 'node:test';
import { kubeadmCaFaultCommands, writeKubeadmConfig } from './fault-commands.js';
import { assertSweep } from './kill-sweep.js';

describe('kill at every step: kubeadm rotate-ca and ca generate', () => {
  for (const command of kubeadmCaFaultCommands(writeKubeadmConfig())) {
    it(`${command.name}: all-old or all-new after a SIGKILL anywhere, and a rerun converges`, () =>
      assertSweep(command));
  }
});
