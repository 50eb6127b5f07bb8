/**
 * A service-account key file as RKE2/K3s and `ca generate` keep it: several PEM keys, the signer
 * first, older ones after it so tokens they signed still verify.
 */
import { ValidationError } from '../../errors.js';
import { encodePrivateKey, parsePrivateKeys } from '../../pki/keys.js';
import type { OpsContext } from './ports.js';

const encoder = new TextEncoder();

/**
 * A `service.key` with a new RSA 2048 key first and the keys of `old` (its bytes kept as they are)
 * after it; `fresh` is the new key's PEM alone.
 * @throws ValidationError `WRONG_KEY_TYPE` when `old` holds a key that is not RSA;
 *   InvalidInputError when it does not parse or a key is encrypted.
 */
export async function serviceKeyFile(
  ctx: OpsContext,
  old: Uint8Array | undefined,
  source: string,
): Promise<{ data: Uint8Array; fresh: string }> {
  const oldText = old === undefined ? '' : new TextDecoder().decode(old);
  if (old !== undefined) requireRsa(parsePrivateKeys(oldText, source), source);
  const fresh = encodePrivateKey(await ctx.keys.generate('RSA-2048'));
  const kept = oldText === '' || oldText.endsWith('\n') ? oldText : `${oldText}\n`;
  return { data: encoder.encode(fresh + kept), fresh };
}

export function requireRsa(keys: readonly { algorithm: string }[], source: string): void {
  const notRsa = keys.find((key) => !key.algorithm.startsWith('RSA-'));
  if (notRsa)
    throw new ValidationError(
      'WRONG_KEY_TYPE',
      `"${source}" holds a ${notRsa.algorithm} key; service-account keys must be RSA`,
    );
}
