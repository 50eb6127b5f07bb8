/** Printing plans and results, and the common `-o` option. */
import { Option } from 'commander';
import { UsageError } from '../errors.js';
import type { Plan } from '../ops/shared/plan.js';
import type { CommitResult } from '../ops/shared/ports.js';
import type { PlanOptions } from './options/tree.js';

/** `-o, --output FORMAT` restricted to `formats`. */
export function outputOption(formats: readonly string[]): Option {
  return new Option('-o, --output <format>', 'output format').choices(formats).default('text');
}

/** Writes to standard output. */
export function print(text: string): void {
  process.stdout.write(text.endsWith('\n') || text === '' ? text : `${text}\n`);
}

/** Warnings go to standard error so structured output stays parseable. */
export function warn(lines: readonly string[]): void {
  for (const line of lines)
    process.stderr.write(`${line.startsWith('[') ? '' : 'warning: '}${line}\n`);
}

/** A plan as text: one line per item, then what must restart. */
export function formatPlan(plan: Plan, dryRun: boolean): string {
  const width = Math.max(...plan.items.map((item) => item.name.length), 4);
  const lines = [
    `[${plan.operation}] ${dryRun ? 'plan (dry run, nothing written)' : 'plan'} for ${plan.root}:`,
  ];
  for (const item of plan.items)
    lines.push(`  ${item.action.padEnd(6)} ${item.name.padEnd(width)}  ${item.reason}`);
  return `${lines.join('\n')}\n`;
}

/**
 * The closing lines after apply: backup and restarts. `onlyNew`: the operation never replaces a
 * file (kubeadm init), so no "previous files backed up" is claimed.
 */
export function formatApplied(
  plan: Plan,
  result: CommitResult | undefined,
  onlyNew = false,
): string {
  if (!result) return `[${plan.operation}] nothing to change\n`;
  const lines = [
    !onlyNew
      ? `[${plan.operation}] done; previous files backed up as ${result.backupId} (${result.backupPath})`
      : `[${plan.operation}] done; only new files were written, no existing file was replaced (backup ${result.backupId} records what was created)`,
    `[${plan.operation}] undo with: kpki rollback --dir ${plan.root}`,
  ];
  if (plan.restart.length > 0)
    lines.push(
      `[${plan.operation}] restart, in this order, so they load the new files: ${plan.restart.join(', ')}`,
    );
  return `${lines.join('\n')}\n`;
}

/**
 * Runs `apply` unless `options.dryRun`: the one place a dry run skips the writes (the plan is
 * computed and printed either way). Resolves to undefined on a dry run.
 */
export async function unlessDryRun<R>(
  options: Pick<PlanOptions, 'dryRun'>,
  apply: () => Promise<R>,
): Promise<R | undefined> {
  return options.dryRun ? undefined : apply();
}

/**
 * A plan and what applying it did, as `-o` asks: its JSON, or the plan as text followed (unless
 * this is a dry run) by the backup, undo and restart lines.
 */
export function planOutput(
  options: PlanOptions,
  plan: Plan,
  result: CommitResult | undefined,
  onlyNew = false,
): string {
  if (options.output === 'json') return planJson(plan, result, options.dryRun);
  return (
    formatPlan(plan, options.dryRun) + (options.dryRun ? '' : formatApplied(plan, result, onlyNew))
  );
}

/** JSON of a plan and its result. */
export function planJson(plan: Plan, result: CommitResult | undefined, dryRun: boolean): string {
  return `${JSON.stringify({ ...plan, dryRun, ...(result && { backup: result }) }, null, 2)}\n`;
}

/** Parses a positive duration option. */
export function requireFormat(value: string, formats: readonly string[]): void {
  if (!formats.includes(value))
    throw new UsageError(`unknown output format "${value}" (use ${formats.join(', ')})`);
}
