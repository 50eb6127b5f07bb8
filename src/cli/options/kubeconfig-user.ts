/** `kpki kubeconfig user`'s options. */
import { listOf, type ActionInput } from './raw.js';
import { durationOf, parseTreeOptions, type TreeOptions } from './tree.js';

/** `kubeconfig user`: who the certificate is for and how long it lasts. */
export interface KubeconfigUserOptions extends TreeOptions {
  /** `--client-name`: the certificate CN. */
  readonly clientName: string;
  /** `--org` values: the certificate O. */
  readonly organizations: readonly string[];
  /** `--validity`; undefined for the cluster's. */
  readonly validityMs: number | undefined;
}

/**
 * Parses kubeconfig user's options.
 * @throws InvalidInputError `BAD_DURATION` for a bad `--validity`.
 */
export function parseKubeconfigUserOptions({ raw, dirSource }: ActionInput): KubeconfigUserOptions {
  return {
    ...parseTreeOptions(raw, dirSource),
    clientName: String(raw.clientName),
    organizations: listOf(raw, 'org'),
    validityMs: durationOf(raw, 'validity', '--validity'),
  };
}
