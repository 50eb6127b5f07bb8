/** The kubeadm layout's command handlers: spec from --config, flags and host defaults; kubeadm formats. */
import { readInputText } from '../../stores/bounded-read.js';
import { hostname, networkInterfaces } from 'node:os';
import { ExitCode, FileAccessError, UsageError } from '../../errors.js';
import { parseDuration } from '../../pki/duration.js';
import { checkTree } from '../../ops/kubeadm/check.js';
import { applyInit, planInit } from '../../ops/kubeadm/init.js';
import { applyRenew, planRenew } from '../../ops/kubeadm/renew.js';
import { buildUserKubeconfig } from '../../ops/kubeadm/kubeconfig-user.js';
import {
  applyRotateCa,
  planRotateCa,
  ROTATION_PHASES,
  type RotationPhase,
} from '../../ops/kubeadm/rotate-ca-phases.js';
import { generateHierarchy } from '../../ops/shared/ca-generate.js';
import { kubeadmHierarchy } from '../../layouts/kubeadm/hierarchy.js';
import { readGivenCa } from '../given-ca.js';
import { controlPlaneUrl } from '../../layouts/kubeadm/spec.js';
import { openTreeStore } from '../../stores/fs-tree-store.js';
import { mkdir } from 'node:fs/promises';
import type { OpsContext, TreeReader } from '../../ops/shared/ports.js';
import { hasProblems, isExpiring } from '../../layouts/check-report.js';
import { parseKubeadmConfig } from '../../layouts/kubeadm/config.js';
import {
  defaultKubeadmSpec,
  KUBEADM_DEFAULTS,
  type HostDefaults,
  type KubeadmSpec,
} from '../../layouts/kubeadm/spec.js';
import { kubeadmCatalogue, KUBEADM_RESTART_ORDER } from '../../layouts/kubeadm/catalogue.js';
import {
  formatKubeadmJson,
  formatKubeadmTable,
  formatKubeadmYaml,
  formatProblems,
} from '../../layouts/kubeadm/check-output.js';
import type { Catalogue } from '../../layouts/catalogue.js';
import { formatApplied, formatPlan, planJson, warn } from '../output.js';
import type { CommandOptions, LayoutHandlers } from './handler-types.js';

/** The resolved kubeadm spec and catalogue for one command. */
export interface KubeadmLayout {
  readonly spec: KubeadmSpec;
  readonly catalogue: Catalogue;
  readonly warnings: readonly string[];
}

type FlagField =
  | 'nodeName'
  | 'apiserverAdvertiseAddress'
  | 'apiserverBindPort'
  | 'controlPlaneEndpoint'
  | 'apiserverCertExtraSans'
  | 'serviceCidr'
  | 'serviceDnsDomain';

/** Builds the kubeadm spec and catalogue from --config, kubeadm's init flags and host defaults. */
export async function kubeadmLayout(options: CommandOptions): Promise<KubeadmLayout> {
  const host = hostDefaults();
  let spec = defaultKubeadmSpec(host);
  const warnings: string[] = [];
  if (options.config !== undefined) {
    const text = await readInputText(options.config, 'config').catch((error: unknown) => {
      throw new FileAccessError('UNREADABLE', `cannot read config "${options.config}"`, {
        cause: error,
      });
    });
    const parsed = parseKubeadmConfig(text, options.config, host);
    spec = parsed.spec;
    warnings.push(...parsed.warnings);
  }
  spec = applyFlags(spec, options);
  const built = kubeadmCatalogue(spec);
  return { spec, catalogue: built.catalogue, warnings: [...warnings, ...built.warnings] };
}

function flag(options: CommandOptions, name: FlagField): string | undefined {
  const value = options[name];
  return typeof value === 'string' ? value : undefined;
}

function applyFlags(spec: KubeadmSpec, options: CommandOptions): KubeadmSpec {
  const portText = flag(options, 'apiserverBindPort');
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) {
    throw new UsageError(`--apiserver-bind-port: "${portText}" is not a port number`);
  }
  const sans = flag(options, 'apiserverCertExtraSans');
  const set = <K extends keyof KubeadmSpec>(
    key: K,
    value: KubeadmSpec[K] | undefined,
  ): Partial<KubeadmSpec> => (value === undefined ? {} : { [key]: value });
  return {
    ...spec,
    ...set('nodeName', flag(options, 'nodeName')),
    ...set('advertiseAddress', flag(options, 'apiserverAdvertiseAddress')),
    ...set('bindPort', port),
    ...set('controlPlaneEndpoint', flag(options, 'controlPlaneEndpoint')),
    ...set(
      'certSANs',
      sans === undefined
        ? undefined
        : [
            ...spec.certSANs,
            ...sans
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean),
          ],
    ),
    ...set('serviceSubnet', flag(options, 'serviceCidr')),
    ...set('dnsDomain', flag(options, 'serviceDnsDomain')),
  };
}

/** The host name and the first non-internal IPv4 address (kubeadm uses the default route's). */
function hostDefaults(): HostDefaults {
  const addresses = Object.values(networkInterfaces())
    .flat()
    .filter((a) => a !== undefined);
  const address = addresses.find((a) => a.family === 'IPv4' && !a.internal)?.address ?? '127.0.0.1';
  return { hostname: hostname(), address };
}

const rules = { backdateMs: KUBEADM_DEFAULTS.backdateMs, restartOrder: KUBEADM_RESTART_ORDER };
const dryRun = (options: CommandOptions): boolean => options.dryRun === true;

async function init(ctx: OpsContext, options: CommandOptions): Promise<string> {
  const layout = await kubeadmLayout(options);
  const params = { catalogue: layout.catalogue, ...rules, warnings: layout.warnings };
  const plan = await planInit(ctx, params);
  warn(plan.warnings);
  const result = dryRun(options) ? undefined : await applyInit(ctx, params, plan);
  return options.output === 'json'
    ? planJson(plan, result, dryRun(options))
    : formatPlan(plan, dryRun(options)) + (dryRun(options) ? '' : formatApplied(plan, result));
}

async function check(ctx: OpsContext, options: CommandOptions): Promise<string> {
  const windowMs =
    typeof options.warnWithin === 'string' ? parseDuration(options.warnWithin, '--warn-within') : 0;
  const layout = await kubeadmLayout(options);
  const report = await checkTree(ctx, { catalogue: layout.catalogue });
  const rows = [...report.certificates, ...report.authorities];
  if (rows.some((row) => isExpiring(row, windowMs))) process.exitCode = ExitCode.expiring;
  else if (hasProblems(report)) process.exitCode = ExitCode.invalid;
  if (options.output === 'json') return formatKubeadmJson(report);
  if (options.output === 'yaml') return formatKubeadmYaml(report);
  warn(formatProblems(report).split('\n').filter(Boolean));
  return formatKubeadmTable(report);
}

async function renew(
  ctx: OpsContext,
  options: CommandOptions,
  names: readonly string[],
): Promise<string> {
  if (names.length === 0) throw new UsageError('name the certificates to renew, or "all"');
  if (names.includes('all') && names.length > 1)
    throw new UsageError('"all" cannot be combined with other names');
  const layout = await kubeadmLayout(options);
  const within = options.expiringWithin;
  const params = {
    catalogue: layout.catalogue,
    names,
    ...rules,
    keepKeyAlgorithm: options.config === undefined,
    ...(typeof within === 'string' && {
      expiringWithinMs: parseDuration(within, '--expiring-within'),
    }),
  };
  const plan = await planRenew(ctx, params);
  const result = dryRun(options) ? undefined : await applyRenew(ctx, params, plan);
  return options.output === 'json'
    ? planJson(plan, result, dryRun(options))
    : formatPlan(plan, dryRun(options)) + (dryRun(options) ? '' : formatApplied(plan, result));
}

async function csrGenerate(ctx: OpsContext, options: CommandOptions): Promise<string> {
  const layout = await kubeadmLayout(options);
  const target =
    typeof options.csrDir === 'string'
      ? await mkdir(options.csrDir, { recursive: true, mode: 0o700 }).then(() =>
          openTreeStore(options.csrDir as string),
        )
      : ctx.tree;
  const work = async (): Promise<string> => {
    // Loaded on use: the CSR code pulls in @peculiar/x509, which every other command would pay for at start-up.
    const { applyCsrGenerate, planCsrGenerate } = await import('../../ops/kubeadm/csr-generate.js');
    const plan = await planCsrGenerate(target, layout.catalogue);
    const result = dryRun(options)
      ? undefined
      : await applyCsrGenerate(ctx, target, layout.catalogue);
    return options.output === 'json'
      ? planJson(plan, result, dryRun(options))
      : formatPlan(plan, dryRun(options)) +
          (result
            ? `[csr generate] wrote keys and requests in ${target.root}; sign them with your CA, or with: kpki csr sign --dir ${ctx.tree.root}${target === ctx.tree ? '' : ` --csr-dir ${target.root}`}\n`
            : '');
  };
  return target === ctx.tree ? work() : target.exclusive(work);
}

async function csrSign(ctx: OpsContext, options: CommandOptions): Promise<string> {
  const layout = await kubeadmLayout(options);
  const source =
    typeof options.csrDir === 'string' ? await openTreeStore(options.csrDir) : ctx.tree;
  const params = { catalogue: layout.catalogue, source, ...rules };
  const { applyCsrSign, planCsrSign } = await import('../../ops/kubeadm/csr-sign.js');
  const plan = await planCsrSign(ctx, params);
  const result = dryRun(options) ? undefined : await applyCsrSign(ctx, params);
  return options.output === 'json'
    ? planJson(plan, result, dryRun(options))
    : formatPlan(plan, dryRun(options)) + (dryRun(options) ? '' : formatApplied(plan, result));
}

async function kubeconfigUser(ctx: OpsContext, options: CommandOptions): Promise<string> {
  const layout = await kubeadmLayout(options);
  const ca = layout.catalogue.cas.find((entry) => entry.name === 'ca');
  if (!ca) throw new UsageError('the kubeadm catalogue has no "ca"');
  const validityMs =
    typeof options.validity === 'string'
      ? parseDuration(options.validity, '--validity')
      : layout.spec.certificateValidityMs;
  if (validityMs > KUBEADM_DEFAULTS.certificateValidityMs)
    warn(['--validity is longer than the recommended 8760h0m0s']);
  return buildUserKubeconfig(ctx, {
    ca,
    clientName: String(options.clientName),
    organizations: Array.isArray(options.org) ? (options.org as string[]) : [],
    validityMs,
    backdateMs: KUBEADM_DEFAULTS.backdateMs,
    keyAlgorithm: layout.spec.encryptionAlgorithm,
    clusterName: layout.spec.clusterName,
    server: controlPlaneUrl(layout.spec),
  });
}

async function rotateCa(ctx: OpsContext, options: CommandOptions): Promise<string> {
  const phase = options.phase;
  if (typeof phase !== 'string' || !(ROTATION_PHASES as readonly string[]).includes(phase)) {
    throw new UsageError(
      'kubeadm has no CA rotation of its own: run kpki rotate-ca --phase trust, then --phase issue, then --phase finish, restarting what each phase names in between',
    );
  }
  const layout = await kubeadmLayout(options);
  const cas =
    typeof options.ca === 'string'
      ? options.ca
          .split(',')
          .map((name) => name.trim())
          .filter(Boolean)
      : [];
  const planned = await planRotateCa(ctx, {
    catalogue: layout.catalogue,
    phase: phase as RotationPhase,
    cas,
    ...rules,
  });
  const result = dryRun(options) ? undefined : await applyRotateCa(ctx, planned);
  const next =
    phase === 'finish'
      ? ''
      : `[rotate-ca] after those restarts, run: kpki rotate-ca --phase ${phase === 'trust' ? 'issue' : 'finish'} --dir ${ctx.tree.root}\n`;
  if (options.output === 'json') return planJson(planned.plan, result, dryRun(options));
  return (
    formatPlan(planned.plan, dryRun(options)) +
    (dryRun(options) ? '' : formatApplied(planned.plan, result) + next)
  );
}

async function caGenerate(ctx: OpsContext, options: CommandOptions): Promise<string> {
  const layout = await kubeadmLayout(options);
  const hierarchy = kubeadmHierarchy(layout.spec, Math.floor(ctx.clock.now().getTime() / 1000));
  const root = await readGivenCa(options.rootCert, options.rootKey);
  const intermediate = await readGivenCa(options.intermediateCert, options.intermediateKey);
  const { plan, result } = await generateHierarchy(ctx, ctx.tree, {
    hierarchy,
    ...(root && { root }),
    ...(intermediate && { intermediate }),
  });
  warn(plan.warnings);
  if (options.output === 'json') return planJson(plan, result, false);
  return `${formatPlan(plan, false)}[ca generate] wrote ${ctx.tree.root}; create the rest of the tree with: kpki init --dir ${ctx.tree.root}\n`;
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
    'rotate-ca': rotateCa,
    'ca-generate': caGenerate,
  },
};
