/**
 * `rotate` for RKE1 (reference rke.md §3.1–§3.2), as plan → apply. Differences from `rke cert
 * rotate`, on purpose: unknown `--service` names are an error, SANs follow the current cluster.yml,
 * only the containers that load a changed file are listed for restart, and the service-account
 * certificate is re-signed by a new CA (its key, and so every ServiceAccount token, is kept).
 */
import { UnknownNameError, ValidationError } from '../../errors.js';
import {
  isRkeService,
  KUBE_CA,
  RKE_SERVICES,
  type RkeCertEntry,
  type RkeService,
} from '../../layouts/rke/catalogue.js';
import {
  CA_ROTATION_POD_SELECTORS,
  restartTargets,
  type ChangedFile,
} from '../../layouts/rke/restarts.js';
import type { RkeFiles } from '../../layouts/rke/files.js';
import type { BundleEntry } from '../../layouts/rke/state.js';
import {
  newBundleEntry,
  updatedBundleEntry,
  type EntryContent,
} from '../../layouts/rke/bundle-entry.js';
import { caContent, leafContent } from './issue.js';
import { issueCa, issueLeaf } from '../shared/issue.js';
import { RKE_ISSUANCE } from '../../layouts/rke/issuance-profile.js';
import {
  existingAuthorities,
  readRkeTree,
  requireSoundBundle,
  requireState,
  type RkeTree,
} from './tree.js';
import { selectRotation, type RotationSelection } from './rotate-select.js';
import { adminKubeconfigWrite, nextDocument, stateWrite, withAdminKubeconfig } from './write.js';
import {
  applyPlanned,
  PreparedChange,
  type Apply,
  type Plan,
  type Planned,
  type PlanItem,
} from '../shared/plan.js';
import type { FileWrite, OpsContext } from '../shared/ports.js';

/** Inputs of an RKE rotation. */
export interface RkeRotateParams {
  readonly files: RkeFiles;
  /** `--service` values; empty (or one empty string, as Rancher sends) rotates every service. */
  readonly services: readonly string[];
  readonly rotateCa: boolean;
}

/** An RKE plan: the generic plan plus the pods to delete after a CA rotation. */
export interface RkePlan extends Plan {
  /** kube-system label selectors whose pods must be deleted (only with --rotate-ca). */
  readonly deletePods: readonly string[];
}

/**
 * Plans a rotation and issues it into the plan's change (the state file and the admin
 * kubeconfig); writes nothing.
 * @throws UnknownNameError for an unknown `--service`; FileAccessError `NO_STATE`; ValidationError
 *   `BROKEN_STATE`, `CA_INVALID` (kube-ca expired or not yet valid, without --rotate-ca) or
 *   `CA_KEY_MISSING`.
 */
export async function planRkeRotate(
  ctx: OpsContext,
  params: RkeRotateParams,
): Promise<Planned<RkePlan>> {
  const { tree, selection, broken } = await prepare(ctx, params);
  const writes = await rotateWrites(ctx, tree, selection, broken);
  const repaired = (name: string, reason: string): string =>
    broken.has(name)
      ? `repaired: new key and certificate (${tree.loaded.get(name)?.problems.join('; ') ?? 'broken'})`
      : reason;
  const items: PlanItem[] = [
    ...selection.cas.map((ca) =>
      item(tree, ca.name, repaired(ca.name, '--rotate-ca: new key and certificate')),
    ),
    ...selection.leaves.map((leaf) =>
      item(tree, leaf.name, repaired(leaf.name, leafReason(leaf, params.rotateCa))),
    ),
    ...selection.remove.map(
      (name): PlanItem => ({
        name,
        action: 'remove',
        reason: 'its host is no longer in the cluster file',
        files: [tree.files.stateFile],
      }),
    ),
  ];
  const changed: ChangedFile[] = [...selection.cas, ...selection.leaves].map((entry) => ({
    restart: entry.restart,
    host: 'host' in entry ? entry.host : undefined,
  }));
  const warnings = [
    ...(tree.state.bundles.currentState === undefined
      ? [
          `"${tree.files.stateFile}" has no currentState bundle (never brought up); only desiredState is updated`,
        ]
      : []),
    ...(broken.size === 0
      ? []
      : [
          `repaired broken entries with a new key and certificate, as rke cert rotate does: ${[...broken].join(', ')}`,
        ]),
  ];
  return {
    plan: {
      operation: 'rotate',
      root: ctx.tree.root,
      items: withAdminKubeconfig(items, writes, tree.files.adminKubeconfig),
      restart: restartTargets(tree.spec, changed),
      warnings,
      deletePods: params.rotateCa ? CA_ROTATION_POD_SELECTORS : [],
    },
    change: new PreparedChange('rotate', writes),
  };
}

/** Commits a rotation: the state file (and the admin kubeconfig) at once. */
export const applyRkeRotate: Apply<Planned<RkePlan>> = applyPlanned;

async function rotateWrites(
  ctx: OpsContext,
  tree: RkeTree,
  selection: RotationSelection,
  broken: ReadonlySet<string>,
): Promise<FileWrite[]> {
  const now = ctx.clock.now();
  const set = new Map<string, BundleEntry>();
  const authorities = existingAuthorities(tree);
  for (const ca of selection.cas) {
    const issued = await issueCa(ctx, RKE_ISSUANCE, ca, now);
    authorities.set(ca.name, issued);
    set.set(ca.name, bundleEntry(tree, ca.name, caContent(ca, issued)));
  }
  const kubeCa = authorities.get(KUBE_CA);
  const issued = await Promise.all(
    selection.leaves.map(async (leaf) => {
      const ca = authorities.get(leaf.ca);
      if (!ca || !kubeCa)
        throw new ValidationError(
          'CA_KEY_MISSING',
          `cannot rotate "${leaf.name}": the key of CA "${leaf.ca}" is not in "${tree.files.stateFile}"`,
        );
      const keep =
        leaf.preserveKey && !broken.has(leaf.name) ? tree.loaded.get(leaf.name)?.key : undefined;
      return [
        leaf.name,
        leafContent(
          leaf,
          await issueLeaf(ctx, RKE_ISSUANCE, leaf, ca, now, keep),
          tree.spec,
          kubeCa.certificate.pem,
        ),
      ] as const;
    }),
  );
  for (const [name, content] of issued) set.set(name, bundleEntry(tree, name, content));
  const change = { set, remove: selection.remove };
  const writes: FileWrite[] = [stateWrite(tree, nextDocument(tree, change, {}))];
  const admin = await adminKubeconfigWrite(ctx.tree, tree, change);
  if (admin) writes.push(admin);
  return writes;
}

async function prepare(
  ctx: OpsContext,
  params: RkeRotateParams,
): Promise<{
  tree: RkeTree & ReturnType<typeof requireState>;
  selection: RotationSelection;
  broken: ReadonlySet<string>;
}> {
  const services = validateServices(params.services);
  const tree = requireState(await readRkeTree(ctx.tree, params.files));
  const selection = selectRotation(tree, services, params.rotateCa);
  // RKE semantics: a service rotated gets a new key and certificate, so a broken entry of a
  // rotated service is repaired rather than refused; broken entries outside the rotation still are.
  const rotated = [...selection.cas, ...selection.leaves].map((entry) => entry.name);
  const broken = new Set(
    rotated.filter((name) => (tree.loaded.get(name)?.problems.length ?? 0) > 0),
  );
  requireSoundBundle(tree, broken);
  if (!params.rotateCa) precheckCa(tree, ctx.clock.now());
  return { tree, selection, broken };
}

function validateServices(services: readonly string[]): RkeService[] {
  const named = services.filter((name) => name !== '');
  const unknown = named.filter((name) => !isRkeService(name));
  if (unknown.length > 0) {
    throw new UnknownNameError(
      `unknown service${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')}`,
      { hint: `valid --service values: ${RKE_SERVICES.join(', ')}` },
    );
  }
  return [...new Set(named as RkeService[])];
}

/** RKE's pre-check (rke#1974): a plain rotation keeps kube-ca, so kube-ca must still be valid. */
function precheckCa(tree: RkeTree, now: Date): void {
  const ca = tree.loaded.get(KUBE_CA);
  if (!ca?.cert)
    throw new ValidationError(
      'CA_INVALID',
      `cannot rotate certificates: no CA certificate "${KUBE_CA}" in "${tree.files.stateFile}"`,
      { hint: 'use --rotate-ca to create new CAs' },
    );
  const cert = ca.cert;
  if (now < cert.notBefore || now > cert.notAfter) {
    const when =
      now > cert.notAfter
        ? `is after ${cert.notAfter.toISOString()}`
        : `is before ${cert.notBefore.toISOString()}`;
    throw new ValidationError(
      'CA_INVALID',
      `CA certificate is invalid, please use the --rotate-ca flag to rotate CA certificate, error: x509: certificate has expired or is not yet valid: current time ${now.toISOString()} ${when}`,
      { hint: 'kpki rotate --rotate-ca' },
    );
  }
  if (!ca.key)
    throw new ValidationError(
      'CA_KEY_MISSING',
      `cannot rotate certificates: "${tree.files.stateFile}" has no key for "${KUBE_CA}" (custom certificates)`,
      { hint: 'import new custom certificates with: kpki rke import --cert-dir DIR' },
    );
}

function item(tree: RkeTree, name: string, reason: string): PlanItem {
  return {
    name,
    action: name in tree.bundle ? 'renew' : 'create',
    reason: name in tree.bundle ? reason : 'missing from the state',
    files: [tree.files.stateFile],
  };
}

function leafReason(leaf: RkeCertEntry, rotateCa: boolean): string {
  if (leaf.preserveKey)
    return `signed by the new ${KUBE_CA}; key kept so ServiceAccount tokens stay valid`;
  return rotateCa
    ? 'new key, signed by the new CA'
    : `new key${leaf.service === undefined ? '' : ` (--service ${leaf.service})`}`;
}

/** An existing entry keeps its metadata (and an empty config stays empty); a new one gets RKE's. */
function bundleEntry(tree: RkeTree, name: string, content: EntryContent): BundleEntry {
  const existing = tree.bundle[name];
  if (!existing) return newBundleEntry(name, content, tree.files.clusterFile);
  return updatedBundleEntry(existing, {
    ...content,
    config: (existing.config ?? '') === '' ? '' : content.config,
  });
}
