/**
 * `rotate-ca --path STAGE` for RKE2/K3s (reference/rke2-k3s.md §10): the staged CA material is
 * read as RKE2's server reads it (a server-dir-shaped directory; a missing or empty file keeps the
 * current data), checked with every problem reported (rke2/rotate-ca-checks.ts), optionally written
 * to the datastore record by compare-and-swap as RKE2's server does, and then — where RKE2 leaves
 * it to the next start — installed on disk with every leaf of a changed CA re-issued on its
 * existing key, the CA copies and the user kubeconfig rewritten, in one commit with a backup.
 */
import { ValidationError } from '../../errors.js';
import { bootstrapFieldsFor } from '../../layouts/bootstrap-record.js';
import { requireCaWithRole } from '../../layouts/catalogue.js';
import type { Rke2Catalogue } from '../../layouts/rke2/catalogue.js';
import {
  checkRotation,
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
import { legacyCerts } from './rotate.js';
import { installFiles } from './rotate-ca-install.js';
import {
  PreparedChange,
  restartOrder,
  type Apply,
  type Planned,
  type PlanItem,
} from '../shared/plan.js';
import type { CommitResult, Datastore, OpsContext } from '../shared/ports.js';

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

/** A checked rotation with every file prepared, ready to apply. */
export interface PlannedRke2RotateCa extends Planned {
  /** The CA material fields, current and staged (data: holds key bytes). */
  readonly fields: readonly RotationField[];
  readonly problems: readonly RotationProblem[];
  /** Names of the CAs whose certificate or key changes. */
  readonly changedCas: ReadonlySet<string>;
  /** The datastore record update apply makes before the commit (with a datastore only). */
  readonly record: PlannedRecord | undefined;
}

/** A record update: data for apply, never printed. */
interface PlannedRecord {
  readonly store: Datastore;
  readonly token: string;
  readonly files: readonly RotatedCaFile[];
  readonly current: ReadonlyMap<string, Uint8Array>;
}

/** What apply did: the disk commit, and the record update when a datastore was given. */
export interface Rke2RotateCaResult {
  readonly commit: CommitResult;
  readonly record: RotatedCaResult | undefined;
}

/**
 * Reads and checks the staged material and prepares the installation — CA material, every leaf
 * of a changed CA re-issued on its existing key, the CA copies, the signer key, the user
 * kubeconfig, the triggers — into the plan's change; with a datastore, also checks (without
 * writing) that the record may take it. Writes nothing.
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
  const now = ctx.clock.now();
  const mtimes = new Map<string, bigint>();
  for (const f of replaced)
    mtimes.set(
      f.path,
      (await params.stage.mtimeNs(stagedPath(f.path))) ?? BigInt(now.getTime()) * 1_000_000n,
    );
  const prepared = await installFiles(ctx, catalogue, fields, changedCas, leaves, mtimes);
  const items: PlanItem[] = [
    ...replaced.map(
      (f): PlanItem => ({
        name: f.field,
        action: 'renew',
        reason: `staged in ${params.stage.where}`,
        files: [f.path],
      }),
    ),
    ...prepared.items,
  ];
  let record: PlannedRecord | undefined;
  if (params.datastore) {
    const checked = await prepareRotatedCaRecord(
      params.datastore.store,
      params.datastore.token,
      recordFiles(replaced, new Map()),
      currentFiles(fields),
    );
    items.unshift({
      name: checked.key,
      action: 'renew',
      reason: `datastore record: ${replaced.map((f) => f.field).join(', ')}, by compare-and-swap on revision ${checked.modRevision}`,
      files: [],
    });
    record = {
      ...params.datastore,
      files: recordFiles(replaced, mtimes),
      current: currentFiles(fields),
    };
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
  return {
    plan: {
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
    },
    change: new PreparedChange('rotate-ca', prepared.writes),
    fields,
    problems,
    changedCas,
    record,
  };
}

/**
 * With a datastore, writes the record by compare-and-swap, then commits the planned files in one
 * change. A failure before the record write changes nothing anywhere. If the commit fails after
 * the record was written, the record holds the new material and the disk the old; the same command
 * run again installs it (the record check accepts material it already holds).
 * @throws ConflictError `RECORD_CHANGED` when another server rotated meanwhile, `RECORD_DIFFERS`
 *   when the record's CA material is neither this server's nor the staged one (restore first);
 *   the errors of writeRotatedCaRecord and of the tree store's commit.
 */
export const applyRke2RotateCa: Apply<PlannedRke2RotateCa, Rke2RotateCaResult> = async (
  ctx,
  planned,
) => {
  const { record: update } = planned;
  const record = update
    ? await writeRotatedCaRecord(
        update.store,
        update.token,
        update.files,
        ctx.random,
        update.current,
      )
    : undefined;
  return { commit: await ctx.tree.commit(planned.change, planned.change.label), record };
};

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
