/**
 * `sa-key rotate` for RKE2/K3s: a new RSA 2048 service-account signing key goes first in
 * `server/tls/service.key` with every old key kept after it (kube-apiserver verifies tokens with
 * all of them), and `service.current.key` (the signer) becomes the new key alone.
 */
import { ValidationError } from '../../errors.js';
import { fileNameOf } from '../../layouts/catalogue.js';
import type { Rke2Catalogue } from '../../layouts/rke2/catalogue.js';
import { readKeys } from './issue.js';
import {
  applyPlanned,
  PreparedChange,
  type Apply,
  type Plan,
  type Planned,
} from '../shared/plan.js';
import { FileMode, type OpsContext } from '../shared/ports.js';
import { requireRsa, serviceKeyFile } from '../shared/service-key-file.js';

const encoder = new TextEncoder();

/** Inputs of {@link rotateServiceAccountKey}. */
export interface Rke2SaKeyParams {
  readonly catalogue: Rke2Catalogue;
}

/**
 * Plans the rotation and generates the new key into the plan's change; writes nothing.
 * @throws ValidationError `NO_SERVICE_KEY` when the tree has no `service.key` (not a server dir, or
 *   not initialised), `WRONG_KEY_TYPE` when it holds a key that is not RSA; InvalidInputError when
 *   it does not parse or a key is encrypted.
 */
export async function planSaKeyRotate(ctx: OpsContext, params: Rke2SaKeyParams): Promise<Planned> {
  const keys = await existingKeys(ctx, params.catalogue);
  const { serviceKeyPath, serviceCurrentKeyPath, program } = params.catalogue;
  const file = await serviceKeyFile(ctx, await ctx.tree.read(serviceKeyPath), serviceKeyPath);
  const plan: Plan = {
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
  return {
    plan,
    change: new PreparedChange('sa-key-rotate', [
      { path: serviceKeyPath, data: file.data, mode: FileMode.key },
      { path: serviceCurrentKeyPath, data: encoder.encode(file.fresh), mode: FileMode.key },
    ]),
  };
}

/** Switches both planned files in together. */
export const applySaKeyRotate: Apply = applyPlanned;

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
