/** `kpki rotate`'s and `kpki rotate-ca`'s options. */
import { parseRestartOptions, type RestartOptions } from './live.js';
import { UsageError } from '../../errors.js';
import { ROTATION_PHASES, type RotationPhase } from '../../ops/kubeadm/rotate-ca-phases.js';
import type { DatastoreOptions } from '../server-data-dir.js';
import { parseKubeadmFlags, type KubeadmFlags } from './kubeadm-flags.js';
import { parseRke2Flags, type Rke2Flags } from './rke2-flags.js';
import { commaListOf, flagOf, listOf, textOf, type ActionInput } from './raw.js';
import { parsePlanOptions, parseTreeOptions, type PlanOptions, type TreeOptions } from './tree.js';

/** `rotate`: which services, and (RKE) whether the CAs rotate too. */
export interface RotateOptions extends TreeOptions, PlanOptions {
  /** `--service` values as given (RKE2/K3s split comma lists). */
  readonly services: readonly string[];
  /** `--rotate-ca` (RKE). */
  readonly rotateCa: boolean;
  readonly serverDataDir: string | undefined;
  readonly rke2: Rke2Flags;
}

/** Parses rotate's options. */
export function parseRotateOptions({ raw, dirSource }: ActionInput): RotateOptions {
  return {
    ...parseTreeOptions(raw, dirSource),
    ...parsePlanOptions(raw),
    services: listOf(raw, 'service'),
    rotateCa: flagOf(raw, 'rotateCa'),
    serverDataDir: textOf(raw, 'serverDataDir'),
    rke2: parseRke2Flags(raw),
  };
}

/** `rotate-ca`: kubeadm's phase and CAs, RKE2/K3s's staged directory and datastore. */
export interface RotateCaOptions extends TreeOptions, PlanOptions {
  /** `--restart` and its flags (kubeadm phases). */
  readonly live: RestartOptions;
  /** `--phase` (kubeadm); undefined when not given. */
  readonly phase: RotationPhase | undefined;
  /** `--ca`, split at commas (kubeadm); [] for all. */
  readonly cas: readonly string[];
  /** `--path` (RKE2/K3s). */
  readonly path: string | undefined;
  /** `--force` (RKE2/K3s). */
  readonly force: boolean;
  /** `--datastore`, `--token` and the datastore TLS files (RKE2/K3s). */
  readonly store: DatastoreOptions;
  /** Only `--node-name` and `--service-cidr` (shared with the RKE2 flags). */
  readonly kubeadm: KubeadmFlags;
  readonly rke2: Rke2Flags;
}

/**
 * Parses rotate-ca's options.
 * @throws UsageError for a `--phase` that is not trust, issue or finish.
 */
export function parseRotateCaOptions({ raw, dirSource }: ActionInput): RotateCaOptions {
  const phaseText = textOf(raw, 'phase');
  const phase = ROTATION_PHASES.find((p) => p === phaseText);
  if (phaseText !== undefined && phase === undefined)
    throw new UsageError(`--phase must be one of ${ROTATION_PHASES.join(', ')}`);
  return {
    ...parseTreeOptions(raw, dirSource),
    ...parsePlanOptions(raw),
    phase,
    live: parseRestartOptions(raw),
    cas: commaListOf(raw, 'ca'),
    path: textOf(raw, 'path'),
    force: flagOf(raw, 'force'),
    store: {
      token: textOf(raw, 'token'),
      datastore: textOf(raw, 'datastore'),
      datastoreCafile: textOf(raw, 'datastoreCafile'),
      datastoreCertfile: textOf(raw, 'datastoreCertfile'),
      datastoreKeyfile: textOf(raw, 'datastoreKeyfile'),
    },
    kubeadm: parseKubeadmFlags(raw),
    rke2: parseRke2Flags(raw),
  };
}
