/**
 * `sa-key rotate` for RKE2/K3s: a new RSA 2048 service-account signing key goes first in
 * `server/tls/service.key` with every old key kept after it (kube-apiserver verifies tokens with
 * all of them), and `service.current.key` (the signer) becomes the new key alone.
 */
import { ValidationError } from '../../errors.js';
import { fileNameOf } from '../../layouts/catalogue.js';
import type { Rke2Catalogue } from '../../layouts/rke2/catalogue.js';
import { readKeys } from './issue.js';
import type { Plan } from '../shared/plan.js';
import { FileMode, type CommitResult, type OpsContext } from '../shared/ports.js';
import { requireRsa, serviceKeyFile } from '../shared/service-key-file.js';

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
    operation: 'sa-key rotate',
    root: ctx.tree.root,
    items: [
      {
        name: fileNameOf(serviceKeyPath),
        action: 'renew',
        reason: `new RSA 2048 key first; the ${keys.length} existing key(s) kept after it`,
        files: [serviceKeyPath],
      },
      {
        name: fileNameOf(serviceCurrentKeyPath),
        action: 'renew',
        reason: 'the new key alone (the token signer)',
        files: [serviceCurrentKeyPath],
      },
    ],
    restart: ['kube-apiserver', 'kube-controller-manager', `${program}-server`],
    warnings: [],
  };
}

/** Generates the key and switches both files in together. */
export async function applySaKeyRotate(
  ctx: OpsContext,
  params: Rke2SaKeyParams,
): Promise<CommitResult> {
  const { serviceKeyPath, serviceCurrentKeyPath } = params.catalogue;
  await existingKeys(ctx, params.catalogue);
  const file = await serviceKeyFile(ctx, await ctx.tree.read(serviceKeyPath), serviceKeyPath);
  return ctx.tree.commit(
    {
      writes: [
        { path: serviceKeyPath, data: file.data, mode: FileMode.key },
        { path: serviceCurrentKeyPath, data: encoder.encode(file.fresh), mode: FileMode.key },
      ],
      deletes: [],
    },
    'sa-key-rotate',
  );
}

async function existingKeys(
  ctx: OpsContext,
  catalogue: Rke2Catalogue,
): Promise<readonly { algorithm: string }[]> {
  const keys = await readKeys(ctx, catalogue.serviceKeyPath);
  if (!keys) {
    throw new ValidationError(
      'NO_SERVICE_KEY',
      `"${catalogue.serviceKeyPath}" does not exist in "${ctx.tree.root}"`,
      {
        hint: `run kpki init --layout ${catalogue.program} first, or point --dir at a server data dir`,
      },
    );
  }
  requireRsa(keys, catalogue.serviceKeyPath);
  return keys;
}
