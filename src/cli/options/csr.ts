/** `kpki csr generate`'s and `kpki csr sign`'s options. */
import { parseKubeadmFlags, type KubeadmFlags } from './kubeadm-flags.js';
import { textOf, type ActionInput } from './raw.js';
import { parsePlanOptions, parseTreeOptions, type PlanOptions, type TreeOptions } from './tree.js';

/** `csr generate`: where the keys and requests go. */
export interface CsrGenerateOptions extends TreeOptions, PlanOptions {
  /** `--csr-dir`: write there instead of the tree. */
  readonly csrDir: string | undefined;
  /** `--cert-dir` (RKE). */
  readonly certDir: string | undefined;
  readonly kubeadm: KubeadmFlags;
}

/**
 * Parses csr generate's options.
 * @throws UsageError for a bad `--apiserver-bind-port`.
 */
export function parseCsrGenerateOptions({ raw, dirSource }: ActionInput): CsrGenerateOptions {
  return {
    ...parseTreeOptions(raw, dirSource),
    ...parsePlanOptions(raw),
    csrDir: textOf(raw, 'csrDir'),
    certDir: textOf(raw, 'certDir'),
    kubeadm: parseKubeadmFlags(raw),
  };
}

/** `csr sign`: where the requests are read from. */
export interface CsrSignOptions extends TreeOptions, PlanOptions {
  /** `--csr-dir`: read the CSRs and keys there instead of the tree. */
  readonly csrDir: string | undefined;
  readonly kubeadm: KubeadmFlags;
}

/**
 * Parses csr sign's options.
 * @throws UsageError for a bad `--apiserver-bind-port`.
 */
export function parseCsrSignOptions({ raw, dirSource }: ActionInput): CsrSignOptions {
  return {
    ...parseTreeOptions(raw, dirSource),
    ...parsePlanOptions(raw),
    csrDir: textOf(raw, 'csrDir'),
    kubeadm: parseKubeadmFlags(raw),
  };
}
