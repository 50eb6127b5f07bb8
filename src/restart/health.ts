/** Waiting until a restarted component answers its health endpoint again. */
import { setTimeout as sleep } from 'node:timers/promises';
import { httpsCall, type ClientCredentials } from './tls-probe.js';

/** A health endpoint and the credentials to present (read fresh, after the change). */
export interface HealthProbe {
  readonly host: string;
  readonly port: number;
  readonly path: string;
  readonly credentials: () => Promise<ClientCredentials | undefined>;
}

/** True when one probe answers 200 with a healthy body (`ok`, or etcd's `"health":"true"`). */
export async function isHealthy(probe: HealthProbe, timeoutMs = 3000): Promise<boolean> {
  try {
    const answer = await httpsCall(probe, await probe.credentials(), undefined, timeoutMs);
    return (
      answer.status === 200 &&
      (answer.body.trim() === 'ok' || answer.body.includes('"health":"true"'))
    );
  } catch {
    return false;
  }
}

/**
 * Polls `probe` every `intervalMs` until healthy; false when `timeoutMs` passes first.
 * `stable` consecutive healthy answers are required (a component that crashes at start-up
 * answers once from the old process, or between restarts of a crash loop).
 */
export async function waitHealthy(
  probe: HealthProbe,
  timeoutMs: number,
  intervalMs = 500,
  stable = 2,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let seen = 0;
  while (Date.now() <= deadline) {
    seen = (await isHealthy(probe)) ? seen + 1 : 0;
    if (seen >= stable) return true;
    await sleep(intervalMs);
  }
  return false;
}

/** Polls until `probe` stops answering healthy; false when `timeoutMs` passes first. */
export async function waitStopped(
  probe: HealthProbe,
  timeoutMs: number,
  intervalMs = 500,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() <= deadline) {
    if (!(await isHealthy(probe, 1000))) return true;
    await sleep(intervalMs);
  }
  return false;
}
