/** Printing and running a restart plan, then the proof: what `--restart` and `kpki restart` share. */
import { ExitCode, OperationError } from '../../errors.js';
import type { RestartDriver, RestartTarget } from '../../restart/driver.js';
import {
  formatProof,
  proofPassed,
  prove,
  type ProofRow,
  type ProofTargets,
} from '../../restart/prove.js';
import { restartInOrder, type RestartStep } from '../../restart/sequence.js';
import type { CommandResult } from '../command-result.js';

/** One component to restart, the changed files it loads and the driver that restarts it. */
export interface RestartPlanStep {
  readonly target: RestartTarget;
  readonly files: readonly string[];
  readonly driver: RestartDriver;
}

/** A restart plan: the steps in order, and the command that undoes the change. */
export interface RestartSubject {
  readonly steps: readonly RestartPlanStep[];
  readonly rollbackHint: string;
}

/** The plan as text. */
export function formatRestartPlan(subject: RestartSubject, dryRun: boolean): string {
  const lines = [
    `[restart] ${dryRun ? 'plan (dry run, nothing restarted)' : 'plan'}, in this order:`,
  ];
  subject.steps.forEach((step, i) => {
    lines.push(
      `  ${i + 1}. ${step.target.component} (${step.driver.name}) loads: ${step.files.join(', ') || '-'}`,
    );
  });
  if (subject.steps.length === 0) lines.push('  nothing loads a changed file');
  return `${lines.join('\n')}\n`;
}

/** The JSON form of the plan. */
export function restartPlanJson(subject: RestartSubject): object[] {
  return subject.steps.map((s) => ({
    component: s.target.component,
    driver: s.driver.name,
    files: s.files,
  }));
}

/** One step done, as a line. */
function stepLine(s: RestartStep): string {
  const healthy =
    s.healthyAfterMs === undefined
      ? ''
      : `; healthy after ${(s.healthyAfterMs / 1000).toFixed(1)} s`;
  return `[restart] ${s.component}: ${s.did}${healthy}`;
}

/** What a restart did. */
export interface RestartOutcome {
  readonly steps: readonly RestartStep[];
  readonly proof: readonly ProofRow[];
  readonly error: OperationError | undefined;
}

/**
 * Restarts the subject's steps in order, then proves. A failed step stops the sequence: its error
 * is returned (not thrown) with the steps done, so the caller prints both; no proof then.
 */
export async function runRestart(
  subject: RestartSubject,
  proofTargets: ProofTargets,
  healthTimeoutMs: number,
  probeTimeoutMs: number,
  progress: (line: string) => void,
): Promise<RestartOutcome> {
  const steps: RestartStep[] = [];
  try {
    await restartInOrder(subject.steps, healthTimeoutMs, subject.rollbackHint, (done) => {
      steps.push(done);
      progress(stepLine(done));
    });
  } catch (error) {
    const failed =
      error instanceof OperationError ? error : new OperationError('RESTART_FAILED', String(error));
    return { steps, proof: [], error: failed };
  }
  return { steps, proof: await prove(proofTargets, probeTimeoutMs), error: undefined };
}

/** The outcome as text or JSON, with exit code 1 when a step failed or the proof did not pass. */
export function restartResult(
  prefix: string,
  prefixJson: object | undefined,
  subject: RestartSubject,
  outcome: RestartOutcome,
  json: boolean,
): CommandResult {
  const ok = outcome.error === undefined && proofPassed(outcome.proof);
  const exitCode = ok ? ExitCode.ok : ExitCode.failure;
  if (json) {
    const body = {
      ...(prefixJson ?? {}),
      restart: {
        plan: restartPlanJson(subject),
        steps: outcome.steps,
        ...(outcome.error && {
          error: {
            code: outcome.error.code,
            message: outcome.error.message,
            hint: outcome.error.hint,
          },
        }),
        proof: outcome.proof,
        proved: ok,
      },
    };
    return { output: `${JSON.stringify(body, null, 2)}\n`, exitCode };
  }
  const lines = [prefix + formatRestartPlan(subject, false)];
  for (const s of outcome.steps) lines.push(`${stepLine(s)}\n`);
  if (outcome.error)
    lines.push(
      `[restart] stopped: [${outcome.error.code}] ${outcome.error.message}\n[restart] ${outcome.error.hint ?? ''}\n`,
    );
  else lines.push(`[prove]\n${formatProof(outcome.proof)}`);
  return { output: lines.join(''), exitCode };
}
