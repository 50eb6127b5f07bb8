/** `--restart` after a kubeadm change, `kpki restart` and `kpki prove` on a kubeadm tree. */
import { ExitCode } from '../../errors.js';
import { formatProof, proofPassed, prove } from '../../restart/prove.js';
import type { CommandResult } from '../command-result.js';
import type { KubeadmLayout } from '../layouts/kubeadm-setup.js';
import type { ProveOptions, RestartOptions } from '../options/live.js';
import { warn } from '../output.js';
import {
  kubeadmComponentsLoading,
  kubeadmProofTargets,
  kubeadmRestartSubject,
  recoverHeld,
} from './kubeadm-live.js';
import { formatRestartPlan, restartPlanJson, restartResult, runRestart } from './restart-run.js';

/** What the mutating command already printed (text) or would print (JSON), and what it changed. */
export interface AfterChange {
  readonly text: string;
  readonly json: string | undefined;
  readonly changedFiles: readonly string[];
  readonly dryRun: boolean;
}

/**
 * With `--restart`: restarts, in kubeadm's order, the components that load `changedFiles`, then
 * proves; on a dry run only prints the restart plan. Without it: the command's own result.
 */
export async function kubeadmAfterChange(
  layout: KubeadmLayout,
  root: string,
  options: RestartOptions,
  change: AfterChange,
): Promise<CommandResult> {
  const json = change.json !== undefined;
  if (!options.restart) return { output: change.json ?? change.text, exitCode: ExitCode.ok };
  const components = kubeadmComponentsLoading(layout, change.changedFiles);
  return kubeadmRestart(layout, root, components, change.changedFiles, options, {
    text: change.text,
    json: json ? (JSON.parse(change.json ?? '{}') as object) : undefined,
    dryRun: change.dryRun,
  });
}

/** Restarts `components` (the files each loads among `changed`, or all it loads), then proves. */
export async function kubeadmRestart(
  layout: KubeadmLayout,
  root: string,
  components: readonly string[],
  changed: readonly string[] | undefined,
  options: RestartOptions,
  prefix: { text: string; json: object | undefined; dryRun: boolean },
): Promise<CommandResult> {
  const back = await recoverHeld(root, options);
  if (back.length > 0) warn([`[restart] put back held manifests: ${back.join(', ')}`]);
  const subject = kubeadmRestartSubject(layout, root, components, changed, options);
  if (prefix.dryRun) {
    if (prefix.json)
      return {
        output: `${JSON.stringify({ ...prefix.json, restart: { plan: restartPlanJson(subject) } }, null, 2)}\n`,
        exitCode: ExitCode.ok,
      };
    return { output: prefix.text + formatRestartPlan(subject, true), exitCode: ExitCode.ok };
  }
  if (prefix.json === undefined) process.stderr.write(formatRestartPlan(subject, false));
  const outcome = await runRestart(
    subject,
    kubeadmProofTargets(layout, root, options),
    options.healthTimeoutMs,
    options.probeTimeoutMs,
    (line) => warn([line]),
  );
  return restartResult(prefix.text, prefix.json, subject, outcome, prefix.json !== undefined);
}

/** `kpki prove` on a kubeadm tree: exit 1 unless every check passed. */
export async function kubeadmProve(
  layout: KubeadmLayout,
  root: string,
  options: ProveOptions,
  json: boolean,
): Promise<CommandResult> {
  const back = await recoverHeld(root, options);
  if (back.length > 0) warn([`[prove] put back held manifests: ${back.join(', ')}`]);
  const rows = await prove(kubeadmProofTargets(layout, root, options), options.probeTimeoutMs);
  const exitCode = proofPassed(rows) ? ExitCode.ok : ExitCode.failure;
  return {
    output: json
      ? `${JSON.stringify({ proved: exitCode === ExitCode.ok, rows }, null, 2)}\n`
      : formatProof(rows),
    exitCode,
  };
}
