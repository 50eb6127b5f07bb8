/**
 * `csr generate --cert-dir` for RKE1 (reference rke.md §6): `<name>-csr.pem` and `<name>-key.pem`
 * (mode 0640) for every certificate an external CA must sign. Keys already in the directory are
 * reused (they must be unencrypted RSA); an existing CSR is kept unless it no longer matches its
 * key or, for kube-apiserver, etcd and kubelet serving certificates, its SANs differ from the
 * cluster file's. The CAs and the service-account key are the user's to supply.
 */
import { InvalidInputError } from '../../errors.js';
import { buildCsr, parseCsr } from '../../pki/csr.js';
import { encodePrivateKey, parsePrivateKey, spkiOf, type PrivateKey } from '../../pki/keys.js';
import type { RkeCertEntry } from '../../layouts/rke/catalogue.js';
import type { RkeFiles } from '../../layouts/rke/files.js';
import { customCertFiles } from '../../layouts/rke/custom-certs.js';
import { readRkeTree } from './tree.js';
import type { PlanItem } from '../shared/plan.js';
import type { CommitResult, FileWrite, OpsContext, TreeStore } from '../shared/ports.js';

/** Mode RKE writes CSRs and keys with. */
export const CSR_FILE_MODE = 0o640;

/** Inputs of CSR generation. */
export interface RkeCsrParams {
  readonly files: RkeFiles;
  readonly out: TreeStore;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Generates what is missing or stale in the certificate directory, in one commit there.
 * @throws InvalidInputError `ENCRYPTED_KEY`, `WRONG_KEY_TYPE`, `BAD_KEY`, `BAD_CSR` for unusable existing files.
 */
export async function applyRkeCsr(
  ctx: OpsContext,
  params: RkeCsrParams,
): Promise<{ items: PlanItem[]; result: CommitResult | undefined }> {
  const tree = await readRkeTree(ctx.tree, params.files);
  const entries = tree.catalogue.leaves.filter((leaf) => !leaf.preserveKey);
  return params.out.exclusive(async () => {
    const outcomes = await Promise.all(entries.map((entry) => csrFor(ctx, params.out, entry)));
    const writes = outcomes
      .flatMap((outcome) => outcome.writes)
      .sort((a, b) => a.path.localeCompare(b.path));
    const result =
      writes.length === 0
        ? undefined
        : await params.out.commit({ writes, deletes: [] }, 'csr-generate');
    return { items: outcomes.map((outcome) => outcome.item), result };
  });
}

async function csrFor(
  ctx: OpsContext,
  out: TreeStore,
  entry: RkeCertEntry,
): Promise<{ item: PlanItem; writes: FileWrite[] }> {
  const { key: keyPath, csr: csrPath } = customCertFiles(entry.name);
  const existingKey = await readKey(out, keyPath);
  const key = existingKey ?? (await ctx.keys.generate(entry.keyAlgorithm));
  const writes: FileWrite[] = existingKey
    ? []
    : [{ path: keyPath, data: encoder.encode(encodePrivateKey(key)), mode: CSR_FILE_MODE }];
  const csrBytes = await out.read(csrPath);
  const stale =
    csrBytes === undefined
      ? 'missing'
      : await staleReason(decoder.decode(csrBytes), `${out.root}/${csrPath}`, entry, key);
  if (stale === undefined)
    return {
      item: { name: entry.name, action: 'reuse', reason: 'CSR and key present', files: [] },
      writes,
    };
  const csr = await buildCsr(entry.subject, entry.altNames, key, entry.extKeyUsage);
  writes.push({ path: csrPath, data: encoder.encode(csr.pem), mode: CSR_FILE_MODE });
  const action = csrBytes === undefined ? 'create' : 'renew';
  return {
    item: {
      name: entry.name,
      action,
      reason: existingKey ? `${stale}; key reused` : stale,
      files: writes.map((w) => w.path),
    },
    writes,
  };
}

async function readKey(out: TreeStore, path: string): Promise<PrivateKey | undefined> {
  const bytes = await out.read(path);
  if (bytes === undefined) return undefined;
  const key = parsePrivateKey(decoder.decode(bytes), `${out.root}/${path}`);
  if (key.keyObject.asymmetricKeyType !== 'rsa') {
    throw new InvalidInputError(
      'WRONG_KEY_TYPE',
      `the key in "${out.root}/${path}" is ${key.algorithm}; RKE needs RSA keys`,
    );
  }
  return key;
}

/** Why an existing CSR must be regenerated, or undefined to keep it. */
async function staleReason(
  text: string,
  source: string,
  entry: RkeCertEntry,
  key: PrivateKey,
): Promise<string | undefined> {
  const csr = await parseCsr(text, source);
  if (!csr.spki.equals(spkiOf(key.keyObject))) return 'existing CSR does not match its key';
  const checksSans = entry.name === 'kube-apiserver' || entry.family !== undefined;
  if (!checksSans) return undefined;
  const same = (a: readonly string[], b: readonly string[]): boolean =>
    [...a].sort().join(',') === [...b].sort().join(',');
  return same(csr.altNames.dns, entry.altNames.dns) && same(csr.altNames.ip, entry.altNames.ip)
    ? undefined
    : 'SANs changed in the cluster file';
}
