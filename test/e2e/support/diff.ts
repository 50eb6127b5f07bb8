/**
 * Differences between two kubeadm trees as one line each (`<path> <field>: kubeadm=… kpki=…`),
 * and the allow-list that sorts the known ones out. Every allowed difference has its reason; the
 * README's kubeadm compatibility table carries the same list.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeCert, describeKey, describeKubeconfig, listTree } from './describe.js';

function compareValues(path: string, a: unknown, b: unknown, out: string[], prefix = ''): void {
  if (
    typeof a === 'object' &&
    a !== null &&
    typeof b === 'object' &&
    b !== null &&
    !Array.isArray(a) &&
    !Array.isArray(b)
  ) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const key of keys)
      compareValues(
        path,
        (a as Record<string, unknown>)[key],
        (b as Record<string, unknown>)[key],
        out,
        `${prefix}${prefix ? '.' : ''}${key}`,
      );
    return;
  }
  if (
    Array.isArray(a) &&
    Array.isArray(b) &&
    a.length === b.length &&
    a.every((x) => typeof x === 'object')
  ) {
    a.forEach((x, i) => compareValues(path, x, b[i], out, `${prefix}[${i}]`));
    return;
  }
  const ja = JSON.stringify(a);
  const jb = JSON.stringify(b);
  if (ja !== jb) out.push(`${path} ${prefix}: kubeadm=${ja} kpki=${jb}`);
}

/** Every difference between kubeadm's tree `k` and kpki's tree `p` whose certificates are in `pki`. */
export function diffTrees(k: string, p: string, pki: string): string[] {
  const out: string[] = [];
  const filesK = listTree(k);
  const filesP = listTree(p);
  compareValues('(tree)', filesK, filesP, out);
  const caK = existsSync(join(k, pki, 'ca.crt'))
    ? readFileSync(join(k, pki, 'ca.crt'), 'utf8')
    : '';
  const caP = existsSync(join(p, pki, 'ca.crt'))
    ? readFileSync(join(p, pki, 'ca.crt'), 'utf8')
    : '';
  for (const rel of Object.keys(filesK).filter((f) => f in filesP)) {
    const a = join(k, rel);
    const b = join(p, rel);
    if (rel.endsWith('.crt'))
      compareValues(
        rel,
        describeCert(readFileSync(a, 'utf8')),
        describeCert(readFileSync(b, 'utf8')),
        out,
      );
    else if (rel.endsWith('.key')) compareValues(rel, describeKey(a), describeKey(b), out);
    else if (rel.endsWith('.pub'))
      compareValues(
        rel,
        /-----BEGIN ([A-Z ]+)-----/.exec(readFileSync(a, 'utf8'))?.[1],
        /-----BEGIN ([A-Z ]+)-----/.exec(readFileSync(b, 'utf8'))?.[1],
        out,
      );
    else if (rel.endsWith('.conf'))
      compareValues(rel, describeKubeconfig(a, caK), describeKubeconfig(b, caP), out);
  }
  return out;
}

/** A known difference: lines matching `pattern` are allowed, for `reason`. */
export interface Allowed {
  readonly pattern: RegExp;
  readonly reason: string;
}

/** Splits differences into allowed (with the reason that allowed each) and unexpected. */
export function sortOut(
  diffs: readonly string[],
  allowed: readonly Allowed[],
): { allowed: string[]; unexpected: string[] } {
  const out = { allowed: [] as string[], unexpected: [] as string[] };
  for (const d of diffs) {
    const hit = allowed.find((a) => a.pattern.test(d));
    if (hit) out.allowed.push(`${d}  [allowed: ${hit.reason}]`);
    else out.unexpected.push(d);
  }
  return out;
}
