/** `kpki check`'s options. */
import { listOf, outputOf, type ActionInput } from './raw.js';
import { durationOf, parseTreeOptions, type TreeOptions } from './tree.js';

/** The formats `check -o` accepts. */
export const CHECK_FORMATS = ['text', 'table', 'json', 'yaml'] as const;

/** `check`: the tree, the output format, and the windows that make it exit 4. */
export interface CheckOptions extends TreeOptions {
  readonly output: (typeof CHECK_FORMATS)[number];
  /** `--warn-within` (kubeadm, RKE); undefined when not given. */
  readonly warnWithinMs: number | undefined;
  /** `--renewal-window` (RKE2/K3s); undefined when not given. */
  readonly renewalWindowMs: number | undefined;
  /** `--service` values as given (RKE2/K3s; comma lists are split by the layout). */
  readonly services: readonly string[];
}

/**
 * Parses check's options.
 * @throws InvalidInputError `BAD_DURATION` for a bad `--warn-within` or `--renewal-window`.
 */
export function parseCheckOptions({ raw, dirSource }: ActionInput): CheckOptions {
  return {
    ...parseTreeOptions(raw, dirSource),
    output: outputOf(raw, CHECK_FORMATS),
    warnWithinMs: durationOf(raw, 'warnWithin', '--warn-within'),
    renewalWindowMs: durationOf(raw, 'renewalWindow', '--renewal-window'),
    services: listOf(raw, 'service'),
  };
}
