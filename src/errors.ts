/**
 * Typed errors with stable codes and exit codes. Library code throws these; only `cli/main.ts`
 * prints them and exits. Messages are lower case, quote the object, include the path, and never
 * contain key bytes, tokens or passphrases.
 */

/** Process exit codes shared by every command. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  invalid: 3,
  expiring: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Options every kpki error accepts. */
export interface KpkiErrorOptions {
  /** The next command or action the user can take. */
  hint?: string;
  /** The underlying error; its message must not contain secrets either. */
  cause?: unknown;
}

/** Base class: a stable `code` (shown as `[CODE]`), an exit code and an optional hint. */
export abstract class KpkiError extends Error {
  abstract readonly code: string;
  abstract readonly exitCode: ExitCode;
  readonly hint: string | undefined;

  constructor(message: string, options: KpkiErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
  }
}

/** A kpki error whose code names the kind of problem (`BAD_PEM`, `CA_KEY_MISSING`, ...). */
abstract class CodedError extends KpkiError {
  readonly code: string;
  constructor(code: string, message: string, options: KpkiErrorOptions = {}) {
    super(message, options);
    this.code = code;
  }
}

/** Wrong command-line usage: unknown option, missing argument, bad flag value. */
export class UsageError extends KpkiError {
  readonly code = 'USAGE';
  readonly exitCode = ExitCode.usage;
}

/** A name that is not in the catalogue (certificate, service, component). */
export class UnknownNameError extends KpkiError {
  readonly code = 'UNKNOWN_NAME';
  readonly exitCode = ExitCode.usage;
}

/** The tree is locked by another kpki process. */
export class LockedError extends KpkiError {
  readonly code = 'LOCKED';
  readonly exitCode = ExitCode.failure;
}

/** Input that cannot be parsed or used: PEM, keys, YAML, kubeconfigs, configs. */
export class InvalidInputError extends CodedError {
  readonly exitCode = ExitCode.invalid;
}

/** A certificate, chain or key that parses but fails a check (mismatch, not a CA, not signed by). */
export class ValidationError extends CodedError {
  readonly exitCode = ExitCode.invalid;
}

/** A file is missing, unreadable or not writable. */
export class FileAccessError extends CodedError {
  readonly exitCode = ExitCode.failure;
}

/** An operation refused because it would overwrite or conflict with existing state. */
export class ConflictError extends CodedError {
  readonly exitCode = ExitCode.failure;
}

/** An operation failed for a reason outside the user's input (I/O error, signing failure). */
export class OperationError extends CodedError {
  readonly exitCode = ExitCode.failure;
}

/** Renders an error chain as one line: `message: cause message: ...`. */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 8; depth++) {
    if (current instanceof Error) {
      parts.push(current.message);
      current = current.cause;
    } else {
      parts.push(typeof current === 'string' ? current : JSON.stringify(current));
      current = undefined;
    }
  }
  return parts.join(': ');
}
