/**
 * A pure mapping from kpki's check report to the samples enix/x509-certificate-exporter exposes
 * (v3 names, kept verbatim in v4), so its dashboards and alerts work on kpki unchanged. No clock,
 * no registry: the report's own `at` is the instant relative gauges are computed against.
 */
import type { CheckReport, CheckRow } from '../layouts/check-report.js';

/** The exporter's per-certificate label names; labels that do not apply are `""` as it emits them. */
export const CERT_LABELS = [
  'serial_number',
  'subject_C',
  'subject_ST',
  'subject_L',
  'subject_O',
  'subject_OU',
  'subject_CN',
  'issuer_C',
  'issuer_ST',
  'issuer_L',
  'issuer_O',
  'issuer_OU',
  'issuer_CN',
  'filename',
  'filepath',
  'embedded_kind',
  'embedded_key',
] as const;

/** One label set of a per-certificate gauge. */
export type CertLabels = Record<(typeof CERT_LABELS)[number], string>;

/** The per-certificate values of one readable certificate. */
export interface CertificateSample {
  readonly labels: CertLabels;
  /** Unix seconds. */
  readonly notAfter: number;
  readonly notBefore: number;
  readonly expired: 0 | 1;
  readonly expiresInSeconds: number;
  readonly validSinceSeconds: number;
}

/** Everything the metrics of one tree are made of. */
export interface TreeSamples {
  readonly certificates: readonly CertificateSample[];
  /** Files the catalogue expects that are missing (not optional) or unreadable: x509_read_errors. */
  readonly readErrors: number;
  /** Rows with problems, counted by kind: `missing`, `expired`, `invalid`. */
  readonly problems: Readonly<Record<ProblemKind, number>>;
}

/** The kinds kpki counts problems by. */
export type ProblemKind = 'missing' | 'expired' | 'invalid';

/**
 * The samples of one check report: one per readable certificate (CAs and leaves and kubeconfig
 * client certificates), read errors and problem counts.
 * A kubeconfig row is labelled as the exporter labels a kubeconfig source: `embedded_kind="user"`,
 * `embedded_key="client-certificate-data"`. `root` is the tree directory that `filepath` is under.
 */
export function samplesOfReport(report: CheckReport, root = ''): TreeSamples {
  const rows = [...report.authorities, ...report.certificates];
  const certificates: CertificateSample[] = [];
  const problems: Record<ProblemKind, number> = { missing: 0, expired: 0, invalid: 0 };
  let readErrors = 0;
  for (const row of rows) {
    if (row.missing && !row.optional) problems.missing += 1;
    if (row.problems.length > 0) problems.invalid += 1;
    if (row.certificate === undefined) {
      if (!row.missing || !row.optional) readErrors += 1;
      continue;
    }
    const sample = sampleOfRow(row, report.at, root);
    if (sample.expired === 1) problems.expired += 1;
    certificates.push(sample);
  }
  return { certificates, readErrors, problems };
}

function sampleOfRow(row: CheckRow, at: Date, root: string): CertificateSample {
  const cert = row.certificate;
  if (cert === undefined) throw new Error('sampleOfRow needs a certificate');
  const now = Math.floor(at.getTime() / 1000);
  const notAfter = Math.floor(cert.notAfter.getTime() / 1000);
  const notBefore = Math.floor(cert.notBefore.getTime() / 1000);
  return {
    labels: labelsOf(row, root),
    notAfter,
    notBefore,
    expired: now > notAfter ? 1 : 0,
    expiresInSeconds: notAfter - now,
    validSinceSeconds: now - notBefore,
  };
}

/**
 * The exporter's labels for one row; the serial is decimal as the exporter prints it, `filepath`
 * is the row's path under `root` (the tree directory) unless it is absolute already.
 */
export function labelsOf(row: CheckRow, root = ''): CertLabels {
  const cert = row.certificate;
  const slash = row.path.lastIndexOf('/');
  const filepath =
    row.path.startsWith('/') || root === '' ? row.path : `${root.replace(/\/+$/, '')}/${row.path}`;
  const kubeconfig = row.kind === 'kubeconfig';
  return {
    serial_number: cert === undefined ? '' : BigInt(`0x${cert.serialHex || '0'}`).toString(10),
    subject_C: '',
    subject_ST: '',
    subject_L: '',
    subject_O: cert?.subject.o.join(',') ?? '',
    subject_OU: '',
    subject_CN: cert?.subject.cn ?? '',
    issuer_C: '',
    issuer_ST: '',
    issuer_L: '',
    issuer_O: cert?.issuer.o.join(',') ?? '',
    issuer_OU: '',
    issuer_CN: cert?.issuer.cn ?? '',
    filename: row.path.slice(slash + 1),
    filepath,
    embedded_kind: kubeconfig ? 'user' : '',
    embedded_key: kubeconfig ? 'client-certificate-data' : '',
  };
}
