/** The real implementations of the small ports: system clock, OpenSSL key generation, random bytes. */
import { randomBytes } from 'node:crypto';
import { FileAccessError } from '../errors.js';
import { generatePrivateKey } from '../pki/keys.js';
import type { Clock, ExternalFileReader, KeyGenerator } from '../ops/shared/ports.js';
import type { RandomBytes } from '../pki/serial.js';
import { readBoundedFile } from './bounded-read.js';

/** The system clock. */
export const systemClock: Clock = { now: () => new Date() };

/** Asynchronous key generation on libuv's thread pool. */
export const nodeKeyGenerator: KeyGenerator = { generate: generatePrivateKey };

/** Cryptographically secure random bytes. */
export const nodeRandom: RandomBytes = (length) => new Uint8Array(randomBytes(length));

/**
 * Reads absolute paths outside the tree (a kubeconfig's `client-certificate`, a CA file): a
 * missing or unreadable file reads as absent; a FIFO, device or directory, or a file over the
 * config limit, is refused (FileAccessError `NOT_REGULAR`, InvalidInputError `TOO_LARGE`) rather
 * than read without end.
 */
export const externalFiles: ExternalFileReader = {
  read: async (path) =>
    readBoundedFile(path, 'config').catch((error: unknown) => {
      if (error instanceof FileAccessError && error.code === 'UNREADABLE') return undefined;
      throw error;
    }),
};
