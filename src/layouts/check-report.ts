/**
 * The layout-neutral result of `check`; each layout formats it in its distribution's own shape.
 */
import type { Certificate } from '../pki/certificate.js';

/** One row of a check report. */
export interface CheckRow {
  readonly name: string;
  readonly kind: 'ca' | 'leaf' | 'kubeconfig';
  readonly path: string;
  /** Signing CA name; undefined for CAs. */
  readonly caName: string | undefined;
  readonly missing: boolean;
  /** The catalogue allows the file to be absent (`optional` on a catalogue entry). */
  readonly optional: boolean;
  readonly notAfter: Date | undefined;
  /** notAfter − now in milliseconds; negative when expired. */
  readonly residualMs: number | undefined;
  /** The CA key is absent (kubeadm's external-CA mode). */
  readonly externallyManaged: boolean;
  readonly problems: readonly string[];
  readonly certificate: Certificate | undefined;
}

/** The whole report at one instant. */
export interface CheckReport {
  readonly at: Date;
  readonly certificates: readonly CheckRow[];
  readonly authorities: readonly CheckRow[];
}

/** True when a row is expired or expires within `windowMs`. */
export function isExpiring(row: CheckRow, windowMs: number): boolean {
  return row.residualMs !== undefined && row.residualMs <= windowMs;
}

/**
 * True when any row of the report has a problem (mismatch, wrong CA, unreadable) or is missing
 * (kubeadm's `!MISSING!`) and not optional: a tree with a certificate or kubeconfig gone is broken,
 * not healthy.
 */
export function hasProblems(report: CheckReport): boolean {
  return [...report.certificates, ...report.authorities].some(
    (row) => row.problems.length > 0 || (row.missing && !row.optional),
  );
}
