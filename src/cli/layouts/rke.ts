/**
 * The RKE1 layout's command handlers. `--config` names the cluster file (default `cluster.yml`);
 * the state file and the admin kubeconfig sit beside it, and the tree root is its directory.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ExitCode, UsageError } from '../../errors.js';
import { parseDuration } from '../../pki/duration.js';
import { hasProblems, isExpiring } from '../../layouts/check-report.js';
import {
  formatKubeadmJson,
  formatKubeadmTable,
  formatKubeadmYaml,
  formatProblems,
} from '../../layouts/kubeadm/check-output.js';
import { rkeFiles, type RkeFiles } from '../../layouts/rke/files.js';
import { toRkeConfig } from '../../layouts/rke/rke-config.js';
import { checkRkeState } from '../../ops/rke/check.js';
import { applyRkeExport, rkeNodeFiles } from '../../ops/rke/export.js';
import { readRkeTree } from '../../ops/rke/tree.js';
import { applyRkeImport } from '../../ops/rke/import.js';
import { applyRkeInit, planRkeInit } from '../../ops/rke/init.js';
import { applyRkeRotate, planRkeRotate, type RkePlan } from '../../ops/rke/rotate.js';
import type { OpsContext, TreeReader } from '../../ops/shared/ports.js';
import type { Plan } from '../../ops/shared/plan.js';
import { openTreeStore } from '../../stores/fs-tree-store.js';
import { formatApplied, formatPlan, planJson, warn } from '../output.js';
import type { CommandOptions, LayoutHandlers } from './handler-types.js';

const DEFAULT_CLUSTER_FILE = 'cluster.yml';
const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;
const dryRun = (options: CommandOptions): boolean => options.dryRun === true;

/** The cluster file path as given, or `cluster.yml` in --dir (when given) or the working directory. */
function clusterFilePath(options: CommandOptions): string {
  return (
    options.config ??
    (options.dirSource === 'cli' ? join(options.dir, DEFAULT_CLUSTER_FILE) : DEFAULT_CLUSTER_FILE)
  );
}

function filesOf(options: CommandOptions): RkeFiles {
  return rkeFiles(basename(clusterFilePath(options)));
}

/**
 * The cluster file's directory. Without --layout, RKE claims a command only when the state file
 * sits beside the given --config.
 * @throws UsageError when --dir is given and is not the cluster file's directory.
 */
function treeRoot(options: CommandOptions, forced: boolean): string | undefined {
  const path = resolve(clusterFilePath(options));
  const root = dirname(path);
  if (
    !forced &&
    (options.config === undefined || !existsSync(join(root, rkeFiles(basename(path)).stateFile)))
  )
    return undefined;
  if (options.dirSource === 'cli' && resolve(options.dir) !== root) {
    throw new UsageError(
      `--dir "${options.dir}" is not the directory of the cluster file "${clusterFilePath(options)}"; RKE keeps the state beside the cluster file`,
    );
  }
  return root;
}

async function detect(tree: TreeReader, options?: CommandOptions): Promise<boolean> {
  return tree.exists(
    options ? filesOf(options).stateFile : rkeFiles(DEFAULT_CLUSTER_FILE).stateFile,
  );
}

async function rkeConfigOf(ctx: OpsContext, files: RkeFiles): Promise<Record<string, unknown>> {
  const bytes = await ctx.tree.read(files.clusterFile);
  return bytes === undefined ? {} : toRkeConfig(new TextDecoder().decode(bytes));
}

function planOutput(
  options: CommandOptions,
  plan: Plan,
  result: Parameters<typeof formatApplied>[1],
): string {
  if (options.output === 'json') return planJson(plan, result, dryRun(options));
  return formatPlan(plan, dryRun(options)) + (dryRun(options) ? '' : formatApplied(plan, result));
}

async function init(ctx: OpsContext, options: CommandOptions): Promise<string> {
  const files = filesOf(options);
  const params = { files, rkeConfig: await rkeConfigOf(ctx, files) };
  const planned = await planRkeInit(ctx, params);
  const { plan } = planned;
  const result = dryRun(options) ? undefined : await applyRkeInit(ctx, planned);
  return planOutput(options, plan, result);
}

async function check(ctx: OpsContext, options: CommandOptions): Promise<string> {
  const within = text(options.warnWithin);
  const windowMs = within === undefined ? 0 : parseDuration(within, '--warn-within');
  const report = await checkRkeState(ctx, filesOf(options));
  if ([...report.certificates, ...report.authorities].some((row) => isExpiring(row, windowMs)))
    process.exitCode = ExitCode.expiring;
  else if (hasProblems(report)) process.exitCode = ExitCode.invalid;
  if (options.output === 'json') return formatKubeadmJson(report);
  if (options.output === 'yaml') return formatKubeadmYaml(report);
  warn(formatProblems(report).split('\n').filter(Boolean));
  return formatKubeadmTable(report);
}

/** `rotate-ca` on RKE1 is `rke cert rotate --rotate-ca`: new CAs and every certificate (RKE has no staged rotation). */
function rotateCa(ctx: OpsContext, options: CommandOptions): Promise<string> {
  return rotate(ctx, { ...options, rotateCa: true });
}

async function rotate(ctx: OpsContext, options: CommandOptions): Promise<string> {
  const services = Array.isArray(options.service) ? (options.service as string[]) : [];
  const params = { files: filesOf(options), services, rotateCa: options.rotateCa === true };
  const planned = await planRkeRotate(ctx, params);
  const { plan } = planned;
  warn(plan.warnings);
  const result = dryRun(options) ? undefined : await applyRkeRotate(ctx, planned);
  const restart =
    dryRun(options) && plan.restart.length > 0
      ? `[rotate] would restart: ${plan.restart.join(', ')}\n`
      : '';
  return (
    planOutput(options, plan, result) + (options.output === 'json' ? '' : restart + podLines(plan))
  );
}

function podLines(plan: RkePlan): string {
  if (plan.deletePods.length === 0) return '';
  return `[rotate] then delete these kube-system pods so they load the new CA: ${plan.deletePods.map((s) => `-l ${s}`).join(', ')}\n`;
}

async function csrGenerate(ctx: OpsContext, options: CommandOptions): Promise<string> {
  const files = filesOf(options);
  const dir = resolve(
    text(options.certDir) ?? text(options.csrDir) ?? join(ctx.tree.root, files.certDir),
  );
  await readRkeTree(ctx.tree, files); // a bad cluster file fails before the directory is created
  await mkdir(dir, { recursive: true, mode: 0o755 });
  // Loaded on use: the CSR code pulls in @peculiar/x509, which every other command would pay for at start-up.
  const { applyRkeCsr } = await import('../../ops/rke/csr.js');
  const { items, result } = await applyRkeCsr(ctx, { files, out: await openTreeStore(dir) });
  const plan: Plan = { operation: 'csr generate', root: dir, items, restart: [], warnings: [] };
  return planOutput({ ...options, dryRun: false }, plan, result);
}

async function rkeImport(ctx: OpsContext, options: CommandOptions): Promise<string> {
  const files = filesOf(options);
  const dir = resolve(text(options.certDir) ?? join(ctx.tree.root, files.certDir));
  const { result, names, warnings } = await applyRkeImport(ctx, {
    files,
    certDir: await openTreeStore(dir),
    rkeConfig: await rkeConfigOf(ctx, files),
  });
  warn(warnings);
  const plan: Plan = {
    operation: 'rke import',
    root: ctx.tree.root,
    items: names.map((name) => ({
      name,
      action: 'renew',
      reason: `from ${dir}`,
      files: [files.stateFile],
    })),
    restart: [],
    warnings,
  };
  return planOutput({ ...options, dryRun: false }, plan, result);
}

async function rkeExport(ctx: OpsContext, options: CommandOptions): Promise<string> {
  const node = text(options.node);
  const outDir = text(options.out);
  if (node === undefined || outDir === undefined)
    throw new UsageError('rke export needs --node ADDRESS and --out DIR');
  await rkeNodeFiles(ctx, { files: filesOf(options), node }); // an unknown node fails before the directory is created
  await mkdir(resolve(outDir), { recursive: true, mode: 0o700 });
  const out = await openTreeStore(resolve(outDir));
  const { result, files } = await applyRkeExport(ctx, { files: filesOf(options), node, out });
  if (options.output === 'json')
    return `${JSON.stringify({ node, out: out.root, files, backup: result }, null, 2)}\n`;
  return `[rke export] wrote ${files.length} files for ${node} to ${out.root}:\n${files.map((f) => `  ${f}`).join('\n')}\n`;
}

/** RKE1's handlers (`--layout rke`). */
export const rkeHandlers: LayoutHandlers = {
  names: ['rke'],
  detect,
  treeRoot,
  commands: {
    init,
    check,
    rotate,
    'rotate-ca': rotateCa,
    'csr-generate': csrGenerate,
    'rke-import': rkeImport,
    'rke-export': rkeExport,
  },
};
