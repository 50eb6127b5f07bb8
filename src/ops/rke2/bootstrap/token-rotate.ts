/**
 * `token rotate`: re-encrypt the bootstrap record under a new server token and move it to the new
 * token's key, as `k3s token rotate` does — here in one datastore step (create the new key, delete
 * the old), so a crash or a race never leaves both or neither.
 */
import { ConflictError, InvalidInputError } from '../../../errors.js';
import { encryptBootstrap } from '../../../pki/bootstrap-crypto.js';
import type { RandomBytes } from '../../../pki/serial.js';
import { loadBootstrapRecord, tokenIdentity } from './record-io.js';
import { recordChanged } from './save.js';
import type { Datastore } from '../../shared/ports.js';

/** Inputs of {@link rotateBootstrapToken}. */
export interface TokenRotateParams {
  readonly store: Datastore;
  readonly oldToken: string;
  readonly newToken: string;
  readonly random: RandomBytes;
}

/** Where the record went. */
export interface TokenRotateResult {
  readonly from: string;
  readonly to: string;
  readonly revision: number;
}

/**
 * Moves the record to the new token. The plaintext is carried over byte for byte.
 * @throws InvalidInputError `BAD_TOKEN` for either token, `SAME_TOKEN` when both normalise to the
 *   same password; ValidationError `WRONG_TOKEN`; ConflictError `RECORD_EXISTS` when the new
 *   token's key is taken, `RECORD_CHANGED` when the record changed meanwhile.
 */
export async function rotateBootstrapToken(params: TokenRotateParams): Promise<TokenRotateResult> {
  const next = tokenIdentity(params.newToken);
  if (tokenIdentity(params.oldToken).passphrase === next.passphrase) {
    throw new InvalidInputError(
      'SAME_TOKEN',
      'the new token has the same password as the old one; nothing to rotate',
    );
  }
  const stored = await loadBootstrapRecord(params.store, params.oldToken);
  const value = await encryptBootstrap(next.passphrase, stored.plaintext, params.random);
  const revision = await params.store.move(stored.key, stored.modRevision, next.key, value);
  if (revision !== undefined) return { from: stored.key, to: next.key, revision };
  if (await params.store.get(next.key)) {
    throw new ConflictError(
      'RECORD_EXISTS',
      `bootstrap record "${next.key}" for the new token already exists in the datastore ${params.store.description}; nothing was changed`,
    );
  }
  throw recordChanged(stored.key);
}
