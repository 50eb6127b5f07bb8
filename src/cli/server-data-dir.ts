/**
 * What the datastore commands share: which server (`--layout rke2|k3s`, `--dir`), its token
 * (`--token`, else `<data-dir>/server/token` as RKE2/K3s read it), and the datastore (`--datastore`
 * URL with its TLS files). Kept here, not in the layout registry, until the RKE2/K3s layout lands.
 */
import { Option, type Command } from 'commander';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import type { ServerProduct } from '../layouts/bootstrap-record.js';
import { normalizeToken } from '../layouts/rke2/token.js';
import type { Datastore } from '../ops/shared/ports.js';
import { readBoundedText } from '../stores/bounded-read.js';
import { openDatastore } from '../stores/datastore/open-datastore.js';

/** The token and datastore options (`--token`, `--datastore` and its TLS files). */
export interface DatastoreOptions {
  readonly token?: string | undefined;
  readonly datastore?: string | undefined;
  readonly datastoreCafile?: string | undefined;
  readonly datastoreCertfile?: string | undefined;
  readonly datastoreKeyfile?: string | undefined;
}

/** The options the datastore commands accept. */
export interface ServerOptions extends DatastoreOptions {
  readonly dir?: string;
  readonly layout: ServerProduct;
  readonly allowInsecureDir?: boolean;
}

const DEFAULT_DATA_DIRS: Readonly<Record<ServerProduct, string>> = {
  rke2: '/var/lib/rancher/rke2',
  k3s: '/var/lib/rancher/k3s',
};

/** Adds `--dir`, `--layout` and the datastore options; `withToken` adds `--token` too. */
export function addServerOptions(command: Command, withToken: boolean): Command {
  command
    .option(
      '--dir <data-dir>',
      'server data dir (default /var/lib/rancher/rke2, or /var/lib/rancher/k3s with --layout k3s)',
    )
    .addOption(
      new Option('--layout <layout>', 'distribution').choices(['rke2', 'k3s']).default('rke2'),
    );
  command.option(
    '--allow-insecure-dir',
    'write even when the data dir or a directory written into is writable by group or others (refused by default: [INSECURE_DIR])',
  );
  if (withToken)
    command.option('--token <token>', 'server token (default: read from <data-dir>/server/token)');
  return command
    .option(
      '--datastore <url>',
      'file:// (embedded, default), file:///dir, or https://host:2379,host2:2379 (etcd)',
    )
    .option('--datastore-cafile <file>', 'CA bundle that signed the etcd servers')
    .option('--datastore-certfile <file>', 'client certificate for etcd')
    .option('--datastore-keyfile <file>', 'client key for etcd');
}

/** The data dir: `--dir`, else the product's default. */
export function dataDirOf(options: ServerOptions): string {
  return resolve(options.dir ?? DEFAULT_DATA_DIRS[options.layout]);
}

/**
 * The token: `--token`, else the server's token file with trailing whitespace trimmed.
 * @throws UsageError when neither gives one. Never includes the token in a message.
 */
export async function tokenOf(options: DatastoreOptions, dataDir: string): Promise<string> {
  if (options.token !== undefined) return normalizeToken(options.token, '--token');
  const path = join(dataDir, 'server', 'token');
  const text = await readBoundedText(path, 'config');
  if (text === undefined)
    throw new UsageError(`no token: pass --token, or run where "${path}" exists`);
  return normalizeToken(text, `"${path}"`);
}

/**
 * Opens the datastore the options name; the embedded one lives in `<data-dir>/server/db/kpki`,
 * created when missing unless `create` is false (a command that only reads or moves a record).
 */
export function datastoreOf(
  options: DatastoreOptions,
  dataDir: string,
  create = true,
): Promise<Datastore> {
  return openDatastore(options.datastore, {
    defaultDir: join(dataDir, 'server', 'db', 'kpki'),
    create,
    ...(options.datastoreCafile !== undefined && { caFile: options.datastoreCafile }),
    ...(options.datastoreCertfile !== undefined && { certFile: options.datastoreCertfile }),
    ...(options.datastoreKeyfile !== undefined && { keyFile: options.datastoreKeyfile }),
  });
}
