/**
 * Kubeconfig files: writing them as client-go does (keys in alphabetical order, embedded base64
 * data) and rewriting the credentials of one user while keeping every other entry and comment.
 */
import { isMap, isSeq, stringify, type Document } from 'yaml';
import { InvalidInputError } from '../errors.js';
import { parseYamlDocument } from './safe-parse.js';

/** What goes into a new kubeconfig. Empty strings are left out, as client-go omits empty data. */
export interface KubeconfigContent {
  readonly clusterName: string;
  readonly server: string;
  readonly caPem: string;
  readonly userName: string;
  readonly certPem: string;
  readonly keyPem: string;
  /** Context name; defaults to `<user>@<cluster>` (kubeadm). K3s/RKE2 call all three `default`. */
  readonly contextName?: string;
}

/** The credentials in force for a kubeconfig's current context. */
export interface KubeconfigCredentials {
  readonly currentContext: string;
  readonly clusterName: string;
  readonly userName: string;
  readonly server: string | undefined;
  /** Embedded PEM, or undefined when absent. */
  readonly caPem: string | undefined;
  /** `certificate-authority:` file reference (K3s/RKE2 component kubeconfigs). */
  readonly caFile: string | undefined;
  readonly certPem: string | undefined;
  readonly keyPem: string | undefined;
  /** File references (`client-certificate:`), used by kubelet.conf after TLS bootstrap. */
  readonly certFile: string | undefined;
  readonly keyFile: string | undefined;
}

const b64 = (text: string): string => Buffer.from(text).toString('base64');

/** Serialises a kubeconfig with one cluster, user and context named `<user>@<cluster>`. */
export function buildKubeconfig(content: KubeconfigContent): string {
  const context = content.contextName ?? `${content.userName}@${content.clusterName}`;
  const cluster: Record<string, string> = {};
  if (content.caPem !== '') cluster['certificate-authority-data'] = b64(content.caPem);
  cluster.server = content.server;
  const user: Record<string, string> = {};
  if (content.certPem !== '') user['client-certificate-data'] = b64(content.certPem);
  if (content.keyPem !== '') user['client-key-data'] = b64(content.keyPem);
  const config = {
    apiVersion: 'v1',
    clusters: [{ cluster, name: content.clusterName }],
    contexts: [
      { context: { cluster: content.clusterName, user: content.userName }, name: context },
    ],
    'current-context': context,
    kind: 'Config',
    preferences: {},
    users: [{ name: content.userName, user }],
  };
  return stringify(config, { indentSeq: false, lineWidth: 0 });
}

/** A kubeconfig whose CA and client credentials are file references, as K3s and RKE2 write them. */
export interface FileKubeconfigContent {
  readonly server: string;
  /** Absolute paths, written as they are. */
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/**
 * Serialises a K3s/RKE2 component kubeconfig: cluster `local`, context `Default` with namespace
 * `default`, user `user`, every credential a file path (so a renewed file needs no rewrite).
 * The text follows K3s's template line for line, so a tree kpki writes diffs cleanly against one
 * K3s wrote.
 */
export function buildFileKubeconfig(content: FileKubeconfigContent): string {
  const scalar = (value: string): string => stringify(value, { lineWidth: 0 }).trimEnd();
  return [
    'apiVersion: v1',
    'clusters:',
    '- cluster:',
    `    server: ${scalar(content.server)}`,
    `    certificate-authority: ${scalar(content.caFile)}`,
    '  name: local',
    'contexts:',
    '- context:',
    '    cluster: local',
    '    namespace: default',
    '    user: user',
    '  name: Default',
    'current-context: Default',
    'kind: Config',
    'preferences: {}',
    'users:',
    '- name: user',
    '  user:',
    `    client-certificate: ${scalar(content.certFile)}`,
    `    client-key: ${scalar(content.keyFile)}`,
    '',
  ].join('\n');
}

/**
 * Reads the current context's cluster and user.
 * @throws InvalidInputError `BAD_KUBECONFIG` naming `source` when the YAML is invalid or the
 *   current context, its cluster or its user is missing.
 */
export function readKubeconfig(text: string, source: string): KubeconfigCredentials {
  const doc = parseKubeconfigDocument(text, source);
  const { contextName, clusterName, userName } = currentNames(doc, source);
  const cluster = namedEntry(doc, 'clusters', clusterName, 'cluster', source);
  const user = namedEntry(doc, 'users', userName, 'user', source);
  return {
    currentContext: contextName,
    clusterName,
    userName,
    server: stringField(cluster, 'server'),
    caPem: decoded(stringField(cluster, 'certificate-authority-data')),
    caFile: stringField(cluster, 'certificate-authority'),
    certPem: decoded(stringField(user, 'client-certificate-data')),
    keyPem: decoded(stringField(user, 'client-key-data')),
    certFile: stringField(user, 'client-certificate'),
    keyFile: stringField(user, 'client-key'),
  };
}

/**
 * Replaces the current context's embedded client certificate and key, and its cluster's CA data
 * (and `server:` when `update.server` is given), keeping everything else (other clusters, users, contexts, comments) as it was.
 * @throws InvalidInputError as {@link readKubeconfig}.
 */
export function replaceKubeconfigCredentials(
  text: string,
  source: string,
  update: { caPem: string; certPem: string; keyPem: string; server?: string | undefined },
): string {
  const doc = parseKubeconfigDocument(text, source);
  const { clusterName, userName } = currentNames(doc, source);
  const clusterPath = entryPath(doc, 'clusters', clusterName, source);
  const userPath = entryPath(doc, 'users', userName, source);
  doc.setIn([...clusterPath, 'cluster', 'certificate-authority-data'], b64(update.caPem));
  if (update.server !== undefined) doc.setIn([...clusterPath, 'cluster', 'server'], update.server);
  doc.setIn([...userPath, 'user', 'client-certificate-data'], b64(update.certPem));
  doc.setIn([...userPath, 'user', 'client-key-data'], b64(update.keyPem));
  doc.deleteIn([...userPath, 'user', 'client-certificate']);
  doc.deleteIn([...userPath, 'user', 'client-key']);
  return doc.toString({ indentSeq: false, lineWidth: 0 });
}

/**
 * Replaces only the CA data of the current context's cluster (a CA rotation's trust bundles).
 * @throws InvalidInputError as {@link readKubeconfig}.
 */
export function replaceKubeconfigCaData(text: string, source: string, caPem: string): string {
  const doc = parseKubeconfigDocument(text, source);
  const { clusterName } = currentNames(doc, source);
  doc.setIn(
    [...entryPath(doc, 'clusters', clusterName, source), 'cluster', 'certificate-authority-data'],
    b64(caPem),
  );
  return doc.toString({ indentSeq: false, lineWidth: 0 });
}

function parseKubeconfigDocument(text: string, source: string): Document {
  // The parser's message would quote the damaged line: for client-key-data, the key itself.
  const doc = parseYamlDocument(text, source, 'BAD_KUBECONFIG');
  if (!isMap(doc.contents)) {
    throw new InvalidInputError(
      'BAD_KUBECONFIG',
      `"${source}" is not a valid kubeconfig: expected a mapping`,
    );
  }
  return doc;
}

function currentNames(
  doc: Document,
  source: string,
): { contextName: string; clusterName: string; userName: string } {
  const contextName = doc.get('current-context');
  if (typeof contextName !== 'string' || contextName === '')
    throw bad(source, 'has no current-context');
  const context = namedEntry(doc, 'contexts', contextName, 'context', source);
  const clusterName = stringField(context, 'cluster');
  const userName = stringField(context, 'user');
  if (clusterName === undefined || userName === undefined)
    throw bad(source, `context "${contextName}" names no cluster or user`);
  return { contextName, clusterName, userName };
}

function entryPath(doc: Document, list: string, name: string, source: string): [string, number] {
  const seq = doc.get(list);
  if (!isSeq(seq)) throw bad(source, `has no ${list}`);
  const index = seq.items.findIndex((item) => isMap(item) && item.get('name') === name);
  if (index < 0) throw bad(source, `has no ${list.slice(0, -1)} named "${name}"`);
  return [list, index];
}

function namedEntry(
  doc: Document,
  list: string,
  name: string,
  field: string,
  source: string,
): Record<string, unknown> {
  const path = entryPath(doc, list, name, source);
  const value: unknown = doc.getIn([...path, field]);
  const body: unknown = isMap(value) ? value.toJSON() : undefined;
  if (typeof body !== 'object' || body === null)
    throw bad(source, `${list.slice(0, -1)} "${name}" has no ${field} body`);
  return body as Record<string, unknown>;
}

function stringField(obj: Record<string, unknown>, key: string): string | undefined {
  const value = obj[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function decoded(value: string | undefined): string | undefined {
  return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
}

function bad(source: string, what: string): InvalidInputError {
  return new InvalidInputError('BAD_KUBECONFIG', `kubeconfig "${source}" ${what}`);
}
