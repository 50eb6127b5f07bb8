/**
 * The spec a server's certificates were last made from, remembered in its data dir (kpki's own
 * file, which K3s/RKE2 ignore). The server re-reads its config.yaml at every start; kpki pointed at
 * a data dir without `--config` has no config to read, so `rotate` would otherwise drop every
 * `tls-san` given at `init`. Holds no secret: names and addresses only.
 */
import { InvalidInputError } from '../../errors.js';
import { parseJsonValue } from '../safe-parse.js';
import type { Rke2Spec, Rke2SpecOverrides } from './spec.js';

/** Where the record lives, relative to the data dir. */
export const SPEC_RECORD_PATH = 'server/kpki-spec.json';

const FIELDS = [
  'tlsSans',
  'nodeName',
  'nodeIps',
  'nodeExternalIps',
  'advertiseAddress',
  'serviceCidr',
  'clusterDomain',
  'disableEtcd',
] as const;

/** The record's text for `spec` (stable key order, trailing newline). */
export function specRecordText(spec: Rke2Spec): string {
  const out: Record<string, unknown> = { version: 1 };
  for (const field of FIELDS) out[field] = spec[field];
  return `${JSON.stringify(out, null, 2)}\n`;
}

/**
 * The overrides a record holds.
 * @throws InvalidInputError `BAD_SPEC_RECORD` naming `source` for invalid JSON or wrong types.
 */
export function parseSpecRecord(text: string, source: string): Rke2SpecOverrides {
  const doc = parseJsonValue(text, source, 'BAD_SPEC_RECORD');
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new InvalidInputError('BAD_SPEC_RECORD', `"${source}" is not a JSON object`);
  const values = doc as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const field of FIELDS) {
    const value = values[field];
    if (value === undefined) continue;
    const ok = Array.isArray(value)
      ? value.every((item) => typeof item === 'string')
      : typeof value === (field === 'disableEtcd' ? 'boolean' : 'string');
    if (!ok)
      throw new InvalidInputError(
        'BAD_SPEC_RECORD',
        `"${field}" in "${source}" has the wrong type`,
      );
    out[field] = value;
  }
  return out;
}
