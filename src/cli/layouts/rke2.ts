/** The RKE2 and K3s layouts' command handlers (one set; the program name comes from --layout or the tree). */
import { join } from 'node:path';
import { ExitCode, UsageError } from '../../errors.js';
import { parseDuration } from '../../pki/duration.js';
import type { OpsContext, TreeReader } from '../../ops/shared/ports.js';
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
import { formatApplied, formatPlan, planJson, warn } from '../output.js';
import { programOf, rke2Setup } from './rke2-setup.js';
import { generateHierarchy } from '../../ops/shared/ca-generate.js';
import { rke2Hierarchy } from '../../layouts/rke2/hierarchy.js';
import { readGivenCa } from '../given-ca.js';
import { crossSignCas } from '../../ops/rke2/cross-sign.js';
import { openTreeStore } from '../../stores/fs-tree-store.js';
import { openStagedDir } from '../staged-dir.js';
import { inNewDir } from '../new-dir.js';
import { applyRke2RotateCa, planRke2RotateCa } from '../../ops/rke2/rotate-ca.js';
import { isReplaced } from '../../layouts/rke2/rotate-ca-checks.js';
import { datastoreOf, tokenOf, type ServerOptions } from '../server-data-dir.js';
import type { CommandOptions, LayoutHandlers } from './handler-types.js';

const DAY_MS = 86_400_000;
const dryRun = (options: CommandOptions): boolean => options.dryRun === true;

function services(options: CommandOptions, args: readonly string[]): string[] {
  const flag = Array.isArray(options.service)
    ? (options.service as string[])
    : typeof options.service === 'string'
      ? [options.service]
      : [];
  return [...flag, ...args.filter((arg) => arg !== 'all')];
}

function windowOf(
  options: CommandOptions,
  flag: 'renewalWindow' | 'expiringWithin',
  name: string,
): number {
  const value = options[flag];
  return typeof value === 'string' ? parseDuration(value, name) : RKE2_DEFAULTS.renewDays * DAY_MS;
}

/** A server data dir to read CAs from (agent dirs). */
function caSource(
  options: CommandOptions,
): { read: (path: string) => Promise<Uint8Array | undefined>; where: string } | undefined {
  if (typeof options.serverDataDir !== 'string') return undefined;
  const root = options.serverDataDir;
  return { read: (path) => externalFiles.read(join(root, path)), where: root };
}

function planOutput(
  options: CommandOptions,
  plan: Parameters<typeof formatPlan>[0],
  result: Parameters<typeof formatApplied>[1],
): string {
  if (options.output === 'json') return planJson(plan, result, dryRun(options));
  return formatPlan(plan, dryRun(options)) + (dryRun(options) ? '' : formatApplied(plan, result));
}

async function init(ctx: OpsContext, options: CommandOptions): Promise<string> {
  const setup = await rke2Setup(ctx, options, options.agent === true ? 'agent' : 'server');
  const source = caSource(options);
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
  return planOutput(options, plan, dryRun(options) ? undefined : await applyRke2Init(ctx, planned));
}

async function check(
  ctx: OpsContext,
  options: CommandOptions,
  args: readonly string[],
): Promise<string> {
  const setup = await rke2Setup(ctx, options);
  const windowMs = windowOf(options, 'renewalWindow', '--renewal-window');
  const result = await checkRke2(ctx, {
    catalogue: setup.catalogue,
    services: selectServices(setup.program, services(options, args), setup.isServer),
    windowMs,
  });
  process.stderr.write(
    `INFO[0000] ${setup.isServer ? 'Server' : 'Agent'} detected, checking ${setup.isServer ? 'agent and server' : 'agent'} certificates\n`,
  );
  warn(result.problems.map((problem) => `error: ${problem}`));
  if (result.records.some((r) => r.status === 'EXPIRED' || r.status === 'WARNING'))
    process.exitCode = ExitCode.expiring;
  else if (result.problems.length > 0 || result.records.some((r) => r.status === 'NOT YET VALID'))
    process.exitCode = ExitCode.invalid;
  switch (options.output) {
    case 'json':
      return formatRke2Json(result.records);
    case 'yaml':
      return formatRke2Yaml(result.records);
    case 'table':
      return formatRke2Table(result.records, result.at);
    default:
      return formatRke2Text(result.records, Math.round(windowMs / DAY_MS));
  }
}

async function renew(
  ctx: OpsContext,
  options: CommandOptions,
  args: readonly string[],
): Promise<string> {
  const setup = await rke2Setup(ctx, options);
  warn(setup.warnings);
  const source = caSource(options);
  const params = {
    catalogue: setup.catalogue,
    services: selectServices(setup.program, services(options, args), setup.isServer),
    windowMs: windowOf(options, 'expiringWithin', '--expiring-within'),
    ...(source && { caSource: source }),
  };
  const planned = await planRke2Renew(ctx, params);
  const { plan } = planned;
  return planOutput(
    options,
    plan,
    dryRun(options) ? undefined : await applyRke2Renew(ctx, planned),
  );
}

async function rotate(
  ctx: OpsContext,
  options: CommandOptions,
  args: readonly string[],
): Promise<string> {
  const setup = await rke2Setup(ctx, options);
  warn(setup.warnings);
  const source = caSource(options);
  const params = {
    catalogue: setup.catalogue,
    services: selectServices(setup.program, services(options, args), setup.isServer),
    ...(source && { caSource: source }),
  };
  const planned = await planRke2Rotate(ctx, params);
  const { plan } = planned;
  const result = dryRun(options) ? undefined : await applyRke2Rotate(ctx, planned);
  const backup = plan.items[0]?.name ?? '';
  const note =
    dryRun(options) || options.output === 'json'
      ? ''
      : `[rotate] backed up certificates to ${join(ctx.tree.root, backup)}; restart ${setup.program}-server on servers first, then ${setup.program}-agent on agents\n`;
  return planOutput(options, plan, result) + note;
}

async function saKeyRotate(ctx: OpsContext, options: CommandOptions): Promise<string> {
  const setup = await rke2Setup(ctx, options);
  const planned = await planSaKeyRotate(ctx, { catalogue: setup.catalogue });
  const { plan } = planned;
  return planOutput(
    options,
    plan,
    dryRun(options) ? undefined : await applySaKeyRotate(ctx, planned),
  );
}

async function token(ctx: OpsContext, options: CommandOptions): Promise<string> {
  const setup = await rke2Setup(ctx, options);
  const result = await computeJoinTokens(ctx, {
    catalogue: setup.catalogue,
    ...(typeof options.password === 'string' && { password: options.password }),
    ...(typeof options.agentPassword === 'string' && { agentPassword: options.agentPassword }),
  });
  if (options.output === 'json')
    return `${JSON.stringify({ server: result.server, agent: result.agent, caHash: result.caHash, basis: result.basis })}\n`;
  return `server token: ${result.server}\nagent token:  ${result.agent}\n`;
}

async function caGenerate(ctx: OpsContext, options: CommandOptions): Promise<string> {
  const program = await programOf(ctx.tree, options);
  const hierarchy = rke2Hierarchy(program, Math.floor(ctx.clock.now().getTime() / 1000));
  const root = await readGivenCa(options.rootCert, options.rootKey);
  const intermediate = await readGivenCa(options.intermediateCert, options.intermediateKey);
  const { plan, result } = await generateHierarchy(ctx, ctx.tree, {
    hierarchy,
    ...(root && { root }),
    ...(intermediate && { intermediate }),
  });
  warn(plan.warnings);
  if (options.output === 'json') return planJson(plan, result, false);
  const dir = ctx.tree.root;
  return `${formatPlan(plan, false)}[ca generate] wrote ${dir}; start a new cluster from it (kpki init --layout ${program} --dir ${dir}, or copy ${dir}/server into the data dir before ${program}'s first start), or rotate to it: kpki rotate-ca --path ${dir}/server\n`;
}

async function caCrossSign(ctx: OpsContext, options: CommandOptions): Promise<string> {
  const setup = await rke2Setup(ctx, options);
  const made = await inNewDir(options.out as string, async () => {
    const out = await openTreeStore(options.out as string);
    return out.exclusive(() => crossSignCas(ctx, out, setup.catalogue));
  });
  const out = made.plan.root;
  warn(made.plan.warnings);
  // Tokens carry the cluster password: printed whole only when asked for, as `kpki token` is.
  const show = options.showTokens === true;
  const shown =
    made.tokens &&
    (show
      ? made.tokens
      : {
          server: made.tokens.server.replace(/:[^:]+$/, ':<password of server/token>'),
          agent: made.tokens.agent.replace(/:[^:]+$/, ':<password of server/agent-token>'),
        });
  if (options.output === 'json')
    return `${JSON.stringify({ ...made.plan, dryRun: false, backup: made.result, caHash: made.tokens?.caHash ?? null, tokens: shown ?? null }, null, 2)}\n`;
  const tokens = shown
    ? `new server token: ${shown.server}\nnew agent token:  ${shown.agent}\n${show ? '' : '(--show-tokens prints them whole)\n'}`
    : '';
  return `${formatPlan(made.plan, false)}${tokens}[ca cross-sign] staged in ${out}; install with: kpki rotate-ca --layout ${setup.program} --dir ${ctx.tree.root} --path ${out}\n`;
}

async function rotateCa(ctx: OpsContext, options: CommandOptions): Promise<string> {
  if (typeof options.path !== 'string')
    throw new UsageError(
      'rke2/k3s rotate-ca needs --path: a staged directory shaped like <data-dir>/server (kpki ca cross-sign or kpki ca generate make one)',
    );
  const setup = await rke2Setup(ctx, options, 'server');
  warn(setup.warnings);
  const base = {
    catalogue: setup.catalogue,
    stage: await openStagedDir(options.path),
    force: options.force === true,
  };
  const server = { ...options, layout: setup.program } as ServerOptions;
  const store =
    typeof options.datastore === 'string' ? await datastoreOf(server, ctx.tree.root) : undefined;
  let planned;
  let result;
  try {
    const params = {
      ...base,
      ...(store && { datastore: { store, token: await tokenOf(server, ctx.tree.root) } }),
    };
    planned = await planRke2RotateCa(ctx, params);
    warn(planned.plan.warnings);
    if (dryRun(options)) return planOutput(options, planned.plan, undefined);
    result = await applyRke2RotateCa(ctx, planned);
  } finally {
    await store?.close();
  }
  if (options.output === 'json')
    return `${JSON.stringify({ ...planned.plan, dryRun: false, backup: result.commit, record: result.record ?? null }, null, 2)}\n`;
  const record = result.record
    ? `[rotate-ca] updated "${result.record.key}" in ${store?.description ?? ''} at revision ${result.record.revision}; on the other servers run kpki bootstrap restore, then restart them (or run kpki renew there to re-issue their leaves offline)\n`
    : '';
  const root = planned.fields.some((f) => f.field === 'ServerCA' && isReplaced(f))
    ? `[rotate-ca] the server CA changed: give joining nodes the new token (kpki token --dir ${ctx.tree.root})\n`
    : '';
  return `${planOutput(options, planned.plan, result.commit)}${record}${root}`;
}

/** A data dir has `server/tls` or an `agent/` with K3s's kubeconfigs. */
async function detect(tree: TreeReader): Promise<boolean> {
  return (
    (await tree.exists('server/tls')) ||
    (await tree.exists('agent/kubelet.kubeconfig')) ||
    (await tree.exists('agent/client-kubelet.crt'))
  );
}

/**
 * With --layout rke2|k3s and no --dir, the program's data dir (/var/lib/rancher/<prog>) instead of
 * --dir's kubeadm default; otherwise --dir as given.
 */
function treeRoot(options: CommandOptions, forced: boolean): string | undefined {
  if (!forced || options.dirSource !== 'default') return undefined;
  return defaultDataDir(options.layout === 'k3s' ? 'k3s' : 'rke2');
}

/** The RKE2 and K3s handlers. */
export const rke2Handlers: LayoutHandlers = {
  names: ['rke2', 'k3s'],
  detect,
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
