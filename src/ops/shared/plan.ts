/**
 * Plans: plain values saying what an operation will do and why. `--dry-run` prints them; apply
 * executes exactly what they say.
 */

/** What happens to one catalogue entry. */
export type PlanAction = 'create' | 'reuse' | 'renew' | 'skip' | 'remove';

/** One line of a plan. */
export interface PlanItem {
  readonly name: string;
  readonly action: PlanAction;
  readonly reason: string;
  /** Files this item writes, relative to the tree root. */
  readonly files: readonly string[];
}

/** A whole plan. */
export interface Plan {
  readonly operation: string;
  readonly root: string;
  readonly items: readonly PlanItem[];
  /** Components to restart after apply, in order. */
  readonly restart: readonly string[];
  readonly warnings: readonly string[];
}

/** Names of components that use any of `items`' entries, in `order`. */
export function restartOrder(components: Iterable<string>, order: readonly string[]): string[] {
  const wanted = new Set(components);
  return [
    ...order.filter((name) => wanted.has(name)),
    ...[...wanted].filter((name) => !order.includes(name)).sort(),
  ];
}
