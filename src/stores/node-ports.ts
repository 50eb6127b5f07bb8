/** The real implementations of the small ports: system clock, OpenSSL key generation, random bytes. */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { generatePrivateKey } from '../pki/keys.js';
import type { Clock, ExternalFileReader, KeyGenerator } from '../ops/shared/ports.js';
import type { RandomBytes } from '../pki/serial.js';

/** The system clock. */
export const systemClock: Clock = { now: () => new Date() };

/** Asynchronous key generation on libuv's thread pool. */
export const nodeKeyGenerator: KeyGenerator = { generate: generatePrivateKey };

/** Cryptographically secure random bytes. */
export const nodeRandom: RandomBytes = (length) => new Uint8Array(randomBytes(length));

/** Reads absolute paths outside the tree; a missing or unreadable file reads as absent. */
export const externalFiles: ExternalFileReader = {
  read: async (path) =>
    readFile(path)
      .then((data) => new Uint8Array(data))
      .catch(() => undefined),
};
