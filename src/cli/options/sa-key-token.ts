/** `kpki sa-key rotate`'s and `kpki token`'s options. */
import { outputOf, textOf, type ActionInput } from './raw.js';
import { parsePlanOptions, parseTreeOptions, type PlanOptions, type TreeOptions } from './tree.js';

/** `sa-key rotate`: the tree, --dry-run and -o. */
export interface SaKeyRotateOptions extends TreeOptions, PlanOptions {}

/** Parses sa-key rotate's options. */
export function parseSaKeyRotateOptions({ raw, dirSource }: ActionInput): SaKeyRotateOptions {
  return { ...parseTreeOptions(raw, dirSource), ...parsePlanOptions(raw) };
}

/** `token`: the passwords to put in the tokens instead of the server's files. */
export interface TokenOptions extends TreeOptions {
  readonly output: 'text' | 'json';
  readonly password: string | undefined;
  readonly agentPassword: string | undefined;
}

/** Parses token's options. */
export function parseTokenOptions({ raw, dirSource }: ActionInput): TokenOptions {
  return {
    ...parseTreeOptions(raw, dirSource),
    output: outputOf(raw, ['text', 'json'] as const),
    password: textOf(raw, 'password'),
    agentPassword: textOf(raw, 'agentPassword'),
  };
}
