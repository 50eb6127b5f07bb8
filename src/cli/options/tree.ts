/** The options every layout command has: which tree, which layout, which cluster spec. */
import type { OptionValueSource } from 'commander';
import { parseDuration } from '../../pki/duration.js';
import { flagOf, outputOf, textOf, type RawOptions } from './raw.js';

/** `--dir`, where its value came from, `--config` and `--layout`. */
export interface TreeOptions {
  /** The tree root: `--dir` as given or defaulted (a layout may move it, see registry.resolveTreeRoot). */
  readonly dir: string;
  /** `'cli'` when --dir was typed, `'default'` when commander defaulted it; undefined when the command has no --dir. */
  readonly dirSource: OptionValueSource | undefined;
  readonly config: string | undefined;
  /** `--layout` as typed (validated when the handler is looked up). */
  readonly layout: string | undefined;
  /** `--allow-insecure-dir`: commit even into a directory group or others can write. */
  readonly allowInsecureDir: boolean;
}

/** The options of a command that prints a plan: `--dry-run` and `-o text|json`. */
export interface PlanOptions {
  readonly dryRun: boolean;
  readonly output: 'text' | 'json';
}

/** Reads the tree options; `dir` falls back to `fallbackDir` for commands without --dir. */
export function parseTreeOptions(
  raw: RawOptions,
  dirSource: OptionValueSource | undefined,
  fallbackDir = '.',
): TreeOptions {
  return {
    dir: textOf(raw, 'dir') ?? fallbackDir,
    dirSource,
    config: textOf(raw, 'config'),
    layout: textOf(raw, 'layout'),
    allowInsecureDir: flagOf(raw, 'allowInsecureDir'),
  };
}

/** Reads `--dry-run` and `-o text|json`. */
export function parsePlanOptions(raw: RawOptions): PlanOptions {
  return { dryRun: flagOf(raw, 'dryRun'), output: outputOf(raw, ['text', 'json'] as const) };
}

/**
 * A duration option in milliseconds, undefined when absent.
 * @throws InvalidInputError `BAD_DURATION` naming `flag`.
 */
export function durationOf(raw: RawOptions, key: string, flag: string): number | undefined {
  const value = textOf(raw, key);
  return value === undefined ? undefined : parseDuration(value, flag);
}
