/**
 * The kill sweep (kill-sweep.ts) over the RKE2 commands that change a server data dir: rotate-ca, rotate,
 * sa-key rotate, bootstrap restore.
 */
import { describe, it } from 'node:test';
import { rke2FaultCommands } from './rke2-fault-commands.js';
import { assertSweep } from './kill-sweep.js';

describe('kill at every step: RKE2', () => {
  for (const command of rke2FaultCommands()) {
    it(`${command.name}: all-old or all-new after a SIGKILL anywhere, and a rerun converges`, () =>
      assertSweep(command));
  }
});
