/**
 * `kubeadm certs check-expiration` output: the two tab-aligned tables, and the
 * `output.kubeadm.k8s.io/v1alpha3` CertificateExpirationInfo object for `-o json|yaml`.
 * Differences kept on purpose: expired rows show a negative residual time (`-45d`) instead of
 * `<invalid>`; rows kubeadm leaves out (kubelet.conf) and a `problems` list appear as extras that
 * a kubeadm parser ignores.
 */
import { Document, Scalar, visit } from 'yaml';
import { humanDuration } from '../../pki/duration.js';
import type { CheckReport, CheckRow } from '../check-report.js';
import { tabwrite } from '../tabwriter.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const TABLE = { minWidth: 10, padding: 3 };

/** Go layout `Jan 02, 2006 15:04 MST` in UTC. */
export function formatExpiry(date: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${MONTHS[date.getUTCMonth()] ?? ''} ${pad(date.getUTCDate())}, ${date.getUTCFullYear()} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())} UTC`;
}

const yesNo = (value: boolean): string => (value ? 'yes' : 'no').padEnd(8);

/** The text tables, exactly as kubeadm lays them out (including its trailing padding). */
export function formatKubeadmTable(report: CheckReport): string {
  const lines = ['CERTIFICATE\tEXPIRES\tRESIDUAL TIME\tCERTIFICATE AUTHORITY\tEXTERNALLY MANAGED'];
  for (const row of report.certificates) {
    lines.push(
      row.missing
        ? `!MISSING! ${row.name}\t`
        : `${row.name}\t${expires(row)}\t${residual(row)}\t${row.caName ?? ''}\t${yesNo(row.externallyManaged)}`,
    );
  }
  lines.push('');
  lines.push('CERTIFICATE AUTHORITY\tEXPIRES\tRESIDUAL TIME\tEXTERNALLY MANAGED');
  for (const row of report.authorities) {
    lines.push(
      row.missing
        ? `!MISSING! ${row.name}\t`
        : `${row.name}\t${expires(row)}\t${residual(row)}\t${yesNo(row.externallyManaged)}`,
    );
  }
  return tabwrite(lines, TABLE);
}

/** Lines naming each problem found, printed after the tables (kubeadm has no such section). */
export function formatProblems(report: CheckReport): string {
  const rows = [...report.certificates, ...report.authorities].filter(
    (row) => row.problems.length > 0,
  );
  return rows
    .map((row) => row.problems.map((problem) => `[check] ${row.name}: ${problem}\n`).join(''))
    .join('');
}

function expires(row: CheckRow): string {
  return row.notAfter ? formatExpiry(row.notAfter) : '';
}

function residual(row: CheckRow): string {
  return row.residualMs === undefined ? '' : humanDuration(row.residualMs);
}

/** The v1alpha3 object, field order as kubeadm's Go struct marshals it. */
export function kubeadmExpirationInfo(report: CheckReport): Record<string, unknown> {
  return {
    kind: 'CertificateExpirationInfo',
    apiVersion: 'output.kubeadm.k8s.io/v1alpha3',
    certificates: report.certificates.map((row) => entry(row, true)),
    certificateAuthorities: report.authorities.map((row) => entry(row, false)),
  };
}

function entry(row: CheckRow, withCa: boolean): Record<string, unknown> {
  const value: Record<string, unknown> = {
    name: row.name,
    expirationDate: row.notAfter ? row.notAfter.toISOString().replace(/\.\d{3}Z$/, 'Z') : null,
    residualTime: row.residualMs === undefined ? 0 : Math.trunc(row.residualMs / 1000),
    externallyManaged: row.externallyManaged,
  };
  // kubeadm's !MISSING! rows carry no caName (nothing was read to sign).
  if (withCa && row.caName && !row.missing) value.caName = row.caName;
  value.missing = row.missing;
  if (row.problems.length > 0) value.problems = row.problems;
  return value;
}

/** `-o json`: four-space indentation, as kubectl's JSON printer writes it. */
export function formatKubeadmJson(report: CheckReport): string {
  return `${JSON.stringify(kubeadmExpirationInfo(report), null, 4)}\n`;
}

/**
 * `-o yaml`: keys sorted, as sigs.k8s.io/yaml writes them, and RFC 3339 timestamps quoted as it
 * quotes them (unquoted, YAML 1.1 readers such as PyYAML turn them into datetimes).
 */
export function formatKubeadmYaml(report: CheckReport): string {
  const doc = new Document(kubeadmExpirationInfo(report), { sortMapEntries: true });
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && TIMESTAMP.test(node.value))
        node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  return doc.toString({ indentSeq: false, lineWidth: 0 });
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}/;
