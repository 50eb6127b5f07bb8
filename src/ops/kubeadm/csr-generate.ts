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
import type { Plan, PlanItem } from '../shared/plan.js';
import {
  FileMode,
  type CommitResult,
  type FileWrite,
  type OpsContext,
  type TreeStore,
} from '../shared/ports.js';

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
 * Plans generation into `target` (the tree, or a separate CSR directory).
 * @throws ConflictError `FILE_EXISTS` listing every file that already exists.
 */
export async function planCsrGenerate(target: TreeStore, catalogue: Catalogue): Promise<Plan> {
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
  return { operation: 'csr generate', root: target.root, items, restart: [], warnings: [] };
}

/** Writes every key, CSR and partial kubeconfig in one commit into `target`. */
export async function applyCsrGenerate(
  ctx: OpsContext,
  target: TreeStore,
  catalogue: Catalogue,
): Promise<CommitResult> {
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
  return target.commit(
    { writes: writes.sort((a, b) => a.path.localeCompare(b.path)), deletes: [] },
    'csr-generate',
  );
}
