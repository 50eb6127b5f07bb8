/** `kpki ca generate`'s and `kpki ca cross-sign`'s options. */
import { UsageError } from '../../errors.js';
import { parseKubeadmFlags, type KubeadmFlags } from './kubeadm-flags.js';
import { flagOf, outputOf, textOf, type ActionInput } from './raw.js';
import { parseTreeOptions, type TreeOptions } from './tree.js';

/** A CA the user hands in: its certificate file and, optionally, its key file. */
export interface GivenCaPaths {
  readonly cert: string;
  readonly key: string | undefined;
}

/** `ca generate`: the output directory (the tree the handler writes) and the CAs handed in. */
export interface CaGenerateOptions extends TreeOptions {
  readonly output: 'text' | 'json';
  /** `--out`, also the tree's `dir`. */
  readonly out: string;
  readonly root: GivenCaPaths | undefined;
  readonly intermediate: GivenCaPaths | undefined;
  readonly kubeadm: KubeadmFlags;
}

function givenCa(cert: string | undefined, key: string | undefined): GivenCaPaths | undefined {
  return cert === undefined ? undefined : { cert, key };
}

/**
 * Parses ca generate's options; the tree is `--out` (no --dir, so no dirSource).
 * @throws UsageError when `--root-key` comes without `--root-cert`, or only one of the
 *   intermediate's two files is given; for a bad `--apiserver-bind-port`.
 */
export function parseCaGenerateOptions({ raw }: ActionInput): CaGenerateOptions {
  const rootCert = textOf(raw, 'rootCert');
  const rootKey = textOf(raw, 'rootKey');
  const intermediateCert = textOf(raw, 'intermediateCert');
  const intermediateKey = textOf(raw, 'intermediateKey');
  if (
    (rootKey !== undefined && rootCert === undefined) ||
    (intermediateCert === undefined) !== (intermediateKey === undefined)
  ) {
    throw new UsageError(
      'give --root-cert with --root-key, and --intermediate-cert together with --intermediate-key',
    );
  }
  const out = textOf(raw, 'out') ?? '.';
  return {
    ...parseTreeOptions(raw, undefined, out),
    dir: out,
    output: outputOf(raw, ['text', 'json'] as const),
    out,
    root: givenCa(rootCert, rootKey),
    intermediate: givenCa(intermediateCert, intermediateKey),
    kubeadm: parseKubeadmFlags(raw),
  };
}

/** `ca cross-sign`: the staging directory and whether the new tokens print whole. */
export interface CaCrossSignOptions extends TreeOptions {
  readonly output: 'text' | 'json';
  readonly out: string;
  /** `--show-tokens`: print the join tokens with their passwords. */
  readonly showTokens: boolean;
}

/** Parses ca cross-sign's options. */
export function parseCaCrossSignOptions({ raw, dirSource }: ActionInput): CaCrossSignOptions {
  return {
    ...parseTreeOptions(raw, dirSource),
    output: outputOf(raw, ['text', 'json'] as const),
    out: textOf(raw, 'out') ?? '',
    showTokens: flagOf(raw, 'showTokens'),
  };
}
