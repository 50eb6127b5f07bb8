/** Options of `--restart`, `kpki restart` and `kpki prove`. */
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import type { Endpoint } from '../../layouts/kubeadm/endpoints.js';
import { RESTART_DRIVERS, type RestartDriverName } from '../../restart/driver.js';
import { flagOf, listOf, textOf, type RawOptions } from './raw.js';
import { durationOf } from './tree.js';

/** `--endpoint NAME=HOST:PORT` (repeated) and `--probe-timeout`. */
export interface ProveOptions {
  readonly endpoints: ReadonlyMap<string, Endpoint>;
  readonly probeTimeoutMs: number;
}

/** Everything a restart needs. */
export interface RestartOptions extends ProveOptions {
  /** `--restart` (always true for `kpki restart`). */
  readonly restart: boolean;
  readonly driver: RestartDriverName | undefined;
  readonly command: string | undefined;
  readonly healthTimeoutMs: number;
  readonly filePeriodMs: number;
  readonly manifestsDir: string | undefined;
}

const collect = (value: string, all: string[]): string[] => [...all, value];

/** Adds `--endpoint` and `--probe-timeout`. */
export function addProveOptions(command: Command): Command {
  return command
    .option(
      '--endpoint <name=host:port>',
      'where a certificate or component answers, instead of the spec (apiserver, etcd-server, etcd-peer, kube-controller-manager, kube-scheduler); repeatable',
      collect,
      [] as string[],
    )
    .option('--probe-timeout <duration>', 'timeout of one TLS probe (default 5s)');
}

/** Adds the restart flags (and the prove flags, since a restart ends with a proof). */
export function addRestartOptions(command: Command, withRestartFlag = true): Command {
  if (withRestartFlag)
    command.option('--restart', 'restart what loads the changed files, in order, then prove');
  return addProveOptions(command)
    .option(
      `--restart-driver <driver>`,
      `how to restart: ${RESTART_DRIVERS.join(', ')} (kubeadm default: static-pod)`,
    )
    .option(
      '--restart-command <template>',
      'command driver: shell command with {component} and {unit}',
    )
    .option(
      '--restart-timeout <duration>',
      'how long a component may take to be healthy (default 2m)',
    )
    .option(
      '--file-check-period <duration>',
      "static-pod driver: the kubelet's fileCheckFrequency (default 20s)",
    )
    .option(
      '--manifests-dir <dir>',
      'static-pod driver: the static-pod manifests (default <dir>/manifests)',
    );
}

/**
 * Parses `--endpoint` values.
 * @throws UsageError for a value that is not `name=host:port`.
 */
export function parseEndpoints(values: readonly string[]): Map<string, Endpoint> {
  const out = new Map<string, Endpoint>();
  for (const value of values) {
    const match = /^([\w.-]+)=(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(value);
    const port = Number(match?.[3]);
    if (!match?.[1] || !match[2] || !(port > 0 && port < 65536))
      throw new UsageError(`--endpoint "${value}" is not name=host:port`);
    out.set(match[1], { host: match[2].replace(/^\[|\]$/g, ''), port });
  }
  return out;
}

/** Reads the prove options. @throws UsageError, InvalidInputError `BAD_DURATION`. */
export function parseProveOptions(raw: RawOptions): ProveOptions {
  return {
    endpoints: parseEndpoints(listOf(raw, 'endpoint')),
    probeTimeoutMs: durationOf(raw, 'probeTimeout', '--probe-timeout') ?? 5000,
  };
}

/**
 * Reads the restart options; `always` for `kpki restart`.
 * @throws UsageError for an unknown driver, or the command driver without a template.
 */
export function parseRestartOptions(raw: RawOptions, always = false): RestartOptions {
  const driver = textOf(raw, 'restartDriver');
  if (driver !== undefined && !RESTART_DRIVERS.includes(driver as RestartDriverName))
    throw new UsageError(
      `unknown --restart-driver "${driver}" (use ${RESTART_DRIVERS.join(', ')})`,
    );
  const command = textOf(raw, 'restartCommand');
  const chosen = (driver ?? (command !== undefined ? 'command' : undefined)) as
    | RestartDriverName
    | undefined;
  if (chosen === 'command' && command === undefined)
    throw new UsageError('--restart-driver command needs --restart-command TEMPLATE');
  const restart = always || flagOf(raw, 'restart');
  if (!restart && (driver !== undefined || command !== undefined))
    throw new UsageError('--restart-driver and --restart-command need --restart');
  return {
    ...parseProveOptions(raw),
    restart,
    driver: chosen,
    command,
    healthTimeoutMs: durationOf(raw, 'restartTimeout', '--restart-timeout') ?? 120_000,
    filePeriodMs: durationOf(raw, 'fileCheckPeriod', '--file-check-period') ?? 20_000,
    manifestsDir: textOf(raw, 'manifestsDir'),
  };
}
