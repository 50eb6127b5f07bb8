/**
 * YAML and JSON parsing for files that can hold secrets (kubeconfigs, config.yaml, state files,
 * records). Parser messages quote the offending source line — for a damaged `client-key-data` or
 * `token:` line that is the secret — so errors here report only the file, line, column and a
 * parser code, never source text, and never chain the parser's own error as a cause.
 */
import { parse, parseAllDocuments, parseDocument, type Document } from 'yaml';
import { InvalidInputError } from '../errors.js';

/**
 * Alias expansions a document may make; far below yaml's default, which still lets a "billion
 * laughs" document grow for seconds. Real kubeconfigs and configs use none.
 */
export const MAX_YAML_ALIASES = 50;

const OPTIONS = { prettyErrors: false, maxAliasCount: MAX_YAML_ALIASES } as const;

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
