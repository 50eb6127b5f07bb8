/** `kpki renew`'s options. */
import { parseKubeadmFlags, type KubeadmFlags } from './kubeadm-flags.js';
import { parseRke2Flags, type Rke2Flags } from './rke2-flags.js';
import { parseRestartOptions, type RestartOptions } from './live.js';
import { listOf, textOf, type ActionInput } from './raw.js';
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
  /** Only `--node-name` and `--service-cidr` (renew has the RKE2 flags, which share them). */
  readonly kubeadm: KubeadmFlags;
  readonly rke2: Rke2Flags;
  /** `--restart` and its flags (kubeadm). */
  readonly live: RestartOptions;
}

/**
 * Parses renew's options and names.
 * @throws InvalidInputError `BAD_DURATION` for a bad `--expiring-within`.
 */
export function parseRenewOptions({ raw, dirSource, args }: ActionInput): RenewOptions {
  return {
    ...parseTreeOptions(raw, dirSource),
    ...parsePlanOptions(raw),
    names: args,
    services: listOf(raw, 'service'),
    expiringWithinMs: durationOf(raw, 'expiringWithin', '--expiring-within'),
    serverDataDir: textOf(raw, 'serverDataDir'),
    kubeadm: parseKubeadmFlags(raw),
    rke2: parseRke2Flags(raw),
    live: parseRestartOptions(raw),
  };
}
