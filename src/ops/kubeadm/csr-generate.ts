/**
 * `csr generate`: what `kubeadm certs generate-csr` writes for an external CA — for every leaf a
 * new key and a `.csr` beside where its certificate goes, and for every kubeconfig a partial
 * kubeconfig (server, names, client key; no certificate, no CA data) plus `<file>.csr`. Refuses to
 * overwrite anything.
 */
import { ConflictError } from '../../errors.js';
import { buildCsr } from '../../pki/csr.js';
import { encodePrivateKey } from '../../pki/keys.js';
import { issuedEntries, type Catalogue, type IssuedCertEntry } from '../../layouts/catalogue.js';
import { buildKubeconfig } from '../../layouts/kubeconfig.js';
import {
  applyPlanned,
  PreparedChange,
  type Apply,
  type Planned,
  type PlanItem,
} from '../shared/plan.js';
import { FileMode, type FileWrite, type OpsContext } from '../shared/ports.js';

/** Where an entry's key and CSR go (paths relative to the CSR tree). */
export function csrPaths(entry: IssuedCertEntry): {
  keyPath: string;
  csrPath: string;
  kubeconfigPath?: string;
} {
  if (entry.kind === 'leaf')
    return { keyPath: entry.keyPath, csrPath: entry.certPath.replace(/\.crt$/, '.csr') };
  return { keyPath: entry.path, csrPath: `${entry.path}.csr`, kubeconfigPath: entry.path };
}

/** Entries generate-csr covers: every leaf and kubeconfig of the catalogue. */
function entries(catalogue: Catalogue): IssuedCertEntry[] {
  return issuedEntries(catalogue);
}

/**
 * Plans generation into `ctx.tree` (the tree, or a separate CSR directory as its own store): the
 * keys, CSRs and partial kubeconfigs are made here, into the plan's change; nothing is written.
 * @throws ConflictError `FILE_EXISTS` listing every file that already exists.
 */
export async function planCsrGenerate(ctx: OpsContext, catalogue: Catalogue): Promise<Planned> {
  const target = ctx.tree;
  const items: PlanItem[] = [];
  const existing: string[] = [];
  for (const entry of entries(catalogue)) {
    const { keyPath, csrPath } = csrPaths(entry);
    for (const path of [keyPath, csrPath]) if (await target.exists(path)) existing.push(path);
    items.push({
      name: entry.name,
      action: 'create',
      reason: 'key and certificate request',
      files: [keyPath, csrPath],
    });
  }
  if (existing.length > 0) {
    throw new ConflictError(
      'FILE_EXISTS',
      `file already exists in "${target.root}": ${existing.join(', ')}`,
      { hint: 'move them away or use another --csr-dir' },
    );
  }
  return {
    plan: { operation: 'csr generate', root: target.root, items, restart: [], warnings: [] },
    change: new PreparedChange('csr-generate', await requestFiles(ctx, catalogue)),
  };
}

/** Writes every key, CSR and partial kubeconfig of the plan in one commit into `ctx.tree`. */
export const applyCsrGenerate: Apply = applyPlanned;

async function requestFiles(ctx: OpsContext, catalogue: Catalogue): Promise<FileWrite[]> {
  const encoder = new TextEncoder();
  const writes: FileWrite[] = [];
  await Promise.all(
    entries(catalogue).map(async (entry) => {
      const key = await ctx.keys.generate(entry.keyAlgorithm);
      const csr = await buildCsr(entry.subject, entry.altNames, key);
      const { keyPath, csrPath } = csrPaths(entry);
      const keyPem = encodePrivateKey(key);
      writes.push({ path: csrPath, data: encoder.encode(csr.pem), mode: FileMode.key });
      if (entry.kind === 'leaf')
        writes.push({ path: keyPath, data: encoder.encode(keyPem), mode: FileMode.key });
      else
        writes.push({
          path: keyPath,
          data: encoder.encode(
            buildKubeconfig({
              clusterName: entry.clusterName,
              server: entry.server,
              caPem: '',
              userName: entry.userName,
              certPem: '',
              keyPem,
            }),
          ),
          mode: FileMode.kubeconfig,
        });
    }),
  );
  return writes;
}
