/**
 * The one reader for input files: regular files only, and never more bytes than the kind of file
 * can need. A kubeconfig pointing at `/dev/zero` or a FIFO, or a `verify /dev/urandom`, must be
 * refused at once, not read into memory or waited on. The size is judged from fstat before any
 * byte is read, and the read itself stops one byte past the limit (a file growing meanwhile).
 */
import { constants, open } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { FileAccessError, InvalidInputError } from '../errors.js';

const MiB = 1024 * 1024;

/**
 * Size limits per kind of input, with room to spare over real files: PEM as pki/pem.ts caps it;
 * configs and kubeconfigs are a few KiB in practice; an RKE state of a 1,000-node cluster (every
 * node in rkeConfig, per-node etcd certificates and kubeconfigs in certificatesBundle) is under
 * 10 MiB; kpki's own records (journal, manifest, lock, datastore) are small.
 */
export const READ_LIMITS = {
  pem: 4 * MiB,
  config: 4 * MiB,
  kubeconfig: 4 * MiB,
  state: 64 * MiB,
  record: 16 * MiB,
} as const;

/** A kind of input file, naming its size limit. */
export type InputKind = keyof typeof READ_LIMITS;

function kindOfFile(info: Stats): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Options of {@link readBoundedFile}. */
export interface BoundedReadOptions {
  /** Refuse a final symlink (O_NOFOLLOW) instead of reading its target; default false. */
  readonly noFollow?: boolean;
}

/**
 * Reads the regular file at `path`, at most `READ_LIMITS[kind]` bytes. Opened non-blocking, so a
 * FIFO is refused, never waited on.
 * @returns undefined when the path does not exist (ENOENT, ENOTDIR).
 * @throws FileAccessError `NOT_REGULAR` for FIFOs, devices and sockets, `UNREADABLE` for a
 *   directory (EISDIR) and other open/read errors (the errno code in the message); InvalidInputError
 *   `TOO_LARGE` for a file over the limit.
 */
export async function readBoundedFile(
  path: string,
  kind: InputKind,
  options: BoundedReadOptions = {},
): Promise<Uint8Array | undefined> {
  const flags =
    constants.O_RDONLY | constants.O_NONBLOCK | (options.noFollow ? constants.O_NOFOLLOW : 0);
  const handle = await open(path, flags).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
    throw new FileAccessError('UNREADABLE', `cannot read "${path}": ${error.code ?? 'error'}`, {
      cause: error,
    });
  });
  if (!handle) return undefined;
  try {
    const info = await handle.stat();
    // A directory keeps the code and wording of the EISDIR kpki has always reported for it.
    if (info.isDirectory())
      throw new FileAccessError('UNREADABLE', `cannot read "${path}": EISDIR (a directory)`);
    if (!info.isFile())
      throw new FileAccessError('NOT_REGULAR', `"${path}" is ${kindOfFile(info)}, not a file`);
    const limit = READ_LIMITS[kind];
    if (info.size > limit) throw tooLarge(path, kind);
    const buffer = Buffer.alloc(Math.min(info.size, limit) + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > limit) throw tooLarge(path, kind);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, length);
  } catch (error) {
    if (error instanceof FileAccessError || error instanceof InvalidInputError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new FileAccessError('UNREADABLE', `cannot read "${path}": ${code}`, { cause: error });
  } finally {
    await handle.close();
  }
}

/** {@link readBoundedFile} decoded as UTF-8 (invalid bytes replaced). */
export async function readBoundedText(
  path: string,
  kind: InputKind,
  options: BoundedReadOptions = {},
): Promise<string | undefined> {
  const bytes = await readBoundedFile(path, kind, options);
  return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
}

function tooLarge(path: string, kind: InputKind): InvalidInputError {
  const limit = READ_LIMITS[kind] / MiB;
  return new InvalidInputError(
    'TOO_LARGE',
    `"${path}" is larger than ${limit} MiB, the most a ${kind} file may be`,
  );
}

/**
 * {@link readBoundedText} for a file that must exist, as `readFile(path, 'utf8')` is used.
 * @throws FileAccessError `UNREADABLE` (ENOENT) when it is missing; otherwise as readBoundedFile.
 */
export async function readInputText(path: string, kind: InputKind): Promise<string> {
  const text = await readBoundedText(path, kind);
  if (text === undefined) throw new FileAccessError('UNREADABLE', `cannot read "${path}": ENOENT`);
  return text;
}
