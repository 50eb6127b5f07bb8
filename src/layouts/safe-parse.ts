/**
 * YAML and JSON parsing for files that can hold secrets (kubeconfigs, config.yaml, state files,
 * records). Parser messages quote the offending source line — for a damaged `client-key-data` or
 * `token:` line that is the secret — so errors here report only the file, line, column and a
 * parser code, never source text, and never chain the parser's own error as a cause.
 *
 * Every YAML file read here is one a Go program reads: RKE's cluster.yml, K3s/RKE2's config.yaml,
 * kubeadm's configs and client-go's kubeconfigs all go through go-yaml v2 (directly or through
 * sigs.k8s.io/yaml). So one policy, {@link GO_YAML_OPTIONS}, reads them as go-yaml v2 does: YAML 1.1
 * merge keys (`<<: *node`) applied, 1.1 booleans (`yes`/`no`/`on`/`off`/`y`/`n`), 1.1 octal
 * (`0644` is 420), `0b`/`0x` integers and `_` separators — but timestamps and sexagesimal numbers
 * (`12:30`) stay strings, because go-yaml v2 leaves them strings when decoding into interface{}.
 */
import { parse, parseAllDocuments, parseDocument, type Document, type Tags } from 'yaml';
import { InvalidInputError } from '../errors.js';

/**
 * Alias expansions a document may make; far below yaml's default, which still lets a "billion
 * laughs" document grow for seconds. Real kubeconfigs and configs use none.
 */
export const MAX_YAML_ALIASES = 50;

/** yaml 1.1 tags go-yaml v2 does not resolve for untyped values: timestamps and base-60 numbers. */
function goYamlTags(tags: Tags): Tags {
  return tags.filter(
    (tag) =>
      typeof tag === 'string' ||
      (tag.tag !== 'tag:yaml.org,2002:timestamp' && !('format' in tag && tag.format === 'TIME')),
  );
}

/**
 * The one YAML reading policy for Go-read files (see the module comment): YAML 1.1 scalars as
 * go-yaml v2 resolves them, merge keys on, the alias cap, and parser messages without source text.
 */
export const GO_YAML_OPTIONS = {
  version: '1.1',
  schema: 'yaml-1.1',
  customTags: goYamlTags,
  merge: true,
  prettyErrors: false,
  maxAliasCount: MAX_YAML_ALIASES,
} as const;

const OPTIONS = GO_YAML_OPTIONS;

interface Located {
  readonly code?: unknown;
  readonly pos?: readonly number[];
}

/** `line L, column C` of offset `offset` in `text` (both 1-based). */
function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}

/** `line L, column C: code` for a yaml error, without its message (which quotes the source). */
function where(error: unknown, text: string): string {
  const located = error as Located;
  const offset = located.pos?.[0];
  const at = typeof offset === 'number' ? lineColumn(text, offset) : 'somewhere';
  if (error instanceof ReferenceError || /alias/i.test(String((error as Error).message)))
    return `${at}: too many alias expansions (at most ${MAX_YAML_ALIASES})`;
  const code =
    typeof located.code === 'string' ? located.code.toLowerCase().replace(/_/g, ' ') : '';
  return code ? `${at}: ${code}` : at;
}

function invalid(code: string, source: string, error: unknown, text: string): InvalidInputError {
  return new InvalidInputError(code, `"${source}" is not valid YAML (${where(error, text)})`);
}

/**
 * Parses one YAML document to plain values.
 * @throws InvalidInputError `code` naming `source`, line and column; never the source text.
 */
export function parseYamlValue(text: string, source: string, code: string): unknown {
  try {
    return parse(text, OPTIONS) as unknown;
  } catch (error) {
    throw invalid(code, source, error, text);
  }
}

/**
 * Parses one YAML document keeping its comments (for rewriting).
 * @throws InvalidInputError as {@link parseYamlValue}.
 */
export function parseYamlDocument(text: string, source: string, code: string): Document {
  const doc = parseDocument(text, OPTIONS);
  const error = doc.errors[0];
  if (error) throw invalid(code, source, error, text);
  return doc;
}

/**
 * Parses every document of a YAML stream to plain values (null for empty documents).
 * `fail` builds the error from `invalid YAML (line L, column C: what)` when the caller words its
 * messages its own way.
 * @throws InvalidInputError as {@link parseYamlValue}, or what `fail` returns.
 */
export function parseYamlValues(
  text: string,
  source: string,
  code: string,
  fail: (detail: string) => InvalidInputError = (detail) =>
    new InvalidInputError(code, `"${source}" is not valid YAML (${detail})`),
): unknown[] {
  const parsed = parseAllDocuments(text, OPTIONS);
  const docs = Array.isArray(parsed) ? parsed : [parsed];
  return docs.map((doc) => {
    const error = doc.errors[0];
    if (error) throw fail(where(error, text));
    try {
      return doc.toJS({ maxAliasCount: MAX_YAML_ALIASES }) as unknown;
    } catch (toJsError) {
      throw fail(where(toJsError, text));
    }
  });
}

/**
 * Parses JSON. V8's messages quote the text around the error, so only the position is kept.
 * @throws InvalidInputError `code` naming `source`, line and column; never the source text.
 */
export function parseJsonValue(text: string, source: string, code: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const position = Number(/position (\d+)/.exec(String((error as Error).message))?.[1] ?? NaN);
    const at = Number.isInteger(position) ? lineColumn(text, position) : 'at an unknown place';
    throw new InvalidInputError(code, `"${source}" is not valid JSON (${at})`);
  }
}
