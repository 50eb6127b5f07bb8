/**
 * `bootstrap save`: the server's CA files → the encrypted record in the datastore (§8.4). Creates
 * the record; with `override` replaces it by compare-and-swap on the revision read, so a record
 * changed meanwhile by another server is never overwritten blindly.
 */
import { ConflictError, FileAccessError } from '../../../errors.js';
import {
  bootstrapFieldsFor,
  type BootstrapFile,
  type ServerProduct,
} from '../../../layouts/bootstrap-record.js';
import type { RandomBytes } from '../../../pki/serial.js';
import { refuseOtherTokens, sealBootstrapRecord, tokenIdentity } from './record-io.js';
import type { Datastore, FileTimes, TreeReader } from '../../shared/ports.js';

/** Inputs of {@link saveBootstrap}. `tree` is rooted at the data dir. */
export interface BootstrapSaveParams {
  readonly tree: TreeReader;
  readonly times: FileTimes;
  readonly store: Datastore;
  readonly token: string;
  readonly product: ServerProduct;
  readonly override: boolean;
  readonly random: RandomBytes;
}

/** What {@link saveBootstrap} wrote. */
export interface BootstrapSaveResult {
  readonly key: string;
  readonly revision: number;
  /** Field names stored. */
  readonly saved: readonly string[];
  /** Data-dir paths skipped because they do not exist (K3s skips them too). */
  readonly missing: readonly string[];
  readonly replaced: boolean;
}

/**
 * Writes the record. Changes nothing on disk.
 * @throws InvalidInputError `BAD_TOKEN`; FileAccessError `NO_BOOTSTRAP_FILES` when none of the files
 *   exist; ConflictError `RECORD_EXISTS` (without override), `RECORD_CHANGED` (lost a race),
 *   `DIFFERENT_TOKEN` (another token's record exists).
 */
export async function saveBootstrap(params: BootstrapSaveParams): Promise<BootstrapSaveResult> {
  const { key } = tokenIdentity(params.token);
  const record = new Map<string, BootstrapFile>();
  const missing: string[] = [];
  for (const field of bootstrapFieldsFor(params.product)) {
    const content = await params.tree.read(field.path);
    const timestampNs = await params.times.mtimeNs(field.path);
    if (content === undefined || timestampNs === undefined) missing.push(field.path);
    else record.set(field.name, { timestampNs, content });
  }
  if (record.size === 0) {
    throw new FileAccessError(
      'NO_BOOTSTRAP_FILES',
      `none of the bootstrap files exist under "${params.tree.root}" (looked for ${missing[0] ?? 'its files'} and the others)`,
      {
        hint: `point --dir at the ${params.product} data dir of an initialised server`,
      },
    );
  }
  const value = await sealBootstrapRecord(params.token, record, params.random);
  const existing = await params.store.get(key);
  let revision: number | undefined;
  if (existing === undefined) {
    await refuseOtherTokens(params.store);
    revision = await params.store.create(key, value);
  } else if (!params.override) {
    throw new ConflictError(
      'RECORD_EXISTS',
      `bootstrap record "${key}" already exists in the datastore ${params.store.description}`,
      {
        hint: 'replace it with: kpki bootstrap save --override (or take it with: kpki bootstrap restore)',
      },
    );
  } else {
    revision = await params.store.compareAndSwap(key, value, existing.modRevision);
  }
  if (revision === undefined) throw recordChanged(key);
  return { key, revision, saved: [...record.keys()], missing, replaced: existing !== undefined };
}

/** The error of a compare-and-swap lost to another writer. */
export function recordChanged(key: string): ConflictError {
  return new ConflictError(
    'RECORD_CHANGED',
    `bootstrap record "${key}" changed in the datastore while kpki was writing it (another server wrote it at the same time); nothing was written`,
    {
      hint: "take the other server's version with: kpki bootstrap restore; then retry if still needed",
    },
  );
}
