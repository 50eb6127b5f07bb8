/**
 * The encryption K3s and RKE2 use for the bootstrap record in the cluster datastore
 * (rke2-k3s.md §8.2–§8.3), byte-compatible with `pkg/cluster/encrypt.go`:
 * passphrase = the normalised server token; salt = 8 random bytes written as 16 hex characters
 * (the ASCII characters are the PBKDF2 salt); key = PBKDF2-HMAC-SHA1(passphrase, salt, 4096, 32);
 * AES-256-GCM with a 12-byte nonce and no AAD; stored value = `salt:base64(nonce‖ciphertext‖tag)`.
 * Pure: the randomness is a parameter. Errors never carry the token or key bytes.
 */
import { createCipheriv, createDecipheriv, createHash, pbkdf2 } from 'node:crypto';
import { InvalidInputError, ValidationError } from '../errors.js';
import type { RandomBytes } from './serial.js';

/** PBKDF2 iteration count K3s uses. */
export const BOOTSTRAP_PBKDF2_ITERATIONS = 4096;
/** AES-256 key length in bytes. */
export const BOOTSTRAP_KEY_BYTES = 32;
/** GCM nonce length in bytes (Go's `cipher.NewGCM` standard nonce). */
export const BOOTSTRAP_NONCE_BYTES = 12;
/** GCM tag length in bytes. */
export const BOOTSTRAP_TAG_BYTES = 16;
/** Prefix of every bootstrap key in the datastore. */
export const BOOTSTRAP_KEY_PREFIX = '/bootstrap/';

const TOKEN_PREFIX = 'K10';
const KUBEADM_BOOTSTRAP_TOKEN = /^[a-z0-9]{6}\.[a-z0-9]{16}$/;
const NORMALIZE_FAILURE =
  'failed to normalize server token; must be in format K10<CA-HASH>::<USERNAME>:<PASSWORD> or <PASSWORD>';

/**
 * The password part of a server token, as K3s's `normalizeToken` computes it (§8.2, §9):
 * `K10<hash>::<user>:<pw>` → `<pw>`; a bare password → itself (colons included).
 * @throws InvalidInputError `BAD_TOKEN` for an empty token, a CA hash that is neither empty nor
 *   64 characters, credentials without `user:password`, an empty password, or a kubeadm-style
 *   bootstrap token. The message never contains the token.
 */
export function normalizeServerToken(token: string): string {
  if (token.length === 0) throw new InvalidInputError('BAD_TOKEN', 'the server token is empty');
  if (KUBEADM_BOOTSTRAP_TOKEN.test(token))
    throw new InvalidInputError('BAD_TOKEN', NORMALIZE_FAILURE);
  // K3s turns a short token into `K10:::<token>` and then parses both forms the same way.
  const body = (token.startsWith(TOKEN_PREFIX) ? token : `${TOKEN_PREFIX}:::${token}`).slice(
    TOKEN_PREFIX.length,
  );
  const split = body.indexOf('::');
  let credentials = body;
  if (split >= 0) {
    const hashLength = split;
    if (hashLength !== 0 && hashLength !== 64) {
      throw new InvalidInputError(
        'BAD_TOKEN',
        `${NORMALIZE_FAILURE} (invalid token CA hash length)`,
      );
    }
    credentials = body.slice(split + 2);
  }
  const colon = credentials.indexOf(':');
  const password = colon < 0 ? '' : credentials.slice(colon + 1);
  if (password.length === 0 || KUBEADM_BOOTSTRAP_TOKEN.test(password)) {
    throw new InvalidInputError('BAD_TOKEN', NORMALIZE_FAILURE);
  }
  return password;
}

/**
 * The datastore key of the bootstrap record for `token`:
 * `/bootstrap/<first 12 lowercase hex chars of SHA-256(normalised token)>`.
 * @throws InvalidInputError `BAD_TOKEN` as {@link normalizeServerToken}.
 */
export function bootstrapKeyName(token: string): string {
  return bootstrapKeyForPassphrase(normalizeServerToken(token));
}

/** The datastore key for an already normalised passphrase (or any string K3s once hashed). */
export function bootstrapKeyForPassphrase(passphrase: string): string {
  return `${BOOTSTRAP_KEY_PREFIX}${createHash('sha256').update(passphrase, 'utf8').digest('hex').slice(0, 12)}`;
}

/**
 * PBKDF2-HMAC-SHA1 with the record's parameters by default. Asynchronous (thread pool) because
 * 4096 iterations is not free. Exposed so the Wycheproof vectors run against this very function.
 */
export async function pbkdf2Sha1(
  password: Uint8Array,
  salt: Uint8Array,
  iterations = BOOTSTRAP_PBKDF2_ITERATIONS,
  length = BOOTSTRAP_KEY_BYTES,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    pbkdf2(password, salt, iterations, length, 'sha1', (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/**
 * AES-GCM seal with a 16-byte tag: returns `ciphertext‖tag`. Key length picks AES-128/192/256.
 * Exposed for the Wycheproof vectors; the record always uses a 32-byte key and 12-byte nonce.
 */
export function aesGcmSeal(
  key: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array = new Uint8Array(0),
): Buffer {
  const cipher = createCipheriv(gcmName(key), key, nonce, { authTagLength: BOOTSTRAP_TAG_BYTES });
  cipher.setAAD(aad);
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

/**
 * AES-GCM open of `ciphertext‖tag`; undefined when authentication fails (wrong key, altered data).
 * @throws Error only for unusable parameters (bad key or nonce length), which callers rule out.
 */
export function aesGcmOpen(
  key: Uint8Array,
  nonce: Uint8Array,
  sealed: Uint8Array,
  aad: Uint8Array = new Uint8Array(0),
): Buffer | undefined {
  if (sealed.length < BOOTSTRAP_TAG_BYTES) return undefined;
  const decipher = createDecipheriv(gcmName(key), key, nonce, {
    authTagLength: BOOTSTRAP_TAG_BYTES,
  });
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(sealed.length - BOOTSTRAP_TAG_BYTES));
  const head = decipher.update(sealed.subarray(0, sealed.length - BOOTSTRAP_TAG_BYTES));
  try {
    return Buffer.concat([head, decipher.final()]);
  } catch {
    return undefined;
  }
}

function gcmName(key: Uint8Array): 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm' {
  if (key.length === 16) return 'aes-128-gcm';
  if (key.length === 24) return 'aes-192-gcm';
  return 'aes-256-gcm';
}

/**
 * Encrypts `plaintext` under `passphrase` (a normalised token) in K3s's stored format.
 * Draws 8 salt bytes and 12 nonce bytes from `random`.
 */
export async function encryptBootstrap(
  passphrase: string,
  plaintext: Uint8Array,
  random: RandomBytes,
): Promise<Uint8Array> {
  const salt = Buffer.from(random(8)).toString('hex');
  const key = await pbkdf2Sha1(Buffer.from(passphrase, 'utf8'), Buffer.from(salt, 'ascii'));
  const nonce = random(BOOTSTRAP_NONCE_BYTES);
  if (nonce.length !== BOOTSTRAP_NONCE_BYTES)
    throw new InvalidInputError('BAD_RANDOM', 'the random source returned too few bytes');
  const sealed = Buffer.concat([nonce, aesGcmSeal(key, nonce, plaintext)]);
  return new Uint8Array(Buffer.from(`${salt}:${sealed.toString('base64')}`, 'ascii'));
}

/**
 * Decrypts a stored value. `source` (the datastore key) names the record in messages.
 * @throws InvalidInputError `CORRUPT_RECORD` when the value is not `salt:base64` or is too short to
 *   hold a nonce and tag; ValidationError `WRONG_TOKEN` ("wrong token") when authentication fails —
 *   deliberately without any further detail.
 */
export async function decryptBootstrap(
  passphrase: string,
  stored: Uint8Array,
  source: string,
): Promise<Uint8Array> {
  const text = Buffer.from(stored).toString('latin1');
  const colon = text.indexOf(':');
  if (colon < 0)
    throw new InvalidInputError(
      'CORRUPT_RECORD',
      `bootstrap record "${source}" is corrupted: invalid cipher text, not : delimited`,
    );
  const encoded = text.slice(colon + 1);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded) || encoded.length % 4 !== 0) {
    throw new InvalidInputError(
      'CORRUPT_RECORD',
      `bootstrap record "${source}" is corrupted: the cipher text is not base64`,
    );
  }
  const sealed = Buffer.from(encoded, 'base64');
  if (sealed.length < BOOTSTRAP_NONCE_BYTES + BOOTSTRAP_TAG_BYTES) {
    throw new InvalidInputError(
      'CORRUPT_RECORD',
      `bootstrap record "${source}" is corrupted: the cipher text is too short`,
    );
  }
  const key = await pbkdf2Sha1(
    Buffer.from(passphrase, 'utf8'),
    Buffer.from(text.slice(0, colon), 'latin1'),
  );
  const plain = aesGcmOpen(
    key,
    sealed.subarray(0, BOOTSTRAP_NONCE_BYTES),
    sealed.subarray(BOOTSTRAP_NONCE_BYTES),
  );
  if (!plain)
    throw new ValidationError(
      'WRONG_TOKEN',
      `cannot decrypt bootstrap record "${source}": wrong token`,
    );
  return new Uint8Array(plain);
}
