/**
 * K3s/RKE2 configuration as the server assembles it (k3s pkg/configfilearg): `config.yaml`, then
 * every `config.yaml.d/*.yaml` in lexical order; a later file's key replaces an earlier value, a
 * key written `key+:` appends to it instead. Repeatable flags (`--tls-san`, `--node-ip`, …) are
 * inserted after the file values, so they add to the file's lists, and a scalar flag wins.
 */
import { InvalidInputError } from '../../errors.js';
import { classifySans } from '../../pki/san.js';
import { parseYamlValue } from '../safe-parse.js';
import { overridesFromConfig, type Rke2SpecOverrides } from './spec.js';

/** One config file's text and where it came from. */
export interface Rke2ConfigFile {
  readonly source: string;
  readonly text: string;
}

/** The drop-in directory of a config file: `<path>.d` (k3s `dropinFiles`). */
export function dropInDir(configPath: string): string {
  return `${configPath}.d`;
}

/** The drop-in names the server reads, in the order it reads them: `*.yaml`, lexical. */
export function dropInNames(names: readonly string[]): string[] {
  return names
    .filter((name) => name.endsWith('.yaml'))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Merges the files in order (the main file first) into one key → value map and reads the
 * certificate-shaping keys from it.
 * @throws InvalidInputError `BAD_CONFIG` naming the file for invalid YAML, a non-mapping, or a
 *   value of the wrong type.
 */
export function mergeRke2Configs(files: readonly Rke2ConfigFile[]): Rke2SpecOverrides {
  const merged: Record<string, unknown> = {};
  for (const { source, text } of files) {
    const doc = parseYamlValue(text, source, 'BAD_CONFIG') ?? {};
    if (typeof doc !== 'object' || Array.isArray(doc))
      throw new InvalidInputError('BAD_CONFIG', `"${source}" is not a YAML mapping`);
    for (const [rawKey, value] of Object.entries(doc as Record<string, unknown>)) {
      const append = rawKey.endsWith('+');
      const key = append ? rawKey.slice(0, -1) : rawKey;
      merged[key] = append && key in merged ? appended(merged[key], value) : value;
    }
  }
  return overridesFromConfig(merged, files.map((f) => f.source).join(', ') || 'config');
}

/** `existing` with `value` appended: lists concatenate, strings join with a comma (as k3s does). */
function appended(existing: unknown, value: unknown): unknown {
  if (Array.isArray(existing))
    return [...(existing as unknown[]), ...(Array.isArray(value) ? (value as unknown[]) : [value])];
  if (typeof existing === 'string' && typeof value === 'string') return `${existing},${value}`;
  return value;
}

/** The spec list fields that repeatable flags add to rather than replace. */
const LIST_FIELDS = ['tlsSans', 'nodeIps', 'nodeExternalIps'] as const;

/**
 * File values overridden by flags: scalar flags win, list flags are appended to the file's lists
 * (the CLI values come after the config values in the argument list the server parses).
 */
export function withFlags(
  fromFiles: Rke2SpecOverrides,
  flags: Rke2SpecOverrides,
): Rke2SpecOverrides {
  const out: Record<string, unknown> = { ...fromFiles, ...flags };
  for (const field of LIST_FIELDS) {
    const a = fromFiles[field];
    const b = flags[field];
    if (a !== undefined && b !== undefined) out[field] = [...a, ...b];
  }
  return out;
}

/**
 * A warning naming every `tls-san` value that is neither an IP nor a DNS name, which the server's
 * certificate leaves out; undefined when all are usable.
 */
export function invalidSanWarning(tlsSans: readonly string[]): string | undefined {
  const { dropped } = classifySans(tlsSans);
  if (dropped.length === 0) return undefined;
  const names = dropped.map((d) => `"${d.value}"`).join(', ');
  return `tls-san ${names} ${dropped.length === 1 ? 'is' : 'are'} neither an IP address nor a DNS name and will not be in any certificate (non-ASCII names must be written in punycode, xn--…)`;
}
