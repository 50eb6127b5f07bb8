/**
 * The `cluster.rkestate` codec (reference rke.md §4). The whole JSON document is kept as read, so
 * every field RKE wrote — including ones kpki does not know — goes back unchanged; kpki only
 * replaces or removes `certificatesBundle` entries. Written as Go's `json.MarshalIndent(.., "", "  ")`.
 */
import { InvalidInputError } from '../../errors.js';
import { parseJsonValue } from '../safe-parse.js';

/** The two states of the file. */
export const STATE_NAMES = ['desiredState', 'currentState'] as const;
/** `desiredState` or `currentState`. */
export type StateName = (typeof STATE_NAMES)[number];

/** One `certificatesBundle` entry (CertificatePKI). Unknown fields are kept. */
export interface BundleEntry {
  readonly certificatePEM?: string;
  readonly keyPEM?: string;
  readonly config?: string;
  readonly name?: string;
  readonly commonName?: string;
  readonly ouName?: string;
  readonly envName?: string;
  readonly path?: string;
  readonly keyEnvName?: string;
  readonly keyPath?: string;
  readonly configEnvName?: string;
  readonly configPath?: string;
  readonly [extra: string]: unknown;
}

/** A bundle: entry name → entry, in file order. */
export type Bundle = Readonly<Record<string, BundleEntry>>;

/** The parsed file: the document as read (never mutated) and the bundles of each state. */
export interface RkeState {
  readonly document: Readonly<Record<string, unknown>>;
  readonly bundles: Readonly<Partial<Record<StateName, Bundle>>>;
}

const STRING_FIELDS = [
  'certificatePEM',
  'keyPEM',
  'config',
  'name',
  'commonName',
  'ouName',
  'envName',
  'path',
  'keyEnvName',
  'keyPath',
  'configEnvName',
  'configPath',
] as const;

/**
 * Parses a state file. `currentState` may be missing or `{}` (a cluster never brought up).
 * @throws InvalidInputError `BAD_STATE` naming `source` when the JSON is invalid, the top level or
 *   a state is not an object, or a bundle entry has a field of the wrong type.
 */
export function parseRkeState(text: string, source: string): RkeState {
  // V8's message quotes the text near the error: in a state file, key material.
  const document = parseJsonValue(text, source, 'BAD_STATE');
  if (!isObject(document)) throw bad(source, 'the top level must be an object');
  const bundles: Partial<Record<StateName, Bundle>> = {};
  for (const stateName of STATE_NAMES) {
    const state = document[stateName];
    if (state === undefined || state === null) continue;
    if (!isObject(state)) throw bad(source, `"${stateName}" must be an object`);
    const bundle = state.certificatesBundle;
    if (bundle === undefined || bundle === null) continue;
    if (!isObject(bundle)) throw bad(source, `"${stateName}.certificatesBundle" must be an object`);
    bundles[stateName] = readBundle(bundle, `${source}: ${stateName}`);
  }
  return { document, bundles };
}

function readBundle(bundle: Record<string, unknown>, where: string): Bundle {
  const out: Record<string, BundleEntry> = {};
  for (const [name, entry] of Object.entries(bundle)) {
    if (!isObject(entry)) throw bad(where, `certificatesBundle["${name}"] must be an object`);
    for (const field of STRING_FIELDS) {
      const value = entry[field];
      if (value !== undefined && typeof value !== 'string')
        throw bad(where, `certificatesBundle["${name}"].${field} must be a string`);
    }
    // Kept exactly as read (a hand-edited entry may lack fields; they are not added back).
    out[name] = entry;
  }
  return out;
}

/** The `rkeConfig` object of a state, if any. */
export function rkeConfigOf(
  state: RkeState,
  stateName: StateName,
): Record<string, unknown> | undefined {
  const value = state.document[stateName];
  const config = isObject(value) ? value.rkeConfig : undefined;
  return isObject(config) ? config : undefined;
}

/** A change to the bundles: entries to set (replace or add) and names to remove. */
export interface BundleChange {
  readonly set: ReadonlyMap<string, BundleEntry>;
  readonly remove: readonly string[];
}

/**
 * Applies the same change to every state that has a bundle, so desiredState and currentState agree
 * on every entry kpki touched. Replaced entries keep their position; new ones go last. A state
 * without a bundle (`"currentState": {}`) is left alone. Returns a new document; the input is not mutated.
 */
export function applyBundleChange(state: RkeState, change: BundleChange): Record<string, unknown> {
  const document: Record<string, unknown> = { ...state.document };
  for (const stateName of STATE_NAMES) {
    const bundle = state.bundles[stateName];
    if (bundle === undefined) continue;
    const next: Record<string, BundleEntry> = {};
    for (const [name, entry] of Object.entries(bundle)) {
      if (change.remove.includes(name)) continue;
      next[name] = change.set.get(name) ?? entry;
    }
    for (const [name, entry] of change.set) if (!(name in next)) next[name] = entry;
    document[stateName] = {
      ...(document[stateName] as Record<string, unknown>),
      certificatesBundle: next,
    };
  }
  return document;
}

/**
 * Serialises a state document as RKE does: two-space indentation, no trailing newline, and Go's
 * HTML-safe escapes for `<`, `>`, `&`, U+2028 and U+2029 (they only occur inside strings).
 */
export function serializeRkeState(document: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(document, null, 2)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function bad(source: string, what: string): InvalidInputError {
  return new InvalidInputError('BAD_STATE', `"${source}" is not a valid RKE state: ${what}`);
}
