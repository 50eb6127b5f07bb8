/** The kpki command tree: every command registered on one commander program. */
import { Command } from 'commander';
import type { Deliver } from './command-result.js';
import { registerBootstrap } from './commands/bootstrap.js';
import { registerCa } from './commands/ca.js';
import { registerCheck } from './commands/check.js';
import { registerCsr } from './commands/csr.js';
import { registerKubeconfig } from './commands/kubeconfig.js';
import { registerInit } from './commands/init.js';
import { registerRenew } from './commands/renew.js';
import { registerRollback } from './commands/rollback.js';
import { registerRotate } from './commands/rotate.js';
import { registerSaKey } from './commands/sa-key.js';
import { registerSigner } from './commands/signer.js';
import { registerApprover } from './commands/approver.js';
import { registerToken } from './commands/token.js';
import { registerRke } from './commands/rke.js';
import { registerRotateCa } from './commands/rotate-ca.js';
import { registerTokenRotate } from './commands/token-rotate.js';
import { registerVerify } from './commands/verify.js';
import { registerLive } from './commands/live.js';

/**
 * Builds the program. Commander throws instead of exiting (exitOverride); the command that runs
 * hands its result to `deliver` and returns, so main decides what is printed and the exit code.
 */
export function buildProgram(deliver: Deliver): Command {
  const program = new Command('kpki')
    .description('certificate lifecycle for kubeadm, RKE2/K3s and RKE1 clusters')
    .version('0.1.0')
    .exitOverride()
    // Options belong to the command they follow: `token rotate --dir X` is rotate's --dir, not
    // the --dir of `token` (see token-rotate.ts; without it rotate ignored --dir and --layout).
    .enablePositionalOptions();
  registerInit(program, deliver);
  registerCheck(program, deliver);
  registerRenew(program, deliver);
  registerRollback(program, deliver);
  registerSaKey(program, deliver);
  registerTokenRotate(registerToken(program, deliver), deliver);
  registerCsr(program, deliver);
  registerKubeconfig(program, deliver);
  registerRotateCa(program, deliver);
  registerCa(program, deliver);
  registerVerify(program, deliver);
  registerRotate(program, deliver);
  registerRke(program, deliver);
  registerBootstrap(program, deliver);
  registerLive(program, deliver);
  registerSigner(program, deliver);
  registerApprover(program, deliver);
  return program;
}
