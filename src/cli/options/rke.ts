/** `kpki rke import`'s and `kpki rke export`'s options (RKE1 only: the tree is the cluster file's). */
import { UsageError } from '../../errors.js';
import { outputOf, textOf, type ActionInput } from './raw.js';
import { parseTreeOptions, type TreeOptions } from './tree.js';

/** `rke import`: the custom certificate directory. */
export interface RkeImportOptions extends TreeOptions {
  readonly output: 'text' | 'json';
  /** `--cert-dir`; undefined for `<cluster file name>_certs` beside the cluster file. */
  readonly certDir: string | undefined;
}

/** The tree options of an `rke` command: `--config`, layout rke, no --dir. */
function rkeTree({ raw }: ActionInput): TreeOptions {
  return { ...parseTreeOptions(raw, undefined), dir: '.', layout: 'rke' };
}

/** Parses rke import's options. */
export function parseRkeImportOptions(input: ActionInput): RkeImportOptions {
  return {
    ...rkeTree(input),
    output: outputOf(input.raw, ['text', 'json'] as const),
    certDir: textOf(input.raw, 'certDir'),
  };
}

/** `rke export`: which node, and where its files go. */
export interface RkeExportOptions extends TreeOptions {
  readonly output: 'text' | 'json';
  readonly node: string;
  readonly out: string;
}

/**
 * Parses rke export's options.
 * @throws UsageError when `--node` or `--out` is missing.
 */
export function parseRkeExportOptions(input: ActionInput): RkeExportOptions {
  const node = textOf(input.raw, 'node');
  const out = textOf(input.raw, 'out');
  if (node === undefined || out === undefined)
    throw new UsageError('rke export needs --node ADDRESS and --out DIR');
  return { ...rkeTree(input), output: outputOf(input.raw, ['text', 'json'] as const), node, out };
}
