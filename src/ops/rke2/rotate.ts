/**
 * `rotate [--service LIST]` for RKE2/K3s (reference/rke2-k3s.md §6): the backup RKE2 makes
 * (`server/tls` copied whole to `server/tls-<unix>`, the services' agent files flattened into it),
 * then — where RKE2 only deletes files and leaves the work to the next start — new keys and
 * certificates issued at once and switched in together with the backup, the
 * `dynamic-cert-regenerate` trigger for `<prog>-server`, and RKE2's `force-restart` marker.
 */
import { OperationError, ValidationError } from '../../errors.js';
import { encodePrivateKey } from '../../pki/keys.js';
import {
  SERVER_TLS,
  AGENT_DIR,
  keyPathOf,
  serviceCertFiles,
  type Rke2Catalogue,
  type Rke2Leaf,
} from '../../layouts/rke2/catalogue.js';
import { fileNameOf, requireCaWithRole } from '../../layouts/catalogue.js';
import { restartTargets, rke2RestartOrder } from '../../layouts/rke2/services.js';
import { leafFiles, loadRke2Authority, type FileSource, type Rke2Authority } from './issue.js';
import { issueLeaf } from '../shared/issue.js';
import { RKE2_ISSUANCE } from '../../layouts/rke2/issuance-profile.js';
import { specRecordChange, userKubeconfigWrite } from './derived.js';
import {
  applyPlanned,
  PreparedChange,
  restartOrder,
  type Apply,
  type Planned,
  type PlanItem,
} from '../shared/plan.js';
import { FileMode, type FileWrite, type OpsContext } from '../shared/ports.js';

/** Inputs of RKE2 rotate. */
export interface Rke2RotateParams {
  readonly catalogue: Rke2Catalogue;
  readonly services: readonly string[];
  /** Agent dirs: where the server's CAs are read from. */
  readonly caSource?: { readonly read: FileSource; readonly where: string };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Plans the rotation and prepares all of it — the backup copy, every new key and certificate, the
 * triggers — into the plan's change; writes nothing.
 * @throws OperationError `NO_LISTING` when the tree store cannot list files, `BACKUP_EXISTS`;
 *   ValidationError `CA_KEY_MISSING` when a CA needed to sign is not available.
 */
export async function planRke2Rotate(ctx: OpsContext, params: Rke2RotateParams): Promise<Planned> {
  const { catalogue } = params;
  const now = ctx.clock.now();
  const backupDir = await backupDirOf(ctx);
  const backup = await backupWrites(ctx, params, backupDir);
  const items: PlanItem[] = [
    {
      name: backupDir,
      action: 'create',
      reason: `backup copy of ${SERVER_TLS} as ${catalogue.program === 'k3s' ? 'K3s' : 'RKE2'} makes it`,
      files: backup.map((write) => write.path),
    },
  ];
  const writes: FileWrite[] = [...backup];
  const cas = await authorities(ctx, params);
  const components: string[] = [];
  const empty = new Uint8Array();
  for (const service of params.services) {
    components.push(...restartTargets(catalogue.program, service));
    for (const leaf of catalogue.leaves.filter((entry) => entry.service === service)) {
      const files = await rotatedLeaf(ctx, catalogue, cas, leaf, now);
      writes.push(...files);
      items.push({
        name: leaf.name,
        action: 'renew',
        reason: `${service}: new key and certificate`,
        files: files.map((write) => write.path),
      });
    }
    const legacy = await legacyCerts(ctx, catalogue, service);
    for (const keyFile of catalogue.keyFiles.filter((entry) => entry.service === service)) {
      const key = await ctx.keys.generate('ECDSA-P256');
      writes.push({
        path: keyFile.keyPath,
        data: encoder.encode(encodePrivateKey(key)),
        mode: FileMode.key,
      });
      items.push({
        name: keyFile.name,
        action: 'renew',
        reason: `${service}: new server-side key`,
        files: [keyFile.keyPath],
      });
      const copy = legacy.find((entry) => entry.keyPath === keyFile.keyPath);
      if (!copy) continue;
      const ca = requireCa(cas, copy);
      const cert = (await issueLeaf(ctx, RKE2_ISSUANCE, copy, ca, now, key)).certificate;
      writes.push(...leafFiles(copy, cert, key, ca, false));
      items.push({
        name: copy.certPath,
        action: 'renew',
        reason: `${service}: server-side copy re-issued with its new key`,
        files: [copy.certPath],
      });
    }
    if (service === `${catalogue.program}-server`) {
      writes.push({ path: catalogue.regenerateTriggerPath, data: empty, mode: FileMode.key });
      items.push({
        name: catalogue.regenerateTriggerPath,
        action: 'create',
        reason: 'the listener makes a new key and certificate at the next start',
        files: [catalogue.regenerateTriggerPath],
      });
    }
  }
  if (catalogue.forceRestartPath !== undefined) {
    writes.push({ path: catalogue.forceRestartPath, data: empty, mode: FileMode.key });
    items.push({
      name: catalogue.forceRestartPath,
      action: 'create',
      reason: 'RKE2 re-creates the control-plane static pods at the next start',
      files: [catalogue.forceRestartPath],
    });
  }
  const record = await specRecordChange(ctx, catalogue);
  if (record !== undefined && params.services.length > 0) {
    writes.push(record.write);
    items.push(record.item);
  }
  // An agent dir has no supervisor; its kubelet rotation restarts only agent components.
  const local =
    catalogue.role === 'agent'
      ? components.filter((name) => name !== `${catalogue.program}-server`)
      : components;
  return {
    plan: {
      operation: 'rotate',
      root: ctx.tree.root,
      items,
      restart: restartOrder(local, rke2RestartOrder(catalogue.program)),
      warnings: [],
    },
    change: new PreparedChange('rotate', writes),
  };
}

/** Commits the backup copy and everything rotated at once. */
export const applyRke2Rotate: Apply = applyPlanned;

/** A leaf on a new key, and the user kubeconfig when it is the admin leaf. */
async function rotatedLeaf(
  ctx: OpsContext,
  catalogue: Rke2Catalogue,
  cas: ReadonlyMap<string, Rke2Authority>,
  leaf: Rke2Leaf,
  now: Date,
): Promise<FileWrite[]> {
  const ca = requireCa(cas, leaf);
  const key = await ctx.keys.generate(leaf.keyAlgorithm);
  const cert = (await issueLeaf(ctx, RKE2_ISSUANCE, leaf, ca, now, key)).certificate;
  const files = leafFiles(leaf, cert, key, ca, true);
  const user = catalogue.userKubeconfig;
  const serverCa = cas.get(requireCaWithRole(catalogue, 'server').name);
  if (user && leaf.name === user.leaf && serverCa)
    files.push(userKubeconfigWrite(user, serverCa, { cert: decoder.decode(files[0]?.data), key }));
  return files;
}

/** `server/tls-<unix>` when `server/tls` exists, else `agent/tls-<unix>`. */
async function backupDirOf(ctx: OpsContext): Promise<string> {
  const unix = Math.floor(ctx.clock.now().getTime() / 1000);
  const base = (await ctx.tree.exists(SERVER_TLS)) ? SERVER_TLS : `${AGENT_DIR}/tls`;
  return `${base}-${unix}`;
}

/** Copies of the whole `server/tls` tree and of the services' agent files (by base name). */
async function backupWrites(
  ctx: OpsContext,
  params: Rke2RotateParams,
  dir: string,
): Promise<FileWrite[]> {
  const list = ctx.tree.listFiles?.bind(ctx.tree);
  if (!list)
    throw new OperationError(
      'NO_LISTING',
      'this tree store cannot list files, so the server/tls backup cannot be made',
    );
  if (await ctx.tree.exists(dir))
    throw new OperationError(
      'BACKUP_EXISTS',
      `backup directory "${dir}" already exists; wait a second and run rotate again`,
    );
  // Keyed by target: an agent file flattened into the backup replaces a same-named server/tls
  // copy (client-kubelet.key exists in both), as RKE2's later copy overwrites the earlier one.
  const writes = new Map<string, FileWrite>();
  const copy = async (from: string, to: string, mode: number): Promise<void> => {
    const data = await ctx.tree.read(from);
    if (data !== undefined) writes.set(to, { path: to, data, mode });
  };
  if (dir.startsWith(`${SERVER_TLS}-`)) {
    for (const file of await list(SERVER_TLS))
      await copy(file.path, `${dir}/${file.path.slice(SERVER_TLS.length + 1)}`, file.mode);
  }
  const agentFiles = params.catalogue.leaves.filter(
    (leaf) => params.services.includes(leaf.service) && leaf.certPath.startsWith(`${AGENT_DIR}/`),
  );
  for (const leaf of agentFiles) {
    for (const [path, mode] of [
      [leaf.certPath, FileMode.cert],
      [leaf.keyPath, FileMode.key],
    ] as const)
      await copy(path, `${dir}/${fileNameOf(path)}`, mode);
  }
  return [...writes.values()];
}

/** Server-side certificates of agent services that still exist (pre-2025 trees), as leaves to re-issue. */
export async function legacyCerts(
  ctx: OpsContext,
  catalogue: Rke2Catalogue,
  service: string,
): Promise<Rke2Leaf[]> {
  const found: Rke2Leaf[] = [];
  for (const path of serviceCertFiles(catalogue, service).filter((file) =>
    file.startsWith(`${SERVER_TLS}/`),
  )) {
    if (catalogue.leaves.some((leaf) => leaf.certPath === path) || !(await ctx.tree.exists(path)))
      continue;
    const base = path.slice(path.lastIndexOf('/') + 1);
    const twin = catalogue.leaves.find((leaf) => leaf.certPath.endsWith(`/${base}`));
    if (twin) found.push({ ...twin, name: path, certPath: path, keyPath: keyPathOf(path) });
  }
  return found;
}

async function authorities(
  ctx: OpsContext,
  params: Rke2RotateParams,
): Promise<Map<string, Rke2Authority>> {
  const source = params.caSource ?? {
    read: (path: string) => ctx.tree.read(path),
    where: ctx.tree.root,
  };
  const found = new Map<string, Rke2Authority>();
  for (const entry of params.catalogue.cas) {
    const needed = params.catalogue.leaves.some(
      (leaf) => leaf.ca === entry.name && params.services.includes(leaf.service),
    );
    if (needed) found.set(entry.name, await loadRke2Authority(source.read, entry, source.where));
    // The user kubeconfig embeds the server CA bundle; rewrite it only when that CA is at hand.
    else if (entry.role === 'server')
      await loadRke2Authority(source.read, entry, source.where).then(
        (ca) => found.set(entry.name, ca),
        () => undefined,
      );
  }
  return found;
}

function requireCa(cas: ReadonlyMap<string, Rke2Authority>, leaf: Rke2Leaf): Rke2Authority {
  const ca = cas.get(leaf.ca);
  if (!ca)
    throw new ValidationError(
      'CA_KEY_MISSING',
      `cannot rotate "${leaf.name}": CA "${leaf.ca}" is not available`,
    );
  return ca;
}
