/** The RKE2 and K3s layouts' command handlers (one set; the program name comes from --layout or the tree). */
import { join } from 'node:path';
import { UsageError } from '../../errors.js';
import type { OpsContext, RestoreModes, TreeReader } from '../../ops/shared/ports.js';
import { applyRke2Init, planRke2Init } from '../../ops/rke2/init.js';
import { checkRke2 } from '../../ops/rke2/check.js';
import { applyRke2Renew, planRke2Renew } from '../../ops/rke2/renew.js';
import { applyRke2Rotate, planRke2Rotate } from '../../ops/rke2/rotate.js';
import { applySaKeyRotate, planSaKeyRotate } from '../../ops/rke2/sa-key.js';
import { computeJoinTokens } from '../../ops/rke2/token.js';
import {
  formatRke2Json,
  formatRke2Table,
  formatRke2Text,
  formatRke2Yaml,
} from '../../layouts/rke2/check-output.js';
import { selectServices } from '../../layouts/rke2/services.js';
import { defaultDataDir, RKE2_DEFAULTS } from '../../layouts/rke2/spec.js';
import { externalFiles } from '../../stores/node-ports.js';
import { checkExitCode, succeeded, type CommandResult } from '../command-result.js';
import { insecureDirProblems } from '../insecure-dirs.js';
import { rke2CatalogueFileModes, rke2RotateBackupMode } from '../../layouts/rke2/catalogue.js';
import { bootstrapFieldsFor } from '../../layouts/bootstrap-record.js';
import type { CheckOptions } from '../options/check.js';
import type { InitOptions } from '../options/init.js';
import type { RenewOptions } from '../options/renew.js';
import type { RotateOptions } from '../options/rotate.js';
import type { SaKeyRotateOptions, TokenOptions } from '../options/sa-key-token.js';
import { planOutput, unlessDryRun, warn } from '../output.js';
import type { LayoutHandlers, TreeOptions } from './handler-types.js';
import { caCrossSign, caGenerate, rotateCa } from './rke2-ca.js';
import { rke2Setup } from './rke2-setup.js';
import { KUBELET_CLIENT_CERT_PATH } from '../../layouts/rke2/catalogue-entries.js';

const DAY_MS = 86_400_000;
/** RKE2's renewal window when none is given: certificates within it are WARNING and get renewed. */
const DEFAULT_WINDOW_MS = RKE2_DEFAULTS.renewDays * DAY_MS;

/** A server data dir to read CAs from (agent dirs). */
function caSource(
  serverDataDir: string | undefined,
): { read: (path: string) => Promise<Uint8Array | undefined>; where: string } | undefined {
  if (serverDataDir === undefined) return undefined;
  return { read: (path) => externalFiles.read(join(serverDataDir, path)), where: serverDataDir };
}

async function init(ctx: OpsContext, options: InitOptions): Promise<CommandResult> {
  const setup = await rke2Setup(ctx, options, options.rke2, options.agent ? 'agent' : 'server');
  const source = caSource(options.serverDataDir);
  if (!setup.isServer && !source)
    throw new UsageError(
      "--agent needs --server-data-dir: agent certificates are signed by the server's CAs",
    );
  const params = {
    catalogue: setup.catalogue,
    warnings: setup.warnings,
    ...(source && { caSource: source }),
  };
  const planned = await planRke2Init(ctx, params);
  const { plan } = planned;
  warn(plan.warnings);
  const result = await unlessDryRun(options, () => applyRke2Init(ctx, planned));
  return succeeded(planOutput(options, plan, result));
}

async function check(ctx: OpsContext, options: CheckOptions): Promise<CommandResult> {
  const setup = await rke2Setup(ctx, options, {});
  const windowMs = options.renewalWindowMs ?? DEFAULT_WINDOW_MS;
  const result = await checkRke2(ctx, {
    catalogue: setup.catalogue,
    services: selectServices(setup.program, options.services, setup.isServer),
    windowMs,
  });
  process.stderr.write(
    `INFO[0000] ${setup.isServer ? 'Server' : 'Agent'} detected, checking ${setup.isServer ? 'agent and server' : 'agent'} certificates\n`,
  );
  const problems = [
    ...result.problems,
    ...(await insecureDirProblems(ctx.tree.root, rke2CatalogueFileModes(setup.catalogue).keys())),
  ];
  warn(problems.map((problem) => `error: ${problem}`));
  const exitCode = checkExitCode({
    expiring: result.records.some((r) => r.status === 'EXPIRED' || r.status === 'WARNING'),
    broken: problems.length > 0 || result.records.some((r) => r.status === 'NOT YET VALID'),
  });
  switch (options.output) {
    case 'json':
      return { output: formatRke2Json(result.records), exitCode };
    case 'yaml':
      return { output: formatRke2Yaml(result.records), exitCode };
    case 'table':
      return { output: formatRke2Table(result.records, result.at), exitCode };
    case 'text':
      return { output: formatRke2Text(result.records, Math.round(windowMs / DAY_MS)), exitCode };
  }
}

/** `--service` values, then the positional names (renew's), without "all". */
function requestedServices(options: { services: readonly string[] }, names: readonly string[]) {
  return [...options.services, ...names.filter((name) => name !== 'all')];
}

async function renew(ctx: OpsContext, options: RenewOptions): Promise<CommandResult> {
  if (options.api !== undefined)
    throw new UsageError('--use-api is for kubeadm trees: RKE2/K3s sign with their own CAs');
  const setup = await rke2Setup(ctx, options, options.rke2);
  warn(setup.warnings);
  const source = caSource(options.serverDataDir);
  const requested = requestedServices(options, options.names);
  const params = {
    catalogue: setup.catalogue,
    services: selectServices(setup.program, requested, setup.isServer),
    windowMs: options.expiringWithinMs ?? DEFAULT_WINDOW_MS,
    ...(source && { caSource: source }),
  };
  const planned = await planRke2Renew(ctx, params);
  const { plan } = planned;
  const result = await unlessDryRun(options, () => applyRke2Renew(ctx, planned));
  return succeeded(planOutput(options, plan, result));
}

async function rotate(ctx: OpsContext, options: RotateOptions): Promise<CommandResult> {
  const setup = await rke2Setup(ctx, options, options.rke2);
  warn(setup.warnings);
  const source = caSource(options.serverDataDir);
  const params = {
    catalogue: setup.catalogue,
    services: selectServices(setup.program, requestedServices(options, []), setup.isServer),
    ...(source && { caSource: source }),
  };
  const planned = await planRke2Rotate(ctx, params);
  const { plan } = planned;
  const result = await unlessDryRun(options, () => applyRke2Rotate(ctx, planned));
  const backup = plan.items[0]?.name ?? '';
  const note =
    options.dryRun || options.output === 'json'
      ? ''
      : `[rotate] backed up certificates to ${join(ctx.tree.root, backup)}; restart ${setup.program}-server on servers first, then ${setup.program}-agent on agents\n`;
  return succeeded(planOutput(options, plan, result) + note);
}

async function saKeyRotate(ctx: OpsContext, options: SaKeyRotateOptions): Promise<CommandResult> {
  const setup = await rke2Setup(ctx, options, {});
  const planned = await planSaKeyRotate(ctx, { catalogue: setup.catalogue });
  const { plan } = planned;
  const result = await unlessDryRun(options, () => applySaKeyRotate(ctx, planned));
  return succeeded(planOutput(options, plan, result));
}

async function token(ctx: OpsContext, options: TokenOptions): Promise<CommandResult> {
  const setup = await rke2Setup(ctx, options, {});
  const result = await computeJoinTokens(ctx, {
    catalogue: setup.catalogue,
    ...(options.password !== undefined && { password: options.password }),
    ...(options.agentPassword !== undefined && { agentPassword: options.agentPassword }),
  });
  if (options.output === 'json')
    return succeeded(
      `${JSON.stringify({ server: result.server, agent: result.agent, caHash: result.caHash, basis: result.basis })}\n`,
    );
  return succeeded(`server token: ${result.server}\nagent token:  ${result.agent}\n`);
}

/** A data dir has `server/tls` or an `agent/` with K3s's kubeconfigs. */
/**
 * The catalogue's files at RKE2's modes, the bootstrap record's files (0600, as `bootstrap
 * restore` writes them) and the `server/tls-<unix>` copies `rotate` makes.
 */
async function restoreModes(ctx: OpsContext, options: TreeOptions): Promise<RestoreModes> {
  const setup = await rke2Setup(ctx, options, {});
  const modes = rke2CatalogueFileModes(setup.catalogue);
  for (const field of bootstrapFieldsFor(setup.program))
    if (!modes.has(field.path)) modes.set(field.path, 0o600);
  return (path) => modes.get(path) ?? rke2RotateBackupMode(path);
}

async function detect(tree: TreeReader): Promise<boolean> {
  return (
    (await tree.exists('server/tls')) ||
    (await tree.exists('agent/kubelet.kubeconfig')) ||
    (await tree.exists(KUBELET_CLIENT_CERT_PATH))
  );
}

/**
 * With --layout rke2|k3s and no --dir, the program's data dir (/var/lib/rancher/<prog>) instead of
 * --dir's kubeadm default; otherwise --dir as given.
 */
function treeRoot(options: TreeOptions, forced: boolean): string | undefined {
  if (!forced || options.dirSource !== 'default') return undefined;
  return defaultDataDir(options.layout === 'k3s' ? 'k3s' : 'rke2');
}

/** The RKE2 and K3s handlers. */
export const rke2Handlers: LayoutHandlers = {
  names: ['rke2', 'k3s'],
  detect,
  restoreModes,
  treeRoot,
  commands: {
    init,
    check,
    renew,
    rotate,
    'sa-key-rotate': saKeyRotate,
    token,
    'ca-generate': caGenerate,
    'ca-cross-sign': caCrossSign,
    'rotate-ca': rotateCa,
  },
};
