/** `kpki init`'s options. */
import { parseKubeadmFlags, type KubeadmFlags } from './kubeadm-flags.js';
import { parseRke2Flags, type Rke2Flags } from './rke2-flags.js';
import { flagOf, textOf, type ActionInput } from './raw.js';
import { parsePlanOptions, parseTreeOptions, type PlanOptions, type TreeOptions } from './tree.js';

/** `init`: the tree, the spec flags of both layouts, and the agent's server data dir. */
export interface InitOptions extends TreeOptions, PlanOptions {
  readonly kubeadm: KubeadmFlags;
  readonly rke2: Rke2Flags;
  /** `--agent`: an agent-only RKE2/K3s data dir. */
  readonly agent: boolean;
  readonly serverDataDir: string | undefined;
}

/**
 * Parses init's options; `--layout` defaults to kubeadm.
 * @throws UsageError for a bad `--apiserver-bind-port`.
 */
export function parseInitOptions({ raw, dirSource }: ActionInput): InitOptions {
  return {
    ...parseTreeOptions(raw, dirSource),
    layout: textOf(raw, 'layout') ?? 'kubeadm',
    ...parsePlanOptions(raw),
    kubeadm: parseKubeadmFlags(raw),
    rke2: parseRke2Flags(raw),
    agent: flagOf(raw, 'agent'),
    serverDataDir: textOf(raw, 'serverDataDir'),
  };
}
