/** `kpki renew`'s options. */
import { parseKubeadmFlags, type KubeadmFlags } from './kubeadm-flags.js';
import { parseRke2Flags, type Rke2Flags } from './rke2-flags.js';
import { parseRestartOptions, type RestartOptions } from './live.js';
import { UsageError } from '../../errors.js';
import { flagOf, listOf, textOf, type ActionInput } from './raw.js';
import {
  durationOf,
  parsePlanOptions,
  parseTreeOptions,
  type PlanOptions,
  type TreeOptions,
} from './tree.js';

/** `renew NAME...`: what to renew and the spec flags. */
export interface RenewOptions extends TreeOptions, PlanOptions {
  /** The positional names (kubeadm certificate names or "all"; RKE2/K3s service names). */
  readonly names: readonly string[];
  /** `--service` values as given (RKE2/K3s). */
  readonly services: readonly string[];
  /** `--expiring-within`; undefined when not given. */
  readonly expiringWithinMs: number | undefined;
  readonly serverDataDir: string | undefined;
  /** `--allow-expired-ca` (kubeadm): renew under an expired or expiring CA with a warning. */
  readonly allowExpiredCa: boolean;
  /** `--update-sans` (kubeadm): the spec's SANs and server URLs instead of the copied ones. */
  readonly updateSans: boolean;
  /** The kubeadm flags (`--node-name` and `--service-cidr` shared with the RKE2 flags). */
  readonly kubeadm: KubeadmFlags;
  readonly rke2: Rke2Flags;
  /** `--restart` and its flags (kubeadm). */
  readonly live: RestartOptions;
  /** `--use-api` with its kubeconfig, server and timeout; undefined for a local renewal. */
  readonly api: RenewApiOptions | undefined;
}

/** How to reach the certificates API for `renew --use-api`. */
export interface RenewApiOptions {
  /** undefined: the tree's admin kubeconfig, as kubeadm defaults to /etc/kubernetes/admin.conf. */
  readonly kubeconfig: string | undefined;
  readonly server: string | undefined;
  readonly timeoutMs: number;
}

/**
 * Parses renew's options and names.
 * @throws InvalidInputError `BAD_DURATION` for a bad `--expiring-within` or `--api-timeout`;
 *   UsageError for `--kubeconfig`/`--server` without `--use-api`.
 */
export function parseRenewOptions({ raw, dirSource, args }: ActionInput): RenewOptions {
  return {
    ...parseTreeOptions(raw, dirSource),
    ...parsePlanOptions(raw),
    names: args,
    services: listOf(raw, 'service'),
    expiringWithinMs: durationOf(raw, 'expiringWithin', '--expiring-within'),
    serverDataDir: textOf(raw, 'serverDataDir'),
    allowExpiredCa: flagOf(raw, 'allowExpiredCa'),
    updateSans: flagOf(raw, 'updateSans'),
    kubeadm: parseKubeadmFlags(raw),
    rke2: parseRke2Flags(raw),
    live: parseRestartOptions(raw),
    api: parseApiOptions(raw),
  };
}

function parseApiOptions(raw: ActionInput['raw']): RenewApiOptions | undefined {
  if (!flagOf(raw, 'useApi')) {
    for (const flag of ['kubeconfig', 'server'])
      if (textOf(raw, flag) !== undefined) throw new UsageError(`--${flag} needs --use-api`);
    return undefined;
  }
  return {
    kubeconfig: textOf(raw, 'kubeconfig'),
    server: textOf(raw, 'server'),
    timeoutMs: durationOf(raw, 'apiTimeout', '--api-timeout') ?? 600_000,
  };
}
