/**
 * Restarting components in order, each healthy before the next: etcd members one at a time, then
 * the API server, the controller-manager, the scheduler, then the kubelet and kube-proxy (the
 * caller passes them already in the layout's order).
 */
import { OperationError } from '../errors.js';
import type { RestartDriver, RestartTarget } from './driver.js';
import { waitHealthy } from './health.js';

/** One component done. */
export interface RestartStep {
  readonly component: string;
  readonly did: string;
  readonly healthyAfterMs: number | undefined;
}

/**
 * Restarts each target with its driver, in order, stopping at the first that fails or is not
 * healthy within `healthTimeoutMs`; `onStep` hears of each one done.
 * @throws OperationError `RESTART_FAILED` naming the component, what was restarted before it and
 *   what was not, with `rollbackHint` as the hint.
 */
export async function restartInOrder(
  plan: readonly { readonly target: RestartTarget; readonly driver: RestartDriver }[],
  healthTimeoutMs: number,
  rollbackHint: string,
  onStep: (step: RestartStep) => void = () => undefined,
): Promise<RestartStep[]> {
  const steps: RestartStep[] = [];
  const targets = plan.map((p) => p.target);
  for (const { target, driver } of plan) {
    const started = Date.now();
    const fail = (message: string, cause?: unknown): OperationError =>
      new OperationError(
        'RESTART_FAILED',
        `${message}; restarted before it: ${steps.map((s) => s.component).join(', ') || 'none'}; not restarted: ${
          targets
            .slice(targets.indexOf(target) + 1)
            .map((t) => t.component)
            .join(', ') || 'none'
        }`,
        { hint: `bring the old certificates back with: ${rollbackHint}`, cause },
      );
    let did: string;
    try {
      did = await driver.restart(target);
    } catch (error) {
      throw fail(
        `restart of "${target.component}" failed (${driver.name} driver): ${error instanceof Error ? error.message : String(error)}`,
        error,
      );
    }
    let healthyAfterMs: number | undefined;
    if (target.health) {
      if (!(await waitHealthy(target.health, healthTimeoutMs)))
        throw fail(
          `"${target.component}" is not healthy within ${healthTimeoutMs / 1000} s (https://${target.health.host}:${target.health.port}${target.health.path})`,
        );
      healthyAfterMs = Date.now() - started;
    }
    const step = { component: target.component, did, healthyAfterMs };
    steps.push(step);
    onStep(step);
  }
  return steps;
}
