/**
 * `rotate-ca --path STAGE` for RKE2/K3s (reference/rke2-k3s.md §10): the staged CA material is
 * read as RKE2's server reads it (a server-dir-shaped directory; a missing or empty file keeps the
 * current data), checked with every problem reported (rke2/rotate-ca-checks.ts), optionally written
 * to the datastore record by compare-and-swap as RKE2's server does, and then — where RKE2 leaves
 * it to the next start — installed on disk with every leaf of a changed CA re-issued on its
 * existing key, the CA copies and the user kubeconfig rewritten, in one commit with a backup.
 */
import { ValidationError } from '../../errors.js';
import { encodePrivateKey, parsePrivateKeys, type PrivateKey } from '../../pki/keys.js';
import { bootstrapFieldsFor } from '../../layouts/bootstrap-record.js';
import { requireCaWithRole } from '../../layouts/catalogue.js';
import type { Rke2Catalogue, Rke2Leaf } from '../../layouts/rke2/catalogue.js';
import {
  checkRotation,
  effective,
  isReplaced,
  type RotationField,
  type RotationProblem,
} from '../../layouts/rke2/rotate-ca-checks.js';
import { allServices, restartTargets, rke2RestartOrder } from '../../layouts/rke2/services.js';
import {
  prepareRotatedCaRecord,
  writeRotatedCaRecord,
  type RotatedCaFile,
  type RotatedCaResult,
} from './bootstrap/rotate-ca.js';
import { leafFiles, loadRke2Authority, readKeys, type Rke2Authority } from './issue.js';
import { issueLeaf } from '../shared/issue.js';
import { RKE2_ISSUANCE } from '../../layouts/rke2/issuance-profile.js';
import { legacyCerts } from './rotate.js';
import { userKubeconfigWrite } from './derived.js';
import { restartOrder, type Plan, type PlanItem } from '../shared/plan.js';
import {
  FileMode,
  type CommitResult,
  type Datastore,
  type FileWrite,
  type OpsContext,
} from '../shared/ports.js';

/** The staged directory: bytes and mtimes of files by path relative to it (`tls/server-ca.crt`). */
export interface StagedSource {
  readonly where: string;
  /** Undefined when the file does not exist; throws FileAccessError when it cannot be read. */
  read(path: string): Promise<Uint8Array | undefined>;
  mtimeNs(path: string): Promise<bigint | undefined>;
}

/** Inputs of RKE2 rotate-ca. */
export interface Rke2RotateCaParams {
  readonly catalogue: Rke2Catalogue;
  readonly stage: StagedSource;
  /** Report failed integrity checks as warnings instead of refusing (never the fatal ones). */
  readonly force: boolean;
  /** When given, the record is updated (after every file is prepared, before the disk commit), as RKE2's server does; other servers restore from it. */
  readonly datastore?: { readonly store: Datastore; readonly token: string };
}

/** A checked rotation, ready to apply. */
export interface PlannedRke2RotateCa {
  readonly plan: Plan;
  readonly fields: readonly RotationField[];
  readonly problems: readonly RotationProblem[];
  /** Names of the CAs whose certificate or key changes. */
  readonly changedCas: ReadonlySet<string>;
  /** Leaves of the changed CAs (legacy server-side copies included), re-issued on their keys. */
  readonly leaves: readonly Rke2Leaf[];
}

/** What apply did: the disk commit, and the record update when a datastore was given. */
export interface Rke2RotateCaResult {
  readonly commit: CommitResult;
  readonly record: RotatedCaResult | undefined;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Reads and checks the staged material and plans the installation; with a datastore, also checks
 * (without writing) that the record may take it.
 * @throws ValidationError `NOT_A_SERVER` when the tree has no current server CA (an agent or an
 *   empty dir: rotate-ca would plant every CA key there), `NOTHING_TO_ROTATE` when no staged file
 *   differs from the current one, `ROTATE_CA_INVALID` listing the problems that stop it (every
 *   problem without `force`; with it, the fatal ones); the errors of prepareRotatedCaRecord.
 */
export async function planRke2RotateCa(
  ctx: OpsContext,
  params: Rke2RotateCaParams,
): Promise<PlannedRke2RotateCa> {
  const { catalogue } = params;
  const serverCa = requireCaWithRole(catalogue, 'server').certPath;
  if (!(await ctx.tree.exists(serverCa))) {
    throw new ValidationError(
      'NOT_A_SERVER',
      `"${ctx.tree.root}" has no "${serverCa}": rotate-ca replaces a server's CAs, and this is not a server data dir`,
      {
        hint: 'run it on a server; agents pick up the new CAs when they restart (or with kpki renew --server-data-dir)',
      },
    );
  }
  const fields = await Promise.all(
    bootstrapFieldsFor(catalogue.program)
      .filter((f) => f.rotate)
      .map(
        async (f): Promise<RotationField> => ({
          field: f.name,
          path: f.path,
          stagedPath: `${params.stage.where}/${stagedPath(f.path)}`,
          current: await ctx.tree.read(f.path),
          staged: await params.stage.read(stagedPath(f.path)),
        }),
      ),
  );
  const replaced = fields.filter(isReplaced);
  if (replaced.length === 0) {
    const server = requireCaWithRole(catalogue, 'server');
    throw new ValidationError(
      'NOTHING_TO_ROTATE',
      `no file in "${params.stage.where}" differs from the current CA material of "${ctx.tree.root}"`,
      {
        hint: `stage new CA files as ${stagedPath(server.certPath)}, ${stagedPath(server.keyPath)}, … (kpki ca cross-sign or kpki ca generate write them)`,
      },
    );
  }
  const problems = checkRotation(fields, ctx.clock.now());
  const refused = problems.filter((p) => p.fatal || !params.force);
  if (refused.length > 0) {
    const forceable = refused.every((p) => !p.fatal);
    throw new ValidationError(
      'ROTATE_CA_INVALID',
      `the staged CA material in "${params.stage.where}" failed ${refused.length} check(s):\n${refused.map((p) => `  ${p.field}: ${p.message}`).join('\n')}`,
      {
        hint: forceable
          ? 'fix the staged files, or pass --force to install them anyway (clients that trust only the current root will reject the new certificates)'
          : 'fix the staged files: --force skips only the chain and service-key checks, never one without which no certificate can be issued',
      },
    );
  }
  const changedCas = new Set(
    catalogue.cas
      .filter((ca) => replaced.some((f) => f.path === ca.certPath || f.path === ca.keyPath))
      .map((ca) => ca.name),
  );
  const legacy = (
    await Promise.all(
      allServices(catalogue.program).map((service) => legacyCerts(ctx, catalogue, service)),
    )
  ).flat();
  const leaves = [...catalogue.leaves, ...legacy].filter((leaf) => changedCas.has(leaf.ca));
  const items: PlanItem[] = [
    ...replaced.map(
      (f): PlanItem => ({
        name: f.field,
        action: 'renew',
        reason: `staged in ${params.stage.where}`,
        files: [f.path],
      }),
    ),
    ...leaves.map(
      (leaf): PlanItem => ({
        name: leaf.name,
        action: 'renew',
        reason: `re-issued by the new ${leaf.ca} on its existing key`,
        files: [leaf.certPath],
      }),
    ),
  ];
  if (params.datastore) {
    const record = await prepareRotatedCaRecord(
      params.datastore.store,
      params.datastore.token,
      recordFiles(replaced, new Map()),
      currentFiles(fields),
    );
    items.unshift({
      name: record.key,
      action: 'renew',
      reason: `datastore record: ${replaced.map((f) => f.field).join(', ')}, by compare-and-swap on revision ${record.modRevision}`,
      files: [],
    });
  }
  const services = new Set(leaves.map((leaf) => leaf.service));
  if (replaced.some((f) => f.field === 'ServiceKey'))
    ['api-server', 'controller-manager'].forEach((s) => services.add(s));
  const components = [...services]
    .filter((s) => allServices(catalogue.program).includes(s))
    .flatMap((s) => restartTargets(catalogue.program, s));
  const notStaged = fields
    .filter((f) => !isReplaced(f) && (f.staged === undefined || f.staged.length === 0))
    .map((f) => `${f.field} not staged (${f.stagedPath}); the current file is kept`);
  const plan: Plan = {
    operation: 'rotate-ca',
    root: ctx.tree.root,
    items,
    restart: restartOrder(
      [`${catalogue.program}-server`, ...components],
      rke2RestartOrder(catalogue.program),
    ),
    warnings: [
      ...notStaged,
      ...problems.map((p) => `--force: installing although ${p.field}: ${p.message}`),
    ],
  };
  return { plan, fields, problems, changedCas, leaves };
}

/**
 * Prepares every file first (CA material, re-issued leaves, copies, kubeconfig), then — with a
 * datastore — writes the record by compare-and-swap, then commits the files in one change. A
 * failure before the record write changes nothing anywhere. If the commit fails after the record
 * was written, the record holds the new material and the disk the old; the same command run again
 * installs it (the record check accepts material it already holds).
 * @throws ConflictError `RECORD_CHANGED` when another server rotated meanwhile, `RECORD_DIFFERS`
 *   when the record's CA material is neither this server's nor the staged one (restore first);
 *   the errors of writeRotatedCaRecord and of the tree store's commit.
 */
export async function applyRke2RotateCa(
  ctx: OpsContext,
  params: Rke2RotateCaParams,
  planned: PlannedRke2RotateCa,
): Promise<Rke2RotateCaResult> {
  const { catalogue } = params;
  const now = ctx.clock.now();
  const replaced = planned.fields.filter(isReplaced);
  const mtimes = new Map<string, bigint>();
  for (const f of replaced)
    mtimes.set(
      f.path,
      (await params.stage.mtimeNs(stagedPath(f.path))) ?? BigInt(now.getTime()) * 1_000_000n,
    );
  // On disk the files keep the record's timestamps, so RKE2 does not find them newer than the datastore.
  const writes: FileWrite[] = replaced.map((f) => ({
    path: f.path,
    data: f.staged as Uint8Array,
    mode: /\.key$/.test(f.path) ? FileMode.key : FileMode.cert,
    mtime: new Date(Number((mtimes.get(f.path) as bigint) / 1_000_000n)),
  }));
  const cas = await authorities(catalogue, planned.fields, ctx.tree.root);
  const issued = new Map<string, { cert: string; key: PrivateKey }>();
  for (const leaf of planned.leaves) {
    const made = await reissue(ctx, leaf, cas, now);
    writes.push(...made.files);
    issued.set(leaf.name, { cert: decoder.decode(made.files[0]?.data), key: made.key });
  }
  for (const copy of catalogue.copies) {
    const ca = planned.changedCas.has(copy.ca) ? cas.get(copy.ca) : undefined;
    if (ca)
      writes.push({
        path: copy.path,
        data: encoder.encode(copy.firstOnly ? ca.certificate.pem : ca.bundlePem),
        mode: copy.mode,
      });
  }
  const serviceKey = replaced.find((f) => f.field === 'ServiceKey');
  const [signer] = serviceKey
    ? parsePrivateKeys(decoder.decode(serviceKey.staged), serviceKey.stagedPath)
    : [];
  if (signer)
    writes.push({
      path: catalogue.serviceCurrentKeyPath,
      data: encoder.encode(encodePrivateKey(signer)),
      mode: FileMode.key,
    });
  writes.push(...(await userKubeconfig(ctx, catalogue, planned, cas, issued)));
  const empty = new Uint8Array();
  writes.push({ path: catalogue.regenerateTriggerPath, data: empty, mode: FileMode.key });
  if (catalogue.forceRestartPath !== undefined)
    writes.push({ path: catalogue.forceRestartPath, data: empty, mode: FileMode.key });
  const record = params.datastore
    ? await writeRotatedCaRecord(
        params.datastore.store,
        params.datastore.token,
        recordFiles(replaced, mtimes),
        ctx.random,
        currentFiles(planned.fields),
      )
    : undefined;
  return { commit: await ctx.tree.commit({ writes, deletes: [] }, 'rotate-ca'), record };
}

/**
 * The user kubeconfig (`<prog>.yaml`) when the server CA (its CA data) or the client CA (its admin
 * certificate) changed: the re-issued admin certificate, else the one on disk.
 */
async function userKubeconfig(
  ctx: OpsContext,
  catalogue: Rke2Catalogue,
  planned: PlannedRke2RotateCa,
  cas: ReadonlyMap<string, Rke2Authority>,
  issued: ReadonlyMap<string, { cert: string; key: PrivateKey }>,
): Promise<FileWrite[]> {
  const user = catalogue.userKubeconfig;
  const serverName = requireCaWithRole(catalogue, 'server').name;
  const clientName = requireCaWithRole(catalogue, 'client').name;
  const serverCa = cas.get(serverName);
  if (
    !user ||
    !serverCa ||
    !(planned.changedCas.has(serverName) || planned.changedCas.has(clientName))
  )
    return [];
  const leaf = catalogue.leaves.find((entry) => entry.name === user.leaf);
  let admin = issued.get(user.leaf);
  if (!admin && leaf) {
    const cert = await ctx.tree.read(leaf.certPath);
    const key = (await readKeys(ctx, leaf.keyPath))?.[0];
    if (cert && key) admin = { cert: decoder.decode(cert), key };
  }
  return admin ? [userKubeconfigWrite(user, serverCa, admin)] : [];
}

/** The record's view of the replaced files, with their staged mtimes (now when unknown). */
function recordFiles(
  replaced: readonly RotationField[],
  mtimes: ReadonlyMap<string, bigint>,
): RotatedCaFile[] {
  return replaced.map((f) => ({
    field: f.field,
    content: f.staged as Uint8Array,
    timestampNs: mtimes.get(f.path) ?? 0n,
  }));
}

/** Field → this server's current file, for the record's staleness check. */
function currentFiles(fields: readonly RotationField[]): Map<string, Uint8Array> {
  return new Map(
    fields.flatMap((f) => (f.current === undefined ? [] : [[f.field, f.current] as const])),
  );
}

/** `server/tls/x` → `tls/x`: the staged directory is shaped like `server/`. */
function stagedPath(path: string): string {
  return path.replace(/^server\//, '');
}

/**
 * The CAs in force after the rotation, loaded as every RKE2 command loads a CA, from the effective
 * (staged or current) files. A CA whose files are unusable is left out: the checks have refused
 * a changed one already, and an unchanged one signs nothing here.
 */
async function authorities(
  catalogue: Rke2Catalogue,
  fields: readonly RotationField[],
  where: string,
): Promise<Map<string, Rke2Authority>> {
  const read = (path: string): Promise<Uint8Array | undefined> => {
    const field = fields.find((f) => f.path === path);
    return Promise.resolve(field && effective(field));
  };
  const cas = new Map<string, Rke2Authority>();
  for (const entry of catalogue.cas) {
    const ca = await loadRke2Authority(read, entry, where).catch(() => undefined);
    if (ca) cas.set(entry.name, ca);
  }
  return cas;
}

/** A leaf signed by its new CA on its existing key (a new key when it has none). */
async function reissue(
  ctx: OpsContext,
  leaf: Rke2Leaf,
  cas: ReadonlyMap<string, Rke2Authority>,
  now: Date,
): Promise<{ files: FileWrite[]; key: PrivateKey }> {
  const ca = cas.get(leaf.ca);
  if (!ca)
    throw new ValidationError(
      'CA_KEY_MISSING',
      `cannot re-issue "${leaf.name}": CA "${leaf.ca}" is not available`,
    );
  const existing = (await readKeys(ctx, leaf.keyPath))?.[0];
  const key = existing ?? (await ctx.keys.generate(leaf.keyAlgorithm));
  const cert = (await issueLeaf(ctx, RKE2_ISSUANCE, leaf, ca, now, key)).certificate;
  return { files: leafFiles(leaf, cert, key, ca, existing === undefined), key };
}
