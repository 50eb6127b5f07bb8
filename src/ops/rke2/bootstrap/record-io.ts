/**
 * Reading and sealing the bootstrap record in the datastore, shared by save, restore, token rotate
 * and rotate-ca: key naming and token normalisation (§8.2), encryption (§8.3), and the K3s errors
 * for a missing record or one encrypted with a different token.
 */
import { ConflictError } from '../../../errors.js';
import {
  decodeBootstrapRecord,
  encodeBootstrapRecord,
  type BootstrapRecord,
} from '../../../layouts/bootstrap-record.js';
import {
  BOOTSTRAP_KEY_PREFIX,
  bootstrapKeyForPassphrase,
  decryptBootstrap,
  encryptBootstrap,
  normalizeServerToken,
} from '../../../pki/bootstrap-crypto.js';
import type { RandomBytes } from '../../../pki/serial.js';
import type { Datastore } from '../../shared/ports.js';

/** A record read from the datastore, with what a compare-and-swap on it needs. */
export interface StoredBootstrapRecord {
  readonly key: string;
  readonly modRevision: number;
  readonly plaintext: Uint8Array;
  readonly record: BootstrapRecord;
}

/** The normalised passphrase and datastore key of a token. @throws InvalidInputError `BAD_TOKEN`. */
export function tokenIdentity(token: string): {
  readonly passphrase: string;
  readonly key: string;
} {
  const passphrase = normalizeServerToken(token);
  return { passphrase, key: bootstrapKeyForPassphrase(passphrase) };
}

/**
 * Reads and decrypts the record `token` names.
 * @throws ConflictError `DIFFERENT_TOKEN` when only other tokens' records exist, `NO_BOOTSTRAP_RECORD`
 *   when there is none; ValidationError `WRONG_TOKEN`; InvalidInputError `CORRUPT_RECORD`, `BAD_TOKEN`.
 */
export async function loadBootstrapRecord(
  store: Datastore,
  token: string,
): Promise<StoredBootstrapRecord> {
  const { passphrase, key } = tokenIdentity(token);
  const entry = await store.get(key);
  if (!entry) {
    await refuseOtherTokens(store);
    throw new ConflictError(
      'NO_BOOTSTRAP_RECORD',
      `there is no bootstrap record "${key}" in the datastore ${store.description}`,
      {
        hint: 'write it from a server that has the files: kpki bootstrap save',
      },
    );
  }
  const plaintext = await decryptBootstrap(passphrase, entry.value, key);
  return {
    key,
    modRevision: entry.modRevision,
    plaintext,
    record: decodeBootstrapRecord(plaintext, key),
  };
}

/**
 * K3s refuses to start a second record beside another token's (§8.2).
 * @throws ConflictError `DIFFERENT_TOKEN` when any `/bootstrap/` key exists.
 */
export async function refuseOtherTokens(store: Datastore): Promise<void> {
  const others = await store.list(BOOTSTRAP_KEY_PREFIX);
  if (others.length > 0) {
    throw new ConflictError(
      'DIFFERENT_TOKEN',
      `bootstrap data already found in the datastore ${store.description} and encrypted with different token`,
      {
        hint: 'pass the token the cluster was created with (--token, or <data-dir>/server/token of a working server)',
      },
    );
  }
}

/** Encodes and encrypts a record under `token`'s passphrase. */
export async function sealBootstrapRecord(
  token: string,
  record: BootstrapRecord,
  random: RandomBytes,
): Promise<Uint8Array> {
  return encryptBootstrap(tokenIdentity(token).passphrase, encodeBootstrapRecord(record), random);
}
