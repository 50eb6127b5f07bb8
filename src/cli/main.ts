/**
 * The kpki command line. The only place that prints errors and exits: every command
 * throws typed errors (src/errors.ts) and this file maps them to exit codes.
 */
import { Command, CommanderError } from 'commander';
import { ExitCode, KpkiError, describeError } from '../errors.js';
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
import { registerToken } from './commands/token.js';
import { registerRke } from './commands/rke.js';
import { registerRotateCa } from './commands/rotate-ca.js';
import { registerTokenRotate } from './commands/token-rotate.js';
import { registerVerify } from './commands/verify.js';

const program = new Command('kpki')
  .description('certificate lifecycle for kubeadm, RKE2/K3s and RKE1 clusters')
  .version('0.1.0')
  .exitOverride();
registerInit(program);
registerCheck(program);
registerRenew(program);
registerRollback(program);
registerSaKey(program);
registerTokenRotate(registerToken(program));
registerCsr(program);
registerKubeconfig(program);
registerRotateCa(program);
registerCa(program);
registerVerify(program);
registerRotate(program);
registerRke(program);
registerBootstrap(program);

async function main(argv: string[]): Promise<number> {
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    const known = error instanceof KpkiError;
    const code = known ? error.code : 'INTERNAL';
    const hint = known ? error.hint : undefined;
    if (wantsJson(argv)) {
      process.stdout.write(
        `${JSON.stringify({ error: { code, message: describeError(error), ...(hint !== undefined && { hint }) } })}\n`,
      );
    } else {
      process.stderr.write(`error: [${code}] ${describeError(error)}\n`);
      if (hint !== undefined) process.stderr.write(`hint: ${hint}\n`);
    }
    return known ? error.exitCode : ExitCode.failure;
  }
}

/** `-o json`, `--output json`, `-ojson` or `--output=json` anywhere on the command line. */
function wantsJson(argv: readonly string[]): boolean {
  return argv.some(
    (arg, i) =>
      arg === '-ojson' ||
      arg === '--output=json' ||
      ((arg === '-o' || arg === '--output') && argv[i + 1] === 'json'),
  );
}

void main(process.argv).then((code) => process.exit(code));
