/**
 * `rke import --cert-dir`: custom certificates into the state (RKE's `rke up --custom-certs`),
 * after validating them all (layouts/rke/custom-certs.ts) and reporting every problem at once.
 * As with RKE, the bundle becomes the directory's content; the service-account key is taken from
 * `kube-service-account-token-key.pem` when present (no companion certificate needed, unlike
 * rke#2164), else kept from the state, else the kube-apiserver key is used as RKE does for legacy clusters.
 * What the directory does not replace is kept and said so: the state's SA entry, and the key of
 * a CA whose certificate the directory repeats without its `*-key.pem` (dropping it would make
 * every later rotate fail `CA_KEY_MISSING`).
 */
import { ValidationError } from '../../errors.js';
import { encodePrivateKey, parsePrivateKey, type PrivateKey } from '../../pki/keys.js';
import { issueCertificate } from '../../pki/issue.js';
import { keyMatchesCertificate } from '../../pki/certificate.js';
import { randomSerial } from '../../pki/serial.js';
import {
  newBundleEntry,
  updatedBundleEntry,
  type EntryContent,
} from '../../layouts/rke/bundle-entry.js';
import {
  EXTERNAL_ETCD_CLIENT,
  EXTERNAL_ETCD_CLIENT_CA,
  KUBE_CA,
  REQUESTHEADER_CA,
  SERVICE_ACCOUNT_TOKEN,
  RKE_VALIDITY_MS,
  type RkeCertEntry,
} from '../../layouts/rke/catalogue.js';
import {
  customCertFiles,
  validateCustomCerts,
  type CustomFiles,
  type CustomPair,
} from '../../layouts/rke/custom-certs.js';
import type { RkeFiles } from '../../layouts/rke/files.js';
import { adminKubeconfig, componentKubeconfig } from '../../layouts/rke/kubeconfigs.js';
import type { BundleEntry } from '../../layouts/rke/state.js';
import { adminServerOf } from './issue.js';
import { readRkeTree, requireSoundBundle, type RkeTree } from './tree.js';
import { adminKubeconfigWrite, nextDocument, stateWrite } from './write.js';
import type { CommitResult, FileWrite, OpsContext, TreeReader } from '../shared/ports.js';

/** Inputs of an import. */
export interface RkeImportParams {
  readonly files: RkeFiles;
  readonly certDir: TreeReader;
  /** `rkeConfig` for a state that does not exist yet. */
  readonly rkeConfig: Record<string, unknown>;
}

const SA = SERVICE_ACCOUNT_TOKEN;
const decoder = new TextDecoder();

/**
 * Validates the directory and writes the state in one commit.
 * @throws ValidationError `CUSTOM_CERTS_INVALID` listing every problem; nothing is written then.
 */
export async function applyRkeImport(
  ctx: OpsContext,
  params: RkeImportParams,
): Promise<{ result: CommitResult; names: string[]; warnings: readonly string[] }> {
  const tree = await readRkeTree(ctx.tree, params.files);
  requireSoundBundle(tree);
  const names = [
    ...tree.catalogue.cas.map((ca) => ca.name),
    ...tree.catalogue.leaves.map((leaf) => leaf.name),
  ];
  const files = new Map<string, CustomFiles>();
  for (const name of names)
    files.set(name, {
      certText: await readText(params.certDir, customCertFiles(name).cert),
      keyText: await readText(params.certDir, customCertFiles(name).key),
    });
  const checked = validateCustomCerts(tree.catalogue, files, ctx.clock.now());
  if (checked.problems.length > 0) {
    throw new ValidationError(
      'CUSTOM_CERTS_INVALID',
      `${checked.problems.length} problem${checked.problems.length > 1 ? 's' : ''} in "${params.certDir.root}": ${checked.problems.join('; ')}`,
      {
        hint: 'fix the files (kpki csr generate --cert-dir DIR makes CSRs with the right subjects and SANs), then import again',
      },
    );
  }
  const set = new Map<string, BundleEntry>();
  const kept: string[] = [];
  const caPem = checked.pairs.get(KUBE_CA)?.cert.pem ?? '';
  for (const [name, pair] of checked.pairs) {
    const entry = content(tree, name, pair, caPem);
    const stateKey = keptKey(tree, name, pair);
    if (stateKey !== undefined) kept.push(`the key of "${name}"`);
    set.set(
      name,
      entryFor(tree, name, stateKey === undefined ? entry : { ...entry, keyPEM: stateKey }),
    );
  }
  if (!checked.pairs.has(REQUESTHEADER_CA))
    set.set(
      REQUESTHEADER_CA,
      entryFor(tree, REQUESTHEADER_CA, {
        certificatePEM: caPem,
        keyPEM: '',
        config: componentKubeconfig(REQUESTHEADER_CA),
      }),
    );
  const sa = await serviceAccountEntry(ctx, tree, params.certDir, set);
  if (sa) set.set(SA, sa);
  else if (tree.bundle[SA]) {
    set.set(SA, tree.bundle[SA]);
    kept.push(`the service-account key "${SA}"`);
  }
  const keep = new Set([EXTERNAL_ETCD_CLIENT, EXTERNAL_ETCD_CLIENT_CA]);
  const remove = Object.keys(tree.bundle).filter((name) => !set.has(name) && !keep.has(name));
  const change = { set, remove };
  const writes: FileWrite[] = [stateWrite(tree, nextDocument(tree, change, params.rkeConfig))];
  const admin = await adminKubeconfigWrite(ctx.tree, tree, change);
  if (admin) writes.push(admin);
  const result = await ctx.tree.commit({ writes, deletes: [] }, 'rke-import');
  const keptNote =
    kept.length === 0
      ? []
      : [`kept from the state (the directory has no replacement): ${kept.join(', ')}`];
  return { result, names: [...set.keys()], warnings: [...checked.warnings, ...keptNote] };
}

/**
 * The state's key for `name` when the directory gives its certificate but no key and the state's
 * key belongs to that same certificate; undefined otherwise.
 */
function keptKey(tree: RkeTree, name: string, pair: CustomPair): string | undefined {
  if (pair.key !== undefined) return undefined;
  const keyPEM = tree.bundle[name]?.keyPEM;
  if (keyPEM === undefined || keyPEM === '') return undefined;
  try {
    return keyMatchesCertificate(pair.cert, parsePrivateKey(keyPEM, name).keyObject)
      ? keyPEM
      : undefined;
  } catch {
    return undefined;
  }
}

async function readText(reader: TreeReader, path: string): Promise<string | undefined> {
  const bytes = await reader.read(path);
  return bytes === undefined ? undefined : decoder.decode(bytes);
}

function content(tree: RkeTree, name: string, pair: CustomPair, caPem: string): EntryContent {
  const keyPEM = pair.key ? encodePrivateKey(pair.key) : '';
  const leaf: RkeCertEntry | undefined = tree.catalogue.leaves.find((entry) => entry.name === name);
  let config = '';
  if (name === REQUESTHEADER_CA || leaf?.kubeconfig === 'component')
    config = componentKubeconfig(name);
  if (leaf?.kubeconfig === 'admin')
    config = adminKubeconfig({
      server: adminServerOf(tree.spec),
      clusterName: tree.spec.clusterName,
      caPem,
      certPem: pair.cert.pem,
      keyPem: keyPEM,
    });
  return { certificatePEM: pair.cert.pem, keyPEM, config };
}

function entryFor(tree: RkeTree, name: string, entryContent: EntryContent): BundleEntry {
  const existing = tree.bundle[name];
  return existing
    ? updatedBundleEntry(existing, entryContent)
    : newBundleEntry(name, entryContent, tree.files.clusterFile);
}

/**
 * RKE only picks up the SA key with a companion certificate (rke#2164) and loads entries with an
 * empty certificate badly, so kpki makes the dummy self-signed one users make by hand. Nothing
 * verifies it: only the key is used (--service-account-key-file).
 */
async function throwAwayCertificate(ctx: OpsContext, key: PrivateKey): Promise<string> {
  const now = ctx.clock.now();
  const template = {
    subject: { cn: SA },
    isCA: false,
    keyUsage: ['digitalSignature', 'keyEncipherment'] as const,
    extKeyUsage: ['clientAuth'] as const,
    notBefore: now,
    notAfter: new Date(now.getTime() + RKE_VALIDITY_MS),
    serialHex: randomSerial(ctx.random),
    basicConstraints: false,
  };
  return (await issueCertificate(template, key.keyObject, { selfSigned: key })).pem;
}

async function serviceAccountEntry(
  ctx: OpsContext,
  tree: RkeTree,
  certDir: TreeReader,
  set: Map<string, BundleEntry>,
): Promise<BundleEntry | undefined> {
  const files = customCertFiles(SA);
  const keyText = await readText(certDir, files.key);
  if (keyText !== undefined) {
    const key = parsePrivateKey(keyText, `${certDir.root}/${files.key}`);
    if (key.keyObject.asymmetricKeyType !== 'rsa')
      throw new ValidationError(
        'CUSTOM_CERTS_INVALID',
        `${files.key} is ${key.algorithm}; RKE reads only RSA keys`,
      );
    const certificatePEM =
      (await readText(certDir, files.cert)) ?? (await throwAwayCertificate(ctx, key));
    return entryFor(tree, SA, { certificatePEM, keyPEM: encodePrivateKey(key), config: '' });
  }
  if (tree.bundle[SA]) return undefined;
  const apiserver = set.get('kube-apiserver');
  return (
    apiserver &&
    entryFor(tree, SA, {
      certificatePEM: apiserver.certificatePEM ?? '',
      keyPEM: apiserver.keyPEM ?? '',
      config: '',
    })
  );
}
