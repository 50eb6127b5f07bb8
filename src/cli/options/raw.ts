/**
 * Reading commander's raw option values (a `Record<string, unknown>` keyed by camel-cased flag
 * names). Only the option parsers under cli/options/ use these; everything after them is typed.
 */
import type { Command, OptionValueSource } from 'commander';

/** Commander's option values as it hands them to an action. */
export type RawOptions = Readonly<Record<string, unknown>>;

/** A string option, or undefined when absent. */
export function textOf(raw: RawOptions, key: string): string | undefined {
  const value = raw[key];
  return typeof value === 'string' ? value : undefined;
}

/** A boolean flag: true only when given. */
export function flagOf(raw: RawOptions, key: string): boolean {
  return raw[key] === true;
}

/** A repeatable option (an array) or a single value, as a list; [] when absent. */
export function listOf(raw: RawOptions, key: string): string[] {
  const value = raw[key];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? [value] : [];
}

/** A comma-separated option split into trimmed, non-empty parts; [] when absent. */
export function commaListOf(raw: RawOptions, key: string): string[] {
  return (textOf(raw, key) ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
}

/**
 * The `-o` value, one of `formats` (commander already restricts it with choices and defaults it
 * to text); falls back to the first format when absent.
 */
export function outputOf<F extends string>(raw: RawOptions, formats: readonly F[]): F {
  const value = raw.output;
  return formats.find((format) => format === value) ?? (formats[0] as F);
}

/** What an option parser reads: the raw options, where --dir came from, the positional arguments. */
export interface ActionInput {
  readonly raw: RawOptions;
  readonly dirSource: OptionValueSource | undefined;
  readonly args: readonly string[];
}

/**
 * Splits what commander passes to an action (`...args, options, command`) into an
 * {@link ActionInput}; `command` tells where --dir came from.
 */
export function actionInput(parts: readonly unknown[], command: Command): ActionInput {
  const raw = (parts.length >= 2 ? parts[parts.length - 2] : {}) as RawOptions;
  const args = parts
    .slice(0, -2)
    .flatMap((part) =>
      Array.isArray(part) ? (part as string[]) : typeof part === 'string' ? [part] : [],
    );
  return { raw, dirSource: command.getOptionValueSource('dir'), args };
}
