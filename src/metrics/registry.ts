/**
 * The prom-client registry kpki serves at /metrics: the exporter-compatible x509_* gauges and
 * kpki's own kpki_* metrics. Values are replaced wholesale per tree on every check, so a renewed
 * certificate's old serial disappears instead of lingering as a stale series.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import { CERT_LABELS, type ProblemKind, type TreeSamples } from './certificate-samples.js';

/** Outcome of one renewal attempt of a tree. */
export type RenewalResult = 'success' | 'failure' | 'dry-run' | 'skipped';

/** The metrics of one `kpki serve` process. */
export interface KpkiMetrics {
  readonly registry: Registry;
  /** Replaces everything known about `tree` with `samples`, taken at `at`. */
  recordCheck(tree: string, samples: TreeSamples, at: Date): void;
  /** A check of `tree` that failed before it produced a report (counts as a read error). */
  recordCheckFailure(tree: string): void;
  /** Counts one renewal attempt of `tree`. */
  recordRenewal(tree: string, result: RenewalResult): void;
}

const PROBLEM_KINDS: readonly ProblemKind[] = ['missing', 'expired', 'invalid'];
const X509_GAUGES = [
  ['x509_cert_not_after', 'Certificate NotAfter as a Unix timestamp (seconds)', 'notAfter'],
  ['x509_cert_not_before', 'Certificate NotBefore as a Unix timestamp (seconds)', 'notBefore'],
  ['x509_cert_expired', '1 when the certificate is expired, else 0', 'expired'],
  ['x509_cert_expires_in_seconds', 'Seconds until the certificate expires', 'expiresInSeconds'],
  [
    'x509_cert_valid_since_seconds',
    'Seconds since the certificate became valid',
    'validSinceSeconds',
  ],
] as const;

/** A fresh registry with every kpki metric registered (no default process metrics). */
export function createKpkiMetrics(): KpkiMetrics {
  const registry = new Registry();
  const labelNames = [...CERT_LABELS];
  const gauges = X509_GAUGES.map(
    ([name, help, field]) =>
      [new Gauge({ name, help, labelNames, registers: [registry] }), field] as const,
  );
  const readErrors = new Gauge({
    name: 'x509_read_errors',
    help: 'Certificate files expected but missing or unreadable, as of the last check',
    registers: [registry],
  });
  const treeReadErrors = new Map<string, number>();
  const renewals = new Counter({
    name: 'kpki_renewals_total',
    help: 'Renewal attempts by tree and result',
    labelNames: ['tree', 'result'],
    registers: [registry],
  });
  const lastCheck = new Gauge({
    name: 'kpki_last_successful_check_timestamp_seconds',
    help: 'Unix time of the last check that produced a report, by tree',
    labelNames: ['tree'],
    registers: [registry],
  });
  const problems = new Gauge({
    name: 'kpki_problems',
    help: 'Rows of the last check with a problem, by tree and kind (missing, expired, invalid)',
    labelNames: ['tree', 'kind'],
    registers: [registry],
  });
  const bySeries = new Map<string, TreeSamples>();
  const setReadErrors = (tree: string, count: number): void => {
    treeReadErrors.set(tree, count);
    readErrors.set([...treeReadErrors.values()].reduce((a, b) => a + b, 0));
  };
  return {
    registry,
    recordCheck(tree, samples, at) {
      const previous = bySeries.get(tree);
      for (const [gauge] of gauges)
        for (const old of previous?.certificates ?? []) gauge.remove(old.labels);
      for (const sample of samples.certificates)
        for (const [gauge, field] of gauges) gauge.set(sample.labels, sample[field]);
      bySeries.set(tree, samples);
      setReadErrors(tree, samples.readErrors);
      lastCheck.set({ tree }, Math.floor(at.getTime() / 1000));
      for (const kind of PROBLEM_KINDS) problems.set({ tree, kind }, samples.problems[kind]);
    },
    recordCheckFailure(tree) {
      setReadErrors(tree, Math.max(1, treeReadErrors.get(tree) ?? 0));
    },
    recordRenewal(tree, result) {
      renewals.inc({ tree, result });
    },
  };
}
