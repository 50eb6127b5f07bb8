/**
 * Chooses the datastore from a URL, as the issue asks: no URL or `file://` → the embedded store
 * in its default directory; `file:///abs/dir` → the embedded store there; `https://a:2379,b:2379`
 * or `http://…` → etcd on those endpoints (a bare `host:port` after a comma takes the first
 * endpoint's scheme, as K3s's `--datastore-endpoint` lists are written).
 */
import { fileURLToPath } from 'node:url';
import { FileAccessError, UsageError } from '../../errors.js';
import { readBoundedFile } from '../bounded-read.js';
import type { Datastore } from '../../ops/shared/ports.js';
import { EtcdGateway, type EtcdTls } from './etcd-gateway.js';
import { etcdDatastore } from './etcd-datastore.js';
import { openFileDatastore } from './file-datastore.js';

/** Where a datastore URL points. */
export type DatastoreLocation =
  | { readonly kind: 'file'; readonly dir: string }
  | { readonly kind: 'etcd'; readonly endpoints: readonly URL[] };

/** Options of {@link openDatastore}. */
export interface OpenDatastoreOptions {
  /** Directory of the embedded store when the URL names none. */
  readonly defaultDir: string;
  /** PEM files for etcd's mutual TLS. */
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
  /** Create a missing embedded store directory (default true); false refuses it (`NO_DATASTORE`). */
  readonly create?: boolean;
}

/**
 * Parses a datastore URL (undefined means the default embedded store).
 * @throws UsageError `USAGE` for an unknown scheme, a `file://` URL with a host, mixed schemes,
 *   or an endpoint with a path, query or credentials.
 */
export function parseDatastoreUrl(url: string | undefined, defaultDir: string): DatastoreLocation {
  if (url === undefined || url === '' || url === 'file://')
    return { kind: 'file', dir: defaultDir };
  if (url.startsWith('file:')) {
    const parsed = tryUrl(url);
    if (!parsed || parsed.host !== '')
      throw new UsageError(`--datastore "${url}": use file:///absolute/dir (no host)`);
    return { kind: 'file', dir: fileURLToPath(parsed) };
  }
  const pieces = url
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  const scheme = /^(https?):\/\//.exec(pieces[0] ?? '')?.[1];
  if (scheme === undefined)
    throw new UsageError(`--datastore "${url}": the scheme must be file://, https:// or http://`);
  const endpoints = pieces.map((piece) => {
    const parsed = tryUrl(piece.includes('://') ? piece : `${scheme}://${piece}`);
    if (
      !parsed ||
      parsed.protocol !== `${scheme}:` ||
      (parsed.pathname !== '/' && parsed.pathname !== '') ||
      parsed.search !== '' ||
      parsed.username !== '' ||
      parsed.password !== ''
    ) {
      throw new UsageError(
        `--datastore endpoint "${piece}" is not a ${scheme}://host:port URL (every endpoint must use the same scheme)`,
      );
    }
    return new URL(parsed.origin);
  });
  return { kind: 'etcd', endpoints };
}

/**
 * Opens the datastore a URL names.
 * @throws UsageError as {@link parseDatastoreUrl}, or for a client certificate without its key;
 *   FileAccessError `UNREADABLE` when a TLS file cannot be read.
 */
export async function openDatastore(
  url: string | undefined,
  options: OpenDatastoreOptions,
): Promise<Datastore> {
  const location = parseDatastoreUrl(url, options.defaultDir);
  if (location.kind === 'file')
    return openFileDatastore(location.dir, { create: options.create ?? true });
  if ((options.certFile === undefined) !== (options.keyFile === undefined)) {
    throw new UsageError('--datastore-certfile and --datastore-keyfile go together');
  }
  const tls: EtcdTls = {
    ...(options.caFile !== undefined && { ca: await readPem(options.caFile, 'CA') }),
    ...(options.certFile !== undefined && {
      cert: await readPem(options.certFile, 'client certificate'),
    }),
    ...(options.keyFile !== undefined && { key: await readPem(options.keyFile, 'client key') }),
  };
  return etcdDatastore(new EtcdGateway(location.endpoints, { tls }));
}

async function readPem(path: string, what: string): Promise<Uint8Array> {
  const bytes = await readBoundedFile(path, 'pem').catch((error: unknown) => {
    throw new FileAccessError('UNREADABLE', `cannot read the datastore ${what} "${path}"`, {
      cause: error,
    });
  });
  if (bytes === undefined)
    throw new FileAccessError('UNREADABLE', `cannot read the datastore ${what} "${path}": ENOENT`);
  return bytes;
}

function tryUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}
