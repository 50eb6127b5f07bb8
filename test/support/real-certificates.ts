/**
 * Every certificate in ../shared/testdata/real/: PEM files, base64 `*-data` fields of kubeconfigs
 * and PEM strings inside RKE state JSON, de-duplicated by DER.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { testdata } from './testdata.js';

/** One certificate found, with where it came from. */
export interface FoundCertificate {
  readonly source: string;
  readonly der: Uint8Array;
}

export const REAL_DATA = testdata('real');

const PEM_CERT = /-----BEGIN CERTIFICATE-----\r?\n([A-Za-z0-9+/=\r\n]+?)-----END CERTIFICATE-----/g;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

function jsonStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(jsonStrings);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(jsonStrings);
  return [];
}

/** Texts a file may hold certificates in: itself, its JSON strings, its base64 YAML fields. */
function texts(text: string): string[] {
  const out = [text];
  try {
    out.push(...jsonStrings(JSON.parse(text)));
  } catch {
    // not JSON
  }
  for (const match of text.matchAll(/-data:\s*"?([A-Za-z0-9+/=]{40,})"?/g))
    out.push(Buffer.from(match[1] ?? '', 'base64').toString('latin1'));
  return out;
}

/** All certificates under the real test data, each DER once. */
export function realCertificates(): FoundCertificate[] {
  const seen = new Set<string>();
  const found: FoundCertificate[] = [];
  for (const path of files(REAL_DATA)) {
    for (const text of texts(readFileSync(path, 'latin1'))) {
      for (const match of text.matchAll(PEM_CERT)) {
        const der = Buffer.from((match[1] ?? '').replace(/\s/g, ''), 'base64');
        const key = der.toString('hex');
        if (seen.has(key)) continue;
        seen.add(key);
        found.push({ source: relative(REAL_DATA, path), der: new Uint8Array(der) });
      }
    }
  }
  return found;
}
