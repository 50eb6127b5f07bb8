/** The RKE2 and K3s layouts' CA handlers: `ca generate`, `ca cross-sign` and `rotate-ca --path`. */
import { UsageError } from '../../errors.js';
import type { OpsContext } from '../../ops/shared/ports.js';
import { generateHierarchy } from '../../ops/shared/ca-generate.js';
import { crossSignCas } from '../../ops/rke2/cross-sign.js';
import { applyRke2RotateCa, planRke2RotateCa } from '../../ops/rke2/rotate-ca.js';
import { rke2Hierarchy } from '../../layouts/rke2/hierarchy.js';
import { isReplaced } from '../../layouts/rke2/rotate-ca-checks.js';
import { openTreeStore } from '../../stores/fs-tree-store.js';
import { succeeded, type CommandResult } from '../command-result.js';
import { readGivenCa } from '../given-ca.js';
import { inNewDir } from '../new-dir.js';
import type { CaCrossSignOptions, CaGenerateOptions } from '../options/ca.js';
import type { RotateCaOptions } from '../options/rotate.js';
import { formatPlan, planJson, planOutput, warn } from '../output.js';
import { datastoreOf, tokenOf } from '../server-data-dir.js';
import { openStagedDir } from '../staged-dir.js';
import { programOf, rke2Setup } from './rke2-setup.js';

/** `ca generate`: a root → intermediate → RKE2/K3s CAs tree in --out. */
export async function caGenerate(
  ctx: OpsContext,
  options: CaGenerateOptions,
): Promise<CommandResult> {
  const program = await programOf(ctx.tree, options);
  const hierarchy = rke2Hierarchy(program, Math.floor(ctx.clock.now().getTime() / 1000));
  const root = await readGivenCa(options.root);
  const intermediate = await readGivenCa(options.intermediate);
  const { plan, result } = await generateHierarchy(ctx, ctx.tree, {
    hierarchy,
    ...(root && { root }),
    ...(intermediate && { intermediate }),
  });
  warn(plan.warnings);
  if (options.output === 'json') return succeeded(planJson(plan, result, false));
  const dir = ctx.tree.root;
  return succeeded(
    `${formatPlan(plan, false)}[ca generate] wrote ${dir}; start a new cluster from it (kpki init --layout ${program} --dir ${dir}, or copy ${dir}/server into the data dir before ${program}'s first start), or rotate to it: kpki rotate-ca --path ${dir}/server\n`,
  );
}

/** `ca cross-sign`: new self-signed CAs cross-signed by the current ones, staged in --out. */
export async function caCrossSign(
  ctx: OpsContext,
  options: CaCrossSignOptions,
): Promise<CommandResult> {
  const setup = await rke2Setup(ctx, options, {});
  const made = await inNewDir(options.out, async () => {
    const out = await openTreeStore(options.out);
    return out.exclusive(() => crossSignCas(ctx, out, setup.catalogue));
  });
  const out = made.plan.root;
  warn(made.plan.warnings);
  // Tokens carry the cluster password: printed whole only when asked for, as `kpki token` is.
  const show = options.showTokens;
  const shown =
    made.tokens &&
    (show
      ? made.tokens
      : {
          server: made.tokens.server.replace(/:[^:]+$/, ':<password of server/token>'),
          agent: made.tokens.agent.replace(/:[^:]+$/, ':<password of server/agent-token>'),
        });
  if (options.output === 'json')
    return succeeded(
      `${JSON.stringify({ ...made.plan, dryRun: false, backup: made.result, caHash: made.tokens?.caHash ?? null, tokens: shown ?? null }, null, 2)}\n`,
    );
  const tokens = shown
    ? `new server token: ${shown.server}\nnew agent token:  ${shown.agent}\n${show ? '' : '(--show-tokens prints them whole)\n'}`
    : '';
  return succeeded(
    `${formatPlan(made.plan, false)}${tokens}[ca cross-sign] staged in ${out}; install with: kpki rotate-ca --layout ${setup.program} --dir ${ctx.tree.root} --path ${out}\n`,
  );
}

/** `rotate-ca --path STAGE`: install staged CAs, optionally updating the datastore record. */
export async function rotateCa(ctx: OpsContext, options: RotateCaOptions): Promise<CommandResult> {
  if (options.path === undefined)
    throw new UsageError(
      'rke2/k3s rotate-ca needs --path: a staged directory shaped like <data-dir>/server (kpki ca cross-sign or kpki ca generate make one)',
    );
  const setup = await rke2Setup(ctx, options, options.rke2, 'server');
  warn(setup.warnings);
  const base = {
    catalogue: setup.catalogue,
    stage: await openStagedDir(options.path),
    force: options.force,
  };
  const store =
    options.store.datastore === undefined
      ? undefined
      : await datastoreOf(options.store, ctx.tree.root);
  let planned;
  let result;
  try {
    const params = {
      ...base,
      ...(store && { datastore: { store, token: await tokenOf(options.store, ctx.tree.root) } }),
    };
    planned = await planRke2RotateCa(ctx, params);
    warn(planned.plan.warnings);
    if (options.dryRun) return succeeded(planOutput(options, planned.plan, undefined));
    result = await applyRke2RotateCa(ctx, planned);
  } finally {
    await store?.close();
  }
  if (options.output === 'json')
    return succeeded(
      `${JSON.stringify({ ...planned.plan, dryRun: false, backup: result.commit, record: result.record ?? null }, null, 2)}\n`,
    );
  const record = result.record
    ? `[rotate-ca] updated "${result.record.key}" in ${store?.description ?? ''} at revision ${result.record.revision}; on the other servers run kpki bootstrap restore, then restart them (or run kpki renew there to re-issue their leaves offline)\n`
    : '';
  const root = planned.fields.some((f) => f.field === 'ServerCA' && isReplaced(f))
    ? `[rotate-ca] the server CA changed: give joining nodes the new token (kpki token --dir ${ctx.tree.root})\n`
    : '';
  return succeeded(`${planOutput(options, planned.plan, result.commit)}${record}${root}`);
}
