/**
 * `sa-key rotate` for RKE2/K3s: a new RSA 2048 service-account signing key goes first in
 * `server/tls/service.key` with every old key kept after it (kube-apiserver verifies tokens with
 * all of them), and `service.current.key` (the signer) becomes the new key alone.
 */
import { ValidationError } from '../errors.js';
import { encodePrivateKey, parsePrivateKeys } from '../pki/keys.js';
import type { Rke2Catalogue } from '../layouts/rke2/catalogue.js';
import { readKeys } from './rke2-issue.js';
import type { Plan } from './plan.js';
import { FileMode, type CommitResult, type OpsContext } from './ports.js';

const encoder = new TextEncoder();

/** Inputs of {@link rotateServiceAccountKey}. */
export interface Rke2SaKeyParams {
  readonly catalogue: Rke2Catalogue;
}

/**
 * Plans the rotation.
 * @throws ValidationError `NO_SERVICE_KEY` when the tree has no `service.key` (not a server dir, or
 *   not initialised), `WRONG_KEY_TYPE` when it holds a key that is not RSA; InvalidInputError when
 *   it does not parse or a key is encrypted.
 */
export async function planSaKeyRotate(ctx: OpsContext, params: Rke2SaKeyParams): Promise<Plan> {
  const keys = await existingKeys(ctx, params.catalogue);
  const { serviceKeyPath, serviceCurrentKeyPath, program } = params.catalogue;
  return {
    operation: 'sa-key rotate', root: ctx.tree.root,
    items: [
      { name: 'service.key', action: 'renew', reason: `new RSA 2048 key first; the ${keys.length} existing key(s) kept after it`, files: [serviceKeyPath] },
      { name: 'service.current.key', action: 'renew', reason: 'the new key alone (the token signer)', files: [serviceCurrentKeyPath] },
    ],
    restart: ['kube-apiserver', 'kube-controller-manager', `${program}-server`], warnings: [],
  };
}

/** Generates the key and switches both files in together. */
export async function applySaKeyRotate(ctx: OpsContext, params: Rke2SaKeyParams): Promise<CommitResult> {
  const { serviceKeyPath, serviceCurrentKeyPath } = params.catalogue;
  await existingKeys(ctx, params.catalogue);
  const file = await serviceKeyFile(ctx, await ctx.tree.read(serviceKeyPath), serviceKeyPath);
  return ctx.tree.commit({
    writes: [
      { path: serviceKeyPath, data: file.data, mode: FileMode.key },
      { path: serviceCurrentKeyPath, data: encoder.encode(file.fresh), mode: FileMode.key },
    ],
    deletes: [],
  }, 'sa-key-rotate');
}

/**
 * A `service.key` with a new RSA 2048 key first and the keys of `old` (its bytes kept as they are)
 * after it; `fresh` is the new key's PEM alone.
 * @throws ValidationError `WRONG_KEY_TYPE` when `old` holds a key that is not RSA;
 *   InvalidInputError when it does not parse or a key is encrypted.
 */
export async function serviceKeyFile(ctx: OpsContext, old: Uint8Array | undefined, source: string): Promise<{ data: Uint8Array; fresh: string }> {
  const oldText = old === undefined ? '' : new TextDecoder().decode(old);
  if (old !== undefined) requireRsa(parsePrivateKeys(oldText, source), source);
  const fresh = encodePrivateKey(await ctx.keys.generate('RSA-2048'));
  const kept = oldText === '' || oldText.endsWith('\n') ? oldText : `${oldText}\n`;
  return { data: encoder.encode(fresh + kept), fresh };
}

function requireRsa(keys: readonly { algorithm: string }[], source: string): void {
  const notRsa = keys.find((key) => !key.algorithm.startsWith('RSA-'));
  if (notRsa) throw new ValidationError('WRONG_KEY_TYPE', `"${source}" holds a ${notRsa.algorithm} key; service-account keys must be RSA`);
}

async function existingKeys(ctx: OpsContext, catalogue: Rke2Catalogue): Promise<readonly { algorithm: string }[]> {
  const keys = await readKeys(ctx, catalogue.serviceKeyPath);
  if (!keys) {
    throw new ValidationError('NO_SERVICE_KEY', `"${catalogue.serviceKeyPath}" does not exist in "${ctx.tree.root}"`, { hint: `run kpki init --layout ${catalogue.program} first, or point --dir at a server data dir` });
  }
  requireRsa(keys, catalogue.serviceKeyPath);
  return keys;
}
