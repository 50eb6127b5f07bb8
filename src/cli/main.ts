/**
 * The kpki command line. The only place that prints errors and exits: every command
 * throws typed errors (src/errors.ts) and this file maps them to exit codes.
 */
import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { ExitCode, KpkiError, describeError } from '../errors.js';
import { registerVerify } from './commands/verify.js';

const program = new Command('kpki')
  .description('certificate lifecycle for kubeadm, RKE2/K3s and RKE1 clusters')
  .version('0.1.0')
  .exitOverride();

registerVerify(program);

async function main(argv: string[]): Promise<number> {
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    if (error instanceof KpkiError) {
      process.stderr.write(`error: [${error.code}] ${describeError(error)}\n`);
      if (error.hint !== undefined) process.stderr.write(`hint: ${error.hint}\n`);
      return error.exitCode;
    }
    process.stderr.write(`error: [INTERNAL] ${describeError(error)}\n`);
    return ExitCode.failure;
  }
}

void main(process.argv).then((code) => process.exit(code));
