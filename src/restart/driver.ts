/**
 * Restart drivers: one interface, one implementation per way a layout runs its components.
 * `command` runs a user template; `static-pod` moves a kubeadm manifest out of the kubelet's
 * manifests directory and back; `systemd` restarts a unit.
 */
import { spawn } from 'node:child_process';
import { OperationError } from '../errors.js';
import type { HealthProbe } from './health.js';

/** What a driver needs to know about one component. */
export interface RestartTarget {
  readonly component: string;
  /** The systemd unit, container or manifest the component runs as. */
  readonly unit: string;
  /** Its health endpoint; undefined for a component without one (the kubelet here). */
  readonly health: HealthProbe | undefined;
}

/** Restarts one component and resolves when the driver's part is done (health is checked after). */
export interface RestartDriver {
  readonly name: string;
  /** @returns one line saying what it did. @throws OperationError `RESTART_FAILED`. */
  restart(target: RestartTarget): Promise<string>;
}

/** The names `--restart-driver` accepts. */
export const RESTART_DRIVERS = ['command', 'static-pod', 'systemd'] as const;
export type RestartDriverName = (typeof RESTART_DRIVERS)[number];

/**
 * Runs `argv` (no shell) and resolves with its exit code and the last of its output; the output
 * is the user's own command's and holds nothing of kpki's.
 */
export function run(
  argv: readonly string[],
  timeoutMs: number,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const [file, ...args] = argv;
    if (file === undefined) return resolve({ code: 127, output: 'empty command' });
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-2000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: 127, output: error.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output: output.trim() });
    });
  });
}

/** Fills `{component}` and `{unit}` in a template. */
export function renderTemplate(template: string, target: RestartTarget): string {
  return template.replaceAll('{component}', target.component).replaceAll('{unit}', target.unit);
}

/**
 * `--restart-command TEMPLATE`, run by `/bin/sh -c` with `{component}` and `{unit}` filled in.
 * A non-zero exit fails the restart.
 */
export function commandDriver(template: string, timeoutMs: number): RestartDriver {
  return {
    name: 'command',
    async restart(target) {
      const command = renderTemplate(template, target);
      const { code, output } = await run(['/bin/sh', '-c', command], timeoutMs);
      if (code !== 0)
        throw new OperationError(
          'RESTART_FAILED',
          `restart command for "${target.component}" failed (exit ${code ?? 'killed'}): ${command}${output ? `: ${output.split('\n').slice(-3).join(' ')}` : ''}`,
        );
      return `ran: ${command}`;
    },
  };
}

/**
 * systemd (RKE2/K3s units, or the kubelet): `systemctl restart UNIT`, then `systemctl is-active`
 * until active.
 */
export function systemdDriver(timeoutMs: number, systemctl = 'systemctl'): RestartDriver {
  return {
    name: 'systemd',
    async restart(target) {
      const restarted = await run([systemctl, 'restart', target.unit], timeoutMs);
      if (restarted.code !== 0)
        throw new OperationError(
          'RESTART_FAILED',
          `systemctl restart ${target.unit} failed (exit ${restarted.code ?? 'killed'}): ${restarted.output}`,
        );
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const active = await run([systemctl, 'is-active', target.unit], 10_000);
        if (active.code === 0) return `systemctl restart ${target.unit}: active`;
        if (Date.now() > deadline)
          throw new OperationError(
            'RESTART_FAILED',
            `${target.unit} is not active: ${active.output}`,
          );
        await new Promise((r) => setTimeout(r, 500));
      }
    },
  };
}
