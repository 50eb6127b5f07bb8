/** `kpki signer`'s options. */
import { UsageError } from '../../errors.js';
import { flagOf, outputOf, textOf, type ActionInput } from './raw.js';
import { durationOf, parseTreeOptions, type TreeOptions } from './tree.js';

/** Which API server, how often, and whether to run one pass only. */
export interface SignerOptions extends TreeOptions {
  /** `--kubeconfig`: the signer's own credentials for the API server. */
  readonly kubeconfig: string;
  /** `--server`: overrides the kubeconfig's server URL. */
  readonly server: string | undefined;
  /** `--once`: one pass over the CSRs, then exit with what was done. */
  readonly once: boolean;
  /** `--interval` between passes, in milliseconds. */
  readonly intervalMs: number;
  readonly output: 'text' | 'json';
  /** The Lease the running signer's replicas elect a leader on; undefined with `--no-leader-elect`. */
  readonly lease:
    | {
        readonly namespace: string;
        readonly name: string;
        readonly identity: string | undefined;
        readonly durationSeconds: number;
      }
    | undefined;
}

/**
 * Parses the signer's options.
 * @throws UsageError without `--kubeconfig`; InvalidInputError `BAD_DURATION` for `--interval`.
 */
export function parseSignerOptions({ raw, dirSource }: ActionInput): SignerOptions {
  const kubeconfig = textOf(raw, 'kubeconfig');
  if (kubeconfig === undefined) throw new UsageError('signer needs --kubeconfig');
  const intervalMs = durationOf(raw, 'interval', '--interval') ?? 5000;
  if (intervalMs < 100) throw new UsageError('--interval must be at least 100ms');
  return {
    ...parseTreeOptions(raw, dirSource),
    kubeconfig,
    server: textOf(raw, 'server'),
    once: flagOf(raw, 'once'),
    intervalMs,
    output: outputOf(raw, ['text', 'json'] as const),
    lease:
      raw.leaderElect === false
        ? undefined
        : {
            namespace: textOf(raw, 'leaseNamespace') ?? 'kpki-system',
            name: textOf(raw, 'leaseName') ?? 'kpki-signer',
            identity: textOf(raw, 'identity'),
            durationSeconds: Math.max(
              1,
              Math.round((durationOf(raw, 'leaseDuration', '--lease-duration') ?? 15_000) / 1000),
            ),
          },
  };
}
