/** The kubeadm layout's command handlers: spec from --config, flags and host defaults; kubeadm formats. */
import { mkdir } from 'node:fs/promises';
import { UsageError } from '../../errors.js';
import { checkTree } from '../../ops/kubeadm/check.js';
import { applyInit, planInit } from '../../ops/kubeadm/init.js';
import { applyRenew, planRenew } from '../../ops/kubeadm/renew.js';
import { buildUserKubeconfig } from '../../ops/kubeadm/kubeconfig-user.js';
import { applyRotateCa, planRotateCa } from '../../ops/kubeadm/rotate-ca-phases.js';
import { generateHierarchy } from '../../ops/shared/ca-generate.js';
import type { OpsContext, TreeReader } from '../../ops/shared/ports.js';
import { kubeadmHierarchy } from '../../layouts/kubeadm/hierarchy.js';
import { controlPlaneUrl, KUBEADM_DEFAULTS } from '../../layouts/kubeadm/spec.js';
import { KUBEADM_RESTART_ORDER } from '../../layouts/kubeadm/catalogue.js';
import { openTreeStore } from '../../stores/fs-tree-store.js';
import { checkReportResult } from '../check-result.js';
import { succeeded, type CommandResult } from '../command-result.js';
import { readGivenCa } from '../given-ca.js';
import type { CaGenerateOptions } from '../options/ca.js';
import type { CheckOptions } from '../options/check.js';
import type { CsrGenerateOptions, CsrSignOptions } from '../options/csr.js';
import type { InitOptions } from '../options/init.js';
import { NO_KUBEADM_FLAGS } from '../options/kubeadm-flags.js';
import type { KubeconfigUserOptions } from '../options/kubeconfig-user.js';
import type { RenewOptions } from '../options/renew.js';
import type { RotateCaOptions } from '../options/rotate.js';
import { formatPlan, planJson, planOutput, unlessDryRun, warn } from '../output.js';
import type { LayoutHandlers } from './handler-types.js';
import { kubeadmLayout } from './kubeadm-setup.js';
import { kubeadmSigner } from './kubeadm-signer.js';
import { renewViaApi } from './kubeadm-renew-api.js';

const rules = { restartOrder: KUBEADM_RESTART_ORDER };

async function init(ctx: OpsContext, options: InitOptions): Promise<CommandResult> {
  const layout = await kubeadmLayout(options, options.kubeadm);
  const params = { catalogue: layout.catalogue, ...rules, warnings: layout.warnings };
  const planned = await planInit(ctx, params);
  const { plan } = planned;
  warn(plan.warnings);
  const result = await unlessDryRun(options, () => applyInit(ctx, planned));
  return succeeded(planOutput(options, plan, result));
}

async function check(ctx: OpsContext, options: CheckOptions): Promise<CommandResult> {
  const layout = await kubeadmLayout(options, NO_KUBEADM_FLAGS);
  const report = await checkTree(ctx, { catalogue: layout.catalogue });
  return checkReportResult(report, options.output, options.warnWithinMs ?? 0);
}

async function renew(ctx: OpsContext, options: RenewOptions): Promise<CommandResult> {
  const { names } = options;
  if (names.length === 0) throw new UsageError('name the certificates to renew, or "all"');
  if (names.includes('all') && names.length > 1)
    throw new UsageError('"all" cannot be combined with other names');
  if (options.api !== undefined) return renewViaApi(ctx, options, options.api, rules.restartOrder);
  const layout = await kubeadmLayout(options, options.kubeadm);
  const params = {
    catalogue: layout.catalogue,
    names,
    ...rules,
    keepKeyAlgorithm: options.config === undefined,
    ...(options.expiringWithinMs !== undefined && { expiringWithinMs: options.expiringWithinMs }),
  };
  const planned = await planRenew(ctx, params);
  const { plan } = planned;
  const result = await unlessDryRun(options, () => applyRenew(ctx, planned));
  return succeeded(planOutput(options, plan, result));
}

async function csrGenerate(ctx: OpsContext, options: CsrGenerateOptions): Promise<CommandResult> {
  const layout = await kubeadmLayout(options, options.kubeadm);
  const csrDir = options.csrDir;
  const target =
    csrDir === undefined
      ? ctx.tree
      : await mkdir(csrDir, { recursive: true, mode: 0o700 }).then(() => openTreeStore(csrDir));
  const work = async (): Promise<CommandResult> => {
    // Loaded on use: the CSR code pulls in @peculiar/x509, which every other command would pay for at start-up.
    const { applyCsrGenerate, planCsrGenerate } = await import('../../ops/kubeadm/csr-generate.js');
    const plan = await planCsrGenerate(target, layout.catalogue);
    const result = await unlessDryRun(options, () =>
      applyCsrGenerate(ctx, target, layout.catalogue),
    );
    if (options.output === 'json') return succeeded(planJson(plan, result, options.dryRun));
    const next = result
      ? `[csr generate] wrote keys and requests in ${target.root}; sign them with your CA, or with: kpki csr sign --dir ${ctx.tree.root}${target === ctx.tree ? '' : ` --csr-dir ${target.root}`}\n`
      : '';
    return succeeded(formatPlan(plan, options.dryRun) + next);
  };
  return target === ctx.tree ? work() : target.exclusive(work);
}

async function csrSign(ctx: OpsContext, options: CsrSignOptions): Promise<CommandResult> {
  const layout = await kubeadmLayout(options, options.kubeadm);
  const source = options.csrDir === undefined ? ctx.tree : await openTreeStore(options.csrDir);
  const params = { catalogue: layout.catalogue, source, ...rules };
  const { applyCsrSign, planCsrSign } = await import('../../ops/kubeadm/csr-sign.js');
  const planned = await planCsrSign(ctx, params);
  const { plan } = planned;
  const result = await unlessDryRun(options, () => applyCsrSign(ctx, planned));
  return succeeded(planOutput(options, plan, result));
}

async function kubeconfigUser(
  ctx: OpsContext,
  options: KubeconfigUserOptions,
): Promise<CommandResult> {
  const layout = await kubeadmLayout(options, NO_KUBEADM_FLAGS);
  const ca = layout.catalogue.cas.find((entry) => entry.name === 'ca');
  if (!ca) throw new UsageError('the kubeadm catalogue has no "ca"');
  const validityMs = options.validityMs ?? layout.spec.certificateValidityMs;
  if (validityMs > KUBEADM_DEFAULTS.certificateValidityMs)
    warn(['--validity is longer than the recommended 8760h0m0s']);
  const kubeconfig = await buildUserKubeconfig(ctx, {
    ca,
    clientName: options.clientName,
    organizations: [...options.organizations],
    validityMs,
    keyAlgorithm: layout.spec.encryptionAlgorithm,
    clusterName: layout.spec.clusterName,
    server: controlPlaneUrl(layout.spec),
  });
  return succeeded(kubeconfig);
}

async function rotateCa(ctx: OpsContext, options: RotateCaOptions): Promise<CommandResult> {
  const { phase } = options;
  if (phase === undefined) {
    throw new UsageError(
      'kubeadm has no CA rotation of its own: run kpki rotate-ca --phase trust, then --phase issue, then --phase finish, restarting what each phase names in between',
    );
  }
  const layout = await kubeadmLayout(options, options.kubeadm);
  const planned = await planRotateCa(ctx, {
    catalogue: layout.catalogue,
    phase,
    cas: [...options.cas],
    ...rules,
  });
  const result = await unlessDryRun(options, () => applyRotateCa(ctx, planned));
  const next =
    phase === 'finish' || options.dryRun || options.output === 'json'
      ? ''
      : `[rotate-ca] after those restarts, run: kpki rotate-ca --phase ${phase === 'trust' ? 'issue' : 'finish'} --dir ${ctx.tree.root}\n`;
  return succeeded(planOutput(options, planned.plan, result) + next);
}

async function caGenerate(ctx: OpsContext, options: CaGenerateOptions): Promise<CommandResult> {
  const layout = await kubeadmLayout(options, options.kubeadm);
  const hierarchy = kubeadmHierarchy(layout.spec, Math.floor(ctx.clock.now().getTime() / 1000));
  const root = await readGivenCa(options.root);
  const intermediate = await readGivenCa(options.intermediate);
  const { plan, result } = await generateHierarchy(ctx, ctx.tree, {
    hierarchy,
    ...(root && { root }),
    ...(intermediate && { intermediate }),
  });
  warn(plan.warnings);
  if (options.output === 'json') return succeeded(planJson(plan, result, false));
  return succeeded(
    `${formatPlan(plan, false)}[ca generate] wrote ${ctx.tree.root}; create the rest of the tree with: kpki init --dir ${ctx.tree.root}\n`,
  );
}

/** kubeadm trees have `pki/` or `admin.conf` at the root. */
async function detect(tree: TreeReader): Promise<boolean> {
  return (await tree.exists('pki')) || (await tree.exists('admin.conf'));
}

/** kubeadm's handlers. */
export const kubeadmHandlers: LayoutHandlers = {
  names: ['kubeadm'],
  detect,
  commands: {
    init,
    check,
    renew,
    'csr-generate': csrGenerate,
    'csr-sign': csrSign,
    'kubeconfig-user': kubeconfigUser,
    signer: kubeadmSigner,
    'rotate-ca': rotateCa,
    'ca-generate': caGenerate,
  },
};
