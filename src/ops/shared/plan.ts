/**
 * Plans: plain values saying what an operation will do and why. Every use case is `plan(ctx,
 * params) → Planned`, then `apply(ctx, planned)`: `--dry-run` prints `planned.plan`, and apply
 * executes `planned.change` — the files already prepared by the plan (keys generated, certificates
 * signed) — and nothing else, so what the dry run shows is exactly what apply does.
 *
 * The printable part (`Plan`: names, actions, reasons, paths) and the data (`PreparedChange`:
 * file bytes, key material) are separate values; printers take a `Plan` only, and a
 * `PreparedChange` renders as a summary of paths in JSON and `util.inspect`, never its bytes.
 */
import type { ChangeSet, CommitResult, FileWrite, OpsContext } from './ports.js';

/** What happens to one catalogue entry. */
export type PlanAction = 'create' | 'replace' | 'reuse' | 'renew' | 'skip' | 'remove';

/** One line of a plan. Printable: holds no file contents and no key material. */
export interface PlanItem {
  readonly name: string;
  readonly action: PlanAction;
  readonly reason: string;
  /** Files this item writes or deletes, relative to the tree root. */
  readonly files: readonly string[];
}

/** The printable part of a plan. */
export interface Plan {
  readonly operation: string;
  readonly root: string;
  readonly items: readonly PlanItem[];
  /** Components to restart after apply, in order. */
  readonly restart: readonly string[];
  readonly warnings: readonly string[];
}

/**
 * The data of a plan: the change apply commits, with the label its backup gets. Its writes hold
 * key bytes, so it prints as paths only (toJSON, util.inspect); its fields stay readable to apply.
 */
export class PreparedChange implements ChangeSet {
  readonly writes: readonly FileWrite[];
  readonly deletes: readonly string[];
  /** The operation name the commit records (the backup's label), e.g. `rotate-ca-trust`. */
  readonly label: string;

  constructor(label: string, writes: readonly FileWrite[], deletes: readonly string[] = []) {
    this.label = label;
    this.writes = [...writes].sort((a, b) => a.path.localeCompare(b.path));
    this.deletes = [...deletes].sort();
    Object.freeze(this);
  }

  /** True when the change writes and deletes nothing. */
  get empty(): boolean {
    return this.writes.length === 0 && this.deletes.length === 0;
  }

  /** Every path the change touches, sorted. */
  paths(): string[] {
    return [...new Set([...this.writes.map((write) => write.path), ...this.deletes])].sort();
  }

  /** Paths only: a change must never print its bytes. */
  toJSON(): { label: string; writes: string[]; deletes: readonly string[] } {
    return { label: this.label, writes: this.writes.map((w) => w.path), deletes: this.deletes };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `PreparedChange(${this.label}: ${this.paths().join(', ')})`;
  }
}

/** A plan ready to apply: its printable part and its data, apart. */
export interface Planned<P extends Plan = Plan> {
  readonly plan: P;
  readonly change: PreparedChange;
}

/** The one shape of apply: execute exactly what `planned` says. */
export type Apply<P extends Planned = Planned, R = CommitResult | undefined> = (
  ctx: OpsContext,
  planned: P,
) => Promise<R>;

/**
 * Commits a planned change in one all-or-nothing commit (inside `ctx.tree.exclusive`, as every
 * commit); undefined, and nothing committed, when the change is empty.
 * @throws the errors of TreeStore.commit.
 */
export async function applyPlanned(
  ctx: Pick<OpsContext, 'tree'>,
  planned: Planned,
): Promise<CommitResult | undefined> {
  if (planned.change.empty) return undefined;
  return ctx.tree.commit(planned.change, planned.change.label);
}

/** Every path the plan's items name, sorted: what `--dry-run` says will change. */
export function plannedPaths(plan: Plan): string[] {
  return [...new Set(plan.items.flatMap((item) => item.files))].sort();
}

/** Names of components that use any of `items`' entries, in `order`. */
export function restartOrder(components: Iterable<string>, order: readonly string[]): string[] {
  const wanted = new Set(components);
  return [
    ...order.filter((name) => wanted.has(name)),
    ...[...wanted].filter((name) => !order.includes(name)).sort(),
  ];
}
