/** What a command hands back to `cli/main.ts`, the one place that prints it and exits. */
import { ExitCode } from '../errors.js';

/**
 * The outcome of a command that did not throw: `output` goes to standard output as it is (a
 * newline is added when missing), then the process exits with `exitCode`. Handlers never set
 * `process.exitCode` or exit themselves; errors are thrown and mapped by main.
 */
export interface CommandResult {
  readonly output: string;
  readonly exitCode: ExitCode;
}

/** Receives the result of the command that ran (main keeps it until commander returns). */
export type Deliver = (result: CommandResult) => void;

/** A result with exit code 0. */
export function succeeded(output: string): CommandResult {
  return { output, exitCode: ExitCode.ok };
}

/**
 * The exit code of every `check`: 4 when a certificate is expired or expires within the window,
 * else 3 when one is broken (unreadable, mismatched, not yet valid), else 0.
 */
export function checkExitCode(found: { expiring: boolean; broken: boolean }): ExitCode {
  if (found.expiring) return ExitCode.expiring;
  return found.broken ? ExitCode.invalid : ExitCode.ok;
}
