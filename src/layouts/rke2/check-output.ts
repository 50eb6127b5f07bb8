/**
 * `certificate check` records and their four output formats, as K3s/RKE2 print them since the
 * May 2025 releases (reference/rke2-k3s.md §7): text log lines, a tabwriter table, JSON with Go's
 * field names, YAML with yaml.v2's lower-cased keys.
 */
import { stringify } from 'yaml';
import type { Certificate } from '../../pki/certificate.js';
import { tabwrite } from '../tabwriter.js';
import { goDurationString, relTime } from './humanize.js';

/** The statuses of `certificate check`, in the order they are decided. */
export type Rke2Status = 'OK' | 'WARNING' | 'EXPIRED' | 'NOT YET VALID';

/** One certificate of one file. */
export interface Rke2CheckRecord {
  /** Base name of the file, as K3s prints it. */
  readonly filename: string;
  readonly subject: string;
  readonly issuer: string;
  readonly usages: readonly string[];
  /** NotAfter, or NotBefore when the status is NOT YET VALID. */
  readonly expiryTime: Date;
  /** NotAfter − now in milliseconds. */
  readonly residualMs: number;
  readonly status: Rke2Status;
}

/**
 * The status of a certificate at `at`: NOT YET VALID before NotBefore, EXPIRED after NotAfter,
 * WARNING when NotAfter is before `at` + window (strictly), else OK.
 */
export function certificateStatus(
  cert: Pick<Certificate, 'notBefore' | 'notAfter'>,
  at: Date,
  windowMs: number,
): Rke2Status {
  const now = at.getTime();
  if (now < cert.notBefore.getTime()) return 'NOT YET VALID';
  if (now > cert.notAfter.getTime()) return 'EXPIRED';
  if (now + windowMs > cert.notAfter.getTime()) return 'WARNING';
  return 'OK';
}

/** K3s's usage list: `CertSign` for a key-cert-sign key usage, then each TLS EKU in order; `Unknown` if none. */
export function usagesOf(cert: Certificate): string[] {
  const usages: string[] = [];
  if (cert.keyUsage.includes('keyCertSign')) usages.push('CertSign');
  for (const eku of cert.extKeyUsage) {
    if (eku === 'serverAuth') usages.push('ServerAuth');
    if (eku === 'clientAuth') usages.push('ClientAuth');
  }
  return usages.length > 0 ? usages : ['Unknown'];
}

/** The record of one certificate found in `filename`. */
export function checkRecord(
  filename: string,
  cert: Certificate,
  at: Date,
  windowMs: number,
): Rke2CheckRecord {
  const status = certificateStatus(cert, at, windowMs);
  return {
    filename,
    subject: cert.subject.cn ?? '',
    issuer: cert.issuer.cn ?? '',
    usages: usagesOf(cert),
    expiryTime: status === 'NOT YET VALID' ? cert.notBefore : cert.notAfter,
    residualMs: cert.notAfter.getTime() - at.getTime(),
    status,
  };
}

/** The `text` format: one log line per certificate, at the level K3s logs it. */
export function formatRke2Text(records: readonly Rke2CheckRecord[], windowDays: number): string {
  return records
    .map((r) => {
      const head = `${r.filename}: certificate ${r.subject} (${r.usages.join(',')})`;
      const when = rfc3339(r.expiryTime);
      switch (r.status) {
        case 'OK':
          return `INFO[0000] ${head} is ok, expires at ${when}\n`;
        case 'WARNING':
          return `WARN[0000] ${head} will expire within ${windowDays} days at ${when}\n`;
        case 'EXPIRED':
          return `ERRO[0000] ${head} expired at ${when}\n`;
        case 'NOT YET VALID':
          return `ERRO[0000] ${head} is not valid before ${when}\n`;
      }
    })
    .join('');
}

/** The `table` format: a blank line, then Go tabwriter columns (padding 3). */
export function formatRke2Table(records: readonly Rke2CheckRecord[], at: Date): string {
  const lines = [
    'FILENAME\tSUBJECT\tUSAGES\tEXPIRES\tRESIDUAL TIME\tSTATUS',
    '--------\t-------\t------\t-------\t-------------\t------',
    ...records.map((r) =>
      [
        r.filename,
        r.subject,
        r.usages.join(','),
        tableTime(r.expiryTime),
        relTime(at, new Date(at.getTime() + r.residualMs)),
        r.status,
      ].join('\t'),
    ),
  ];
  return `\n${tabwrite(lines, { minWidth: 0, padding: 3 })}`;
}

/** The `json` format: `{"Certificates":[…]}` with Go's field names, RFC 3339 times and nanosecond durations. */
export function formatRke2Json(records: readonly Rke2CheckRecord[]): string {
  const certificates = records.map((r) => ({
    Filename: r.filename,
    Subject: r.subject,
    Issuer: r.issuer,
    Usages: r.usages,
    ExpiryTime: rfc3339(r.expiryTime),
    ResidualTime: Math.round(r.residualMs) * 1_000_000,
    Status: r.status,
  }));
  return `${JSON.stringify({ Certificates: certificates })}\n`;
}

/** The `yaml` format: yaml.v2's lower-cased keys, durations in Go's string form. */
export function formatRke2Yaml(records: readonly Rke2CheckRecord[]): string {
  const certificates = records.map((r) => ({
    filename: r.filename,
    subject: r.subject,
    issuer: r.issuer,
    usages: [...r.usages],
    expirytime: rfc3339(r.expiryTime),
    residualtime: goDurationString(r.residualMs),
    status: r.status,
  }));
  return stringify({ certificates }, { indentSeq: false, lineWidth: 0 });
}

/** Go's time.RFC3339 (and RFC3339Nano for whole seconds) in UTC. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `Jan 02, 2006 15:04 MST`, always in UTC so output does not depend on the host's zone. */
export function tableTime(date: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${MONTHS[date.getUTCMonth()] ?? ''} ${two(date.getUTCDate())}, ${date.getUTCFullYear()} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())} UTC`;
}
