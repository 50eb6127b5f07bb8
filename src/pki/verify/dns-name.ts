/**
 * DNS names as they appear in subjectAltName, name constraints and peer names: syntax checks
 * (RFC 5280 §4.2.1.6 "preferred name syntax" of RFC 1034 §3.5 as relaxed by RFC 1123 §2.1),
 * host name matching with RFC 6125 §6.4.3 wildcards, and subtree membership (RFC 5280 §4.2.1.10).
 * Comparisons are ASCII case-insensitive (RFC 4343).
 */

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * True for an absolute-form DNS name: non-empty LDH labels of 1..63 characters, at most 253
 * characters, no trailing dot, and a last label that is not all digits (so `127.0.0.1` is not
 * a DNS name; an IP address belongs in iPAddress, RFC 5280 §4.2.1.6).
 */
export function isValidDnsName(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.toLowerCase().split('.');
  if (!labels.every((label) => LABEL.test(label))) return false;
  return !/^[0-9]+$/.test(labels[labels.length - 1] ?? '');
}

/**
 * A subjectAltName dNSName: either a valid DNS name, or `*.` followed by a valid name of at
 * least two labels. Partial-label wildcards (`ba*.example.com`) and wildcards over a single
 * label (`*.com`, `*`) are refused: RFC 6125 §7.2 and CA/Browser Forum BR §3.2.2.6.
 */
export type SanDnsPattern =
  | { readonly kind: 'exact'; readonly name: string }
  | { readonly kind: 'wildcard'; readonly base: string };

/** Parses a dNSName SAN; `undefined` when it is not well formed (see {@link SanDnsPattern}). */
export function parseSanDnsName(value: string): SanDnsPattern | undefined {
  const lower = value.toLowerCase();
  if (lower.startsWith('*.')) {
    const base = lower.slice(2);
    return isValidDnsName(base) && base.includes('.') ? { kind: 'wildcard', base } : undefined;
  }
  return isValidDnsName(lower) ? { kind: 'exact', name: lower } : undefined;
}

/** RFC 6125 §6.4: does a SAN pattern match the reference host name? `host` must be valid. */
export function matchesHostName(pattern: SanDnsPattern, host: string): boolean {
  const h = host.toLowerCase();
  if (pattern.kind === 'exact') return pattern.name === h;
  // The wildcard stands for exactly one whole label: the leftmost (RFC 6125 §6.4.3).
  const dot = h.indexOf('.');
  return dot > 0 && h.slice(dot + 1) === pattern.base;
}

/** True when `name` equals `subtree` or lies below it; an empty subtree holds every name. */
export function isWithinDnsSubtree(name: string, subtree: string): boolean {
  const n = name.toLowerCase();
  const s = subtree.toLowerCase();
  return s === '' || n === s || n.endsWith(`.${s}`);
}

/**
 * Name-constraint view of a SAN pattern (RFC 5280 §4.2.1.10 applied to RFC 6125 wildcards, as
 * CVE-2025-61727 requires): a wildcard is permitted only if every name it can match is inside
 * the subtree, and excluded if any name it can match is inside the subtree.
 */
export function patternWithinSubtree(
  pattern: SanDnsPattern,
  subtree: string,
  mode: 'all' | 'any',
): boolean {
  if (pattern.kind === 'exact') return isWithinDnsSubtree(pattern.name, subtree);
  if (isWithinDnsSubtree(pattern.base, subtree)) return true;
  if (mode === 'all') return false;
  // Some `x.base` falls inside `subtree` exactly when subtree is one label below base.
  const s = subtree.toLowerCase();
  const dot = s.indexOf('.');
  return dot > 0 && s.slice(dot + 1) === pattern.base;
}
