/**
 * The kpki command line. The only place that exits: every command returns its output and exit
 * code (a CommandResult), which this file prints, or throws a typed error (src/errors.ts), which
 * this file prints and maps to its exit code.
 */
import { CommanderError } from 'commander';
import { ExitCode, KpkiError, describeError } from '../errors.js';
import { succeeded, type CommandResult } from './command-result.js';
import { print } from './output.js';
import { buildProgram } from './program.js';

async function main(argv: string[]): Promise<number> {
  // Commands without an action (help, --version) print through commander and deliver nothing.
  let outcome: CommandResult = succeeded('');
  const program = buildProgram((result) => {
    outcome = result;
  });
  try {
    await program.parseAsync(argv);
    print(outcome.output);
    return outcome.exitCode;
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
