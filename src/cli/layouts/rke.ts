/**
 * The RKE1 layout's command handlers. `--config` names the cluster file (default `cluster.yml`);
 * the state file and the admin kubeconfig sit beside it, and the tree root is its directory.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { rkeFiles, type RkeFiles } from '../../layouts/rke/files.js';
import { toRkeConfig } from '../../layouts/rke/rke-config.js';
import { checkRkeState } from '../../ops/rke/check.js';
import { applyRkeExport, planRkeExport, rkeNodeFiles } from '../../ops/rke/export.js';
import { readRkeTree } from '../../ops/rke/tree.js';
import { applyRkeImport } from '../../ops/rke/import.js';
import { applyRkeInit, planRkeInit } from '../../ops/rke/init.js';
import { applyRkeRotate, planRkeRotate, type RkePlan } from '../../ops/rke/rotate.js';
import {
  FileMode,
  type OpsContext,
  type RestoreModes,
  type TreeReader,
} from '../../ops/shared/ports.js';
import type { Plan } from '../../ops/shared/plan.js';
import { openTreeStore } from '../../stores/fs-tree-store.js';
import { checkReportResult } from '../check-result.js';
import { insecureDirProblems } from '../insecure-dirs.js';
import { succeeded, type CommandResult } from '../command-result.js';
import type { CheckOptions } from '../options/check.js';
import type { CsrGenerateOptions } from '../options/csr.js';
import type { InitOptions } from '../options/init.js';
import type { RkeExportOptions, RkeImportOptions } from '../options/rke.js';
import type { RotateCaOptions, RotateOptions } from '../options/rotate.js';
import { planOutput, unlessDryRun, warn } from '../output.js';
import type { LayoutHandlers, TreeOptions } from './handler-types.js';

const DEFAULT_CLUSTER_FILE = 'cluster.yml';

/** The cluster file path as given, or `cluster.yml` in --dir (when given) or the working directory. */
function clusterFilePath(options: TreeOptions): string {
  return (
    options.config ??
    (options.dirSource === 'cli' ? join(options.dir, DEFAULT_CLUSTER_FILE) : DEFAULT_CLUSTER_FILE)
  );
}

function filesOf(options: TreeOptions): RkeFiles {
  return rkeFiles(basename(clusterFilePath(options)));
}

/**
 * The cluster file's directory. Without --layout, RKE claims a command only when the state file
 * sits beside the given --config.
 * @throws UsageError when --dir is given and is not the cluster file's directory.
 */
function treeRoot(options: TreeOptions, forced: boolean): string | undefined {
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

/** The state file and the admin kubeconfig, both 0600 as RKE writes them. */
function restoreModes(_ctx: OpsContext, options: TreeOptions): Promise<RestoreModes> {
  const files = filesOf(options);
  const modes = new Map([
    [files.stateFile, FileMode.key],
    [files.adminKubeconfig, FileMode.kubeconfig],
  ]);
  return Promise.resolve((path) => modes.get(path));
}

async function detect(tree: TreeReader, options?: TreeOptions): Promise<boolean> {
  return tree.exists(
    options ? filesOf(options).stateFile : rkeFiles(DEFAULT_CLUSTER_FILE).stateFile,
  );
}

async function rkeConfigOf(ctx: OpsContext, files: RkeFiles): Promise<Record<string, unknown>> {
  const bytes = await ctx.tree.read(files.clusterFile);
  return bytes === undefined ? {} : toRkeConfig(new TextDecoder().decode(bytes), files.clusterFile);
}

async function init(ctx: OpsContext, options: InitOptions): Promise<CommandResult> {
  const files = filesOf(options);
  const params = { files, rkeConfig: await rkeConfigOf(ctx, files) };
  const planned = await planRkeInit(ctx, params);
  const { plan } = planned;
  const result = await unlessDryRun(options, () => applyRkeInit(ctx, planned));
  return succeeded(planOutput(options, plan, result));
}

async function check(ctx: OpsContext, options: CheckOptions): Promise<CommandResult> {
  const files = filesOf(options);
  const report = await checkRkeState(ctx, files);
  const dirs = await insecureDirProblems(ctx.tree.root, [files.stateFile]);
  return checkReportResult(report, options.output, options.warnWithinMs ?? 0, dirs);
}

/** `rotate-ca` on RKE1 is `rke cert rotate --rotate-ca`: new CAs and every certificate (RKE has no staged rotation). */
function rotateCa(ctx: OpsContext, options: RotateCaOptions): Promise<CommandResult> {
  return rotate(ctx, { ...options, services: [], rotateCa: true, serverDataDir: undefined });
}

async function rotate(ctx: OpsContext, options: RotateOptions): Promise<CommandResult> {
  const params = {
    files: filesOf(options),
    services: [...options.services],
    rotateCa: options.rotateCa,
  };
  const planned = await planRkeRotate(ctx, params);
  const { plan } = planned;
  warn(plan.warnings);
  const result = await unlessDryRun(options, () => applyRkeRotate(ctx, planned));
  const restart =
    options.dryRun && plan.restart.length > 0
      ? `[rotate] would restart: ${plan.restart.join(', ')}\n`
      : '';
  const notes = options.output === 'json' ? '' : restart + podLines(plan);
  return succeeded(planOutput(options, plan, result) + notes);
}

function podLines(plan: RkePlan): string {
  if (plan.deletePods.length === 0) return '';
  return `[rotate] then delete these kube-system pods so they load the new CA: ${plan.deletePods.map((s) => `-l ${s}`).join(', ')}\n`;
}

async function csrGenerate(ctx: OpsContext, options: CsrGenerateOptions): Promise<CommandResult> {
  const files = filesOf(options);
  const dir = resolve(options.certDir ?? options.csrDir ?? join(ctx.tree.root, files.certDir));
  await readRkeTree(ctx.tree, files); // a bad cluster file fails before the directory is created
  await mkdir(dir, { recursive: true, mode: 0o755 });
  // Loaded on use: the CSR code pulls in @peculiar/x509, which every other command would pay for at start-up.
  const { applyRkeCsr } = await import('../../ops/rke/csr.js');
  const { items, result } = await applyRkeCsr(ctx, { files, out: await openTreeStore(dir) });
  const plan: Plan = { operation: 'csr generate', root: dir, items, restart: [], warnings: [] };
  // RKE writes its CSRs at once (no plan to dry-run), like `rke cert generate-csr`.
  return succeeded(planOutput({ output: options.output, dryRun: false }, plan, result));
}

async function rkeImport(ctx: OpsContext, options: RkeImportOptions): Promise<CommandResult> {
  const files = filesOf(options);
  const dir = resolve(options.certDir ?? join(ctx.tree.root, files.certDir));
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
  return succeeded(planOutput({ output: options.output, dryRun: false }, plan, result));
}

async function rkeExport(ctx: OpsContext, options: RkeExportOptions): Promise<CommandResult> {
  const { node } = options;
  await rkeNodeFiles(ctx, { files: filesOf(options), node }); // an unknown node fails before the directory is created
  await mkdir(resolve(options.out), { recursive: true, mode: 0o700 });
  const out = await openTreeStore(resolve(options.out));
  const planned = await planRkeExport(ctx, { files: filesOf(options), node, out });
  const result = await out.exclusive(() => applyRkeExport(ctx, planned));
  const files = planned.change.paths();
  const { warnings } = planned.plan;
  warn(warnings);
  if (options.output === 'json')
    return succeeded(
      `${JSON.stringify({ node, out: out.root, files, warnings, backup: result }, null, 2)}\n`,
    );
  return succeeded(
    `[rke export] wrote ${files.length} files for ${node} to ${out.root}:\n${files.map((f) => `  ${f}`).join('\n')}\n`,
  );
}

/** RKE1's handlers (`--layout rke`). */
export const rkeHandlers: LayoutHandlers = {
  names: ['rke'],
  detect,
  restoreModes,
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
