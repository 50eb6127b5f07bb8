/** The kubeadm layout's command handlers: spec from --config, flags and host defaults; kubeadm formats. */
import { mkdir } from 'node:fs/promises';
import { UsageError } from '../../errors.js';
import { checkTree } from '../../ops/kubeadm/check.js';
import { applyInit, planInit } from '../../ops/kubeadm/init.js';
import { applyRenew, planRenew } from '../../ops/kubeadm/renew.js';
import { buildUserKubeconfig } from '../../ops/kubeadm/kubeconfig-user.js';
import { applyRotateCa, planRotateCa, ROTATION_DIR } from '../../ops/kubeadm/rotate-ca-phases.js';
import { generateHierarchy } from '../../ops/shared/ca-generate.js';
import {
  FileMode,
  type OpsContext,
  type RestoreModes,
  type TreeReader,
} from '../../ops/shared/ports.js';
import { kubeadmHierarchy } from '../../layouts/kubeadm/hierarchy.js';
import {
  controlPlaneUrl,
  defaultKubeadmSpec,
  KUBEADM_DEFAULTS,
} from '../../layouts/kubeadm/spec.js';
import { kubeadmCatalogue, KUBEADM_RESTART_ORDER } from '../../layouts/kubeadm/catalogue.js';
import { requireCaWithRole } from '../../layouts/catalogue.js';
import { openTreeStore } from '../../stores/fs-tree-store.js';
import { checkReportResult } from '../check-result.js';
import { insecureDirProblems } from '../insecure-dirs.js';
import { catalogueFileModes, issuedEntries } from '../../layouts/catalogue.js';
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
import type { LayoutHandlers, TreeOptions } from './handler-types.js';
import { kubeadmAfterChange, type AfterChange } from '../live/kubeadm-after.js';
import { layoutFromTree } from '../live/kubeadm-live.js';
import { plannedPaths, type Plan } from '../../ops/shared/plan.js';
import type { CommitResult } from '../../ops/shared/ports.js';
import type { PlanOptions } from '../options/tree.js';
import { kubeadmLayout } from './kubeadm-setup.js';
import { kubeadmSigner } from './kubeadm-signer.js';
import { renewViaApi } from './kubeadm-renew-api.js';

const rules = { restartOrder: KUBEADM_RESTART_ORDER };

async function init(ctx: OpsContext, options: InitOptions): Promise<CommandResult> {
  const layout = await kubeadmLayout(options, options.kubeadm, ctx.tree);
  const params = { catalogue: layout.catalogue, ...rules, warnings: layout.warnings };
  const planned = await planInit(ctx, params);
  const { plan } = planned;
  warn(plan.warnings);
  const result = await unlessDryRun(options, () => applyInit(ctx, planned));
  // kubeadm init only creates what is missing: nothing it writes replaced a file.
  return succeeded(planOutput(options, plan, result, true));
}

async function check(ctx: OpsContext, options: CheckOptions): Promise<CommandResult> {
  const layout = await kubeadmLayout(options, NO_KUBEADM_FLAGS, ctx.tree);
  const report = await checkTree(ctx, {
    catalogue: layout.catalogue,
    specKnown: options.config !== undefined,
  });
  const files = catalogueFileModes(layout.catalogue).keys();
  const dirs = await insecureDirProblems(ctx.tree.root, files);
  return checkReportResult(report, options.output, options.warnWithinMs ?? 0, dirs);
}

async function renew(ctx: OpsContext, options: RenewOptions): Promise<CommandResult> {
  const { names } = options;
  if (names.length === 0) throw new UsageError('name the certificates to renew, or "all"');
  if (names.includes('all') && names.length > 1)
    throw new UsageError('"all" cannot be combined with other names');
  refuseRke2Flags(options);
  if (!options.updateSans && changesSans(options))
    throw new UsageError(
      'kubeadm renew copies the SANs and server URLs of the existing certificates; add --update-sans to give them the ones these flags describe',
    );
  if (options.api !== undefined) {
    const api = await renewViaApi(ctx, options, options.api, rules.restartOrder);
    return kubeadmAfterChange(
      await layoutFromTree(api.layout, ctx.tree.root, options.config !== undefined),
      ctx.tree.root,
      options.live,
      afterParts(options, api.planned.plan, api.result),
    );
  }
  const layout = await kubeadmLayout(options, options.kubeadm, ctx.tree);
  const params = {
    catalogue: layout.catalogue,
    names,
    ...rules,
    keepKeyAlgorithm: options.config === undefined,
    allowExpiredCa: options.allowExpiredCa,
    updateSans: options.updateSans,
    ...(options.expiringWithinMs !== undefined && { expiringWithinMs: options.expiringWithinMs }),
  };
  const planned = await planRenew(ctx, params);
  const { plan } = planned;
  warn(plan.warnings);
  const result = await unlessDryRun(options, () => applyRenew(ctx, planned));
  return kubeadmAfterChange(
    await layoutFromTree(layout, ctx.tree.root, options.config !== undefined),
    ctx.tree.root,
    options.live,
    afterParts(options, plan, result),
  );
}

/** A change's printed result and paths, for {@link kubeadmAfterChange}. */
function afterParts(
  options: PlanOptions,
  plan: Plan,
  result: CommitResult | undefined,
): AfterChange {
  const text = planOutput({ ...options, output: 'text' }, plan, result);
  return {
    text,
    json: options.output === 'json' ? planOutput(options, plan, result) : undefined,
    changedFiles: result || options.dryRun ? plannedPaths(plan) : [],
    dryRun: options.dryRun,
  };
}

/** RKE2/K3s-only flags are refused on a kubeadm tree rather than silently ignored. */
function refuseRke2Flags(options: RenewOptions): void {
  const given = Object.keys(options.rke2).filter(
    (key) => key !== 'nodeName' && key !== 'serviceCidr',
  );
  if (given.length > 0)
    throw new UsageError(
      `${given.map(rke2FlagName).join(', ')}: rke2/k3s flag${given.length > 1 ? 's' : ''}, not used on a kubeadm tree; give SANs with --apiserver-cert-extra-sans (or apiServer.certSANs in --config) and --update-sans`,
    );
}

function rke2FlagName(key: string): string {
  const names: Record<string, string> = {
    tlsSans: '--tls-san',
    nodeIps: '--node-ip',
    nodeExternalIps: '--node-external-ip',
    advertiseAddress: '--advertise-address',
    clusterDomain: '--cluster-domain',
    disableEtcd: '--disable-etcd',
  };
  return names[key] ?? key;
}

/** Flags that change SANs or server URLs, which renew uses only with --update-sans. */
function changesSans(options: RenewOptions): boolean {
  const k = options.kubeadm;
  return (
    k.advertiseAddress !== undefined ||
    k.bindPort !== undefined ||
    k.controlPlaneEndpoint !== undefined ||
    k.extraSans !== undefined ||
    k.dnsDomain !== undefined
  );
}

async function csrGenerate(ctx: OpsContext, options: CsrGenerateOptions): Promise<CommandResult> {
  const layout = await kubeadmLayout(options, options.kubeadm, ctx.tree);
  const csrDir = options.csrDir;
  const target =
    csrDir === undefined
      ? ctx.tree
      : await mkdir(csrDir, { recursive: true, mode: 0o700 }).then(() => openTreeStore(csrDir));
  const work = async (): Promise<CommandResult> => {
    // Loaded on use: the CSR code pulls in @peculiar/x509, which every other command would pay for at start-up.
    const { applyCsrGenerate, planCsrGenerate } = await import('../../ops/kubeadm/csr-generate.js');
    const into: OpsContext = { ...ctx, tree: target };
    const planned = await planCsrGenerate(into, layout.catalogue);
    const { plan } = planned;
    const result = await unlessDryRun(options, () => applyCsrGenerate(into, planned));
    if (options.output === 'json') return succeeded(planJson(plan, result, options.dryRun));
    const next = result
      ? `[csr generate] wrote keys and requests in ${target.root}; sign them with your CA, or with: kpki csr sign --dir ${ctx.tree.root}${target === ctx.tree ? '' : ` --csr-dir ${target.root}`}\n`
      : '';
    return succeeded(formatPlan(plan, options.dryRun) + next);
  };
  return target === ctx.tree ? work() : target.exclusive(work);
}

async function csrSign(ctx: OpsContext, options: CsrSignOptions): Promise<CommandResult> {
  const layout = await kubeadmLayout(options, options.kubeadm, ctx.tree);
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
  const layout = await kubeadmLayout(options, NO_KUBEADM_FLAGS, ctx.tree);
  const ca = requireCaWithRole(layout.catalogue, 'cluster');
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
  const layout = await kubeadmLayout(options, options.kubeadm, ctx.tree);
  const planned = await planRotateCa(ctx, {
    catalogue: layout.catalogue,
    phase,
    cas: [...options.cas],
    ...rules,
  });
  const result = await unlessDryRun(options, () => applyRotateCa(ctx, planned));
  if (options.live.restart)
    return kubeadmAfterChange(
      await layoutFromTree(layout, ctx.tree.root, options.config !== undefined),
      ctx.tree.root,
      options.live,
      afterParts(options, planned.plan, result),
    );
  const next =
    phase === 'finish' || options.dryRun || options.output === 'json'
      ? ''
      : `[rotate-ca] after those restarts, run: kpki rotate-ca --phase ${phase === 'trust' ? 'issue' : 'finish'} --dir ${ctx.tree.root}\n`;
  return succeeded(planOutput(options, planned.plan, result) + next);
}

async function caGenerate(ctx: OpsContext, options: CaGenerateOptions): Promise<CommandResult> {
  const layout = await kubeadmLayout(options, options.kubeadm, ctx.tree);
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

/**
 * The catalogue's files at the catalogue's modes, the `.csr` files `csr generate` writes beside
 * them (0600), and `rotate-ca`'s staged CAs and state in `.kpki-rotate-ca/`.
 */
async function restoreModes(_ctx: OpsContext, options: TreeOptions): Promise<RestoreModes> {
  const { catalogue } = await kubeadmLayout(options, NO_KUBEADM_FLAGS);
  const modes = catalogueFileModes(catalogue);
  // Loaded on use, as csrGenerate does: it pulls in @peculiar/x509.
  const { csrPaths } = await import('../../ops/kubeadm/csr-generate.js');
  for (const entry of issuedEntries(catalogue)) modes.set(csrPaths(entry).csrPath, FileMode.key);
  modes.set(`${ROTATION_DIR}/state.json`, FileMode.key);
  for (const ca of catalogue.cas) {
    modes.set(`${ROTATION_DIR}/${ca.name}.crt`, FileMode.cert);
    modes.set(`${ROTATION_DIR}/${ca.name}.key`, FileMode.key);
  }
  return (path) => modes.get(path);
}

/** The default catalogue's paths, for recognising a tree (host values do not change them). */
const DETECT_CATALOGUE = kubeadmCatalogue(
  defaultKubeadmSpec({ hostname: 'detect', address: '127.0.0.1' }),
).catalogue;

/**
 * kubeadm trees have the cluster CA's directory (`pki/`) or the first kubeconfig of the catalogue
 * (`admin.conf`) at the root.
 */
async function detect(tree: TreeReader): Promise<boolean> {
  const caPath = requireCaWithRole(DETECT_CATALOGUE, 'cluster').certPath;
  const certDir = caPath.slice(0, Math.max(caPath.lastIndexOf('/'), 0));
  const admin = DETECT_CATALOGUE.kubeconfigs[0];
  return (
    (certDir !== '' && (await tree.exists(certDir))) ||
    (admin !== undefined && (await tree.exists(admin.path)))
  );
}

/** kubeadm's handlers. */
export const kubeadmHandlers: LayoutHandlers = {
  names: ['kubeadm'],
  detect,
  restoreModes,
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
