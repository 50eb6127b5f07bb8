/**
 * The datastore half of `rotate-ca --datastore` (§10.2 step 4): validated CA material replaces the
 * rotate-tagged fields of the bootstrap record by compare-and-swap on the revision read, as the
 * RKE2/K3s server's `cluster.Save(override=true)` does. Of two servers rotating at once exactly one
 * wins; the other gets ConflictError `RECORD_CHANGED` and the record is the winner's, whole.
 * Validating the material (§10.2 step 3) is rotate-ca's job before calling this.
 */
import { ConflictError, InvalidInputError } from '../../../errors.js';
import { bootstrapFieldsFor, type BootstrapFile } from '../../../layouts/bootstrap-record.js';
import type { RandomBytes } from '../../../pki/serial.js';
import { loadBootstrapRecord, sealBootstrapRecord } from './record-io.js';
import { recordChanged } from './save.js';
import type { Datastore } from '../../shared/ports.js';

/** One rotated file, named by its record field (`ServerCA`, `ServiceKey`, …). */
export interface RotatedCaFile {
  readonly field: string;
  readonly content: Uint8Array;
  /** mtime of the staged file, ns since the epoch (§10.1: timestamps are the staged files'). */
  readonly timestampNs: bigint;
}

/** What {@link writeRotatedCaRecord} stored. */
export interface RotatedCaResult {
  readonly key: string;
  readonly revision: number;
  /** Fields replaced; the others kept their stored value. */
  readonly replaced: readonly string[];
}

/** A checked rotation of the record, ready to write. */
export interface PreparedRotatedCaRecord {
  readonly key: string;
  readonly modRevision: number;
  readonly record: ReadonlyMap<string, BootstrapFile>;
  /** The non-empty files, which replace their fields. */
  readonly used: readonly RotatedCaFile[];
}

/**
 * Loads the record `token` names and checks that `files` may replace their fields in it, without
 * writing. With `current` (field → this server's file), a field whose stored content is neither
 * this server's file nor already the rotated one is refused, so a rotation never overwrites CA
 * material this server has not seen, while a retry after a failure is accepted.
 * @throws InvalidInputError `NOT_ROTATABLE` for a field K3s does not rotate (PasswdFile, IPSECKey,
 *   Encryption*) or does not know, `NOTHING_TO_ROTATE` when every file is empty; ConflictError
 *   `RECORD_DIFFERS`; the errors of loadBootstrapRecord.
 */
export async function prepareRotatedCaRecord(
  store: Datastore,
  token: string,
  files: readonly RotatedCaFile[],
  current?: ReadonlyMap<string, Uint8Array>,
): Promise<PreparedRotatedCaRecord> {
  const rotatable = new Set(
    bootstrapFieldsFor('k3s')
      .filter((f) => f.rotate)
      .map((f) => f.name),
  );
  const bad = files.filter((f) => !rotatable.has(f.field)).map((f) => f.field);
  if (bad.length > 0)
    throw new InvalidInputError(
      'NOT_ROTATABLE',
      `rotate-ca cannot replace ${bad.map((f) => `"${f}"`).join(', ')}: only CA certificates, CA keys and ServiceKey rotate`,
    );
  const used = files.filter((f) => f.content.length > 0);
  if (used.length === 0)
    throw new InvalidInputError(
      'NOTHING_TO_ROTATE',
      'every rotated file is empty; nothing to write',
    );
  const stored = await loadBootstrapRecord(store, token);
  if (current) {
    const same = (a: Uint8Array | undefined, b: Uint8Array | undefined): boolean =>
      a !== undefined && b !== undefined && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
    const stale = used
      .filter((f) => {
        const inRecord = stored.record.get(f.field)?.content;
        return (
          inRecord !== undefined &&
          !same(inRecord, current.get(f.field)) &&
          !same(inRecord, f.content)
        );
      })
      .map((f) => f.field);
    if (stale.length > 0) {
      throw new ConflictError(
        'RECORD_DIFFERS',
        `the datastore record "${stored.key}" holds other ${stale.join(', ')} than this server's disk (another server rotated, or this one was never restored); refusing to replace material this server has not seen`,
        {
          hint: 'run kpki bootstrap restore on this server first, then stage the rotation again',
        },
      );
    }
  }
  return { key: stored.key, modRevision: stored.modRevision, record: stored.record, used };
}

/**
 * Replaces the given fields in the record `token` names (see {@link prepareRotatedCaRecord}).
 * Empty files are skipped, as K3s keeps the current data for them.
 * @throws ConflictError `RECORD_CHANGED` when another writer changed the record since it was read;
 *   the errors of prepareRotatedCaRecord.
 */
export async function writeRotatedCaRecord(
  store: Datastore,
  token: string,
  files: readonly RotatedCaFile[],
  random: RandomBytes,
  current?: ReadonlyMap<string, Uint8Array>,
): Promise<RotatedCaResult> {
  const prepared = await prepareRotatedCaRecord(store, token, files, current);
  const record = new Map<string, BootstrapFile>(prepared.record);
  for (const f of prepared.used)
    record.set(f.field, { timestampNs: f.timestampNs, content: f.content });
  const revision = await store.compareAndSwap(
    prepared.key,
    await sealBootstrapRecord(token, record, random),
    prepared.modRevision,
  );
  if (revision === undefined) throw recordChanged(prepared.key);
  return { key: prepared.key, revision, replaced: prepared.used.map((f) => f.field) };
}
