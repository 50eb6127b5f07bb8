/**
 * The kill sweep (kill-sweep.ts) over RKE1's rotate, with and without new CAs: the state file and
 * the admin kubeconfig switch together, and every certificate inside the state stays consistent.
 */
import { describe, it } from 'node:test';
import { rkeFaultCommands } from './rke-fault-commands.js';
import { assertSweep } from './kill-sweep.js';

describe('kill at every step: RKE1', () => {
  for (const command of rkeFaultCommands()) {
    it(`${command.name}: all-old or all-new after a SIGKILL anywhere, and a rerun converges`, () =>
      assertSweep(command));
  }
});
