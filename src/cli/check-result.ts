/** The kubeadm `check-expiration` style result, which the kubeadm and RKE layouts both print. */
import { hasProblems, isExpiring, type CheckReport } from '../layouts/check-report.js';
import {
  formatKubeadmJson,
  formatKubeadmTable,
  formatKubeadmYaml,
  formatProblems,
} from '../layouts/kubeadm/check-output.js';
import { checkExitCode, type CommandResult } from './command-result.js';
import type { CheckOptions } from './options/check.js';
import { warn } from './output.js';

/**
 * A check report as `-o` asks (json, yaml, else the table with the problems on standard error),
 * exiting 4 when a row expires within `windowMs`, else 3 when a row has a problem or there is a
 * `treeProblem` (an insecure directory; always on standard error, whatever `-o` says).
 */
export function checkReportResult(
  report: CheckReport,
  output: CheckOptions['output'],
  windowMs: number,
  treeProblems: readonly string[] = [],
): CommandResult {
  const rows = [...report.certificates, ...report.authorities];
  const exitCode = checkExitCode({
    expiring: rows.some((row) => isExpiring(row, windowMs)),
    broken: hasProblems(report) || treeProblems.length > 0,
  });
  warn(treeProblems.map((problem) => `[check] ${problem}`));
  if (output === 'json') return { output: formatKubeadmJson(report), exitCode };
  if (output === 'yaml') return { output: formatKubeadmYaml(report), exitCode };
  warn(formatProblems(report).split('\n').filter(Boolean));
  return { output: formatKubeadmTable(report), exitCode };
}
