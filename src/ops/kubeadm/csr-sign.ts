/**
 * `csr sign`: the step kubeadm's external-CA docs leave to hand-written openssl commands. Each CSR
 * that `csr generate` wrote is checked (self-signature, its key beside it, the catalogue's subject)
 * and signed by the tree's CA with the catalogue's key usages and validity; the certificate (and,
 * for kubeconfigs, the complete kubeconfig) is installed into the tree in one commit.
 */
import { ValidationError } from '../../errors.js';
import { parseCsr, type CertificateRequest } from '../../pki/csr.js';
import type { SigningAuthority } from '../../pki/issue.js';
import { parsePrivateKey, spkiOf, type PrivateKey } from '../../pki/keys.js';
import { issuedEntries, type Catalogue, type IssuedCertEntry } from '../../layouts/catalogue.js';
import { readKubeconfig } from '../../layouts/kubeconfig.js';
import { altNameChange } from '../../layouts/leaf-fit.js';
import { loadCa, requireLoaded } from './load-tree.js';
import { csrPaths } from './csr-generate.js';
import { issuedFiles } from './issue-entry.js';
import { issueLeaf } from '../shared/issue.js';
import { KUBEADM_ISSUANCE } from '../../layouts/kubeadm/issuance-profile.js';
import {
  applyPlanned,
  PreparedChange,
  restartOrder,
  type Apply,
  type Planned,
  type PlanItem,
} from '../shared/plan.js';
import type { FileWrite, OpsContext, TreeReader } from '../shared/ports.js';

/** Inputs of csr sign. */
export interface CsrSignParams {
  readonly catalogue: Catalogue;
  /** Where the CSRs and keys are (the tree itself, or a separate directory). */
  readonly source: TreeReader;
  readonly restartOrder: readonly string[];
}

interface Pending {
  readonly entry: IssuedCertEntry;
  readonly csr: CertificateRequest;
  readonly key: PrivateKey;
}

const decoder = new TextDecoder();

/**
 * Plans signing: one item per CSR found, each signed here into the plan's change; writes nothing.
 * Each certificate gets the catalogue's subject, SANs and usages; an item says when it replaces
 * files already in the tree.
 * @throws ValidationError `BAD_CSR_SET` listing every problem (bad CSR, key missing or not the
 *   CSR's key, subject or SANs differing from the catalogue) — nothing is signed unless all are good;
 *   `CA_KEY_MISSING` when a CA cannot sign.
 */
export async function planCsrSign(ctx: OpsContext, params: CsrSignParams): Promise<Planned> {
  const pending = await readPending(params);
  const items: PlanItem[] = [];
  const writes: FileWrite[] = [];
  const start = ctx.clock.now();
  const authorities = new Map<string, SigningAuthority>();
  for (const { entry, key } of pending) {
    const ca = authorities.get(entry.ca) ?? (await authority(ctx, params.catalogue, entry.ca));
    authorities.set(entry.ca, ca);
    // The catalogue's identity and usages, not the request's: readPending refused any difference.
    const issued = await issueLeaf(ctx, KUBEADM_ISSUANCE, entry, ca, start, key);
    const files = issuedFiles(entry, issued, ca.certificate.pem);
    writes.push(...files);
    const replaced = await existing(
      ctx.tree,
      files.map((write) => write.path),
    );
    items.push({
      name: entry.name,
      action: replaced.length > 0 ? 'replace' : 'create',
      reason:
        replaced.length > 0
          ? `sign with CA "${entry.ca}", replacing ${replaced.join(', ')} (backed up first)`
          : `sign with CA "${entry.ca}"`,
      files: files.map((write) => write.path),
    });
  }
  return {
    plan: {
      operation: 'csr sign',
      root: ctx.tree.root,
      items,
      restart: restartOrder(
        pending.flatMap((p) => p.entry.restart),
        params.restartOrder,
      ),
      warnings: [],
    },
    change: new PreparedChange('csr-sign', writes),
  };
}

/** Installs the signed certificates in one commit; undefined when there was no CSR. */
export const applyCsrSign: Apply = applyPlanned;

async function readPending(params: CsrSignParams): Promise<Pending[]> {
  const problems: string[] = [];
  const pending: Pending[] = [];
  for (const entry of issuedEntries(params.catalogue)) {
    const { keyPath, csrPath } = csrPaths(entry);
    const csrBytes = await params.source.read(csrPath);
    if (csrBytes === undefined) continue;
    try {
      const csr = await parseCsr(decoder.decode(csrBytes), csrPath);
      const key = await readKey(params.source, entry, keyPath);
      if (!spkiOf(key.keyObject).equals(csr.spki))
        problems.push(`"${keyPath}" is not the key of "${csrPath}"`);
      const expected = entry.subject;
      if (
        csr.subject.cn !== expected.cn ||
        [...csr.subject.o].sort().join(',') !== [...(expected.o ?? [])].sort().join(',')
      ) {
        problems.push(
          `"${csrPath}" asks for CN=${csr.subject.cn ?? ''} O=${csr.subject.o.join('+')}, but "${entry.name}" is CN=${expected.cn} O=${(expected.o ?? []).join('+')}`,
        );
      }
      const sans = altNameChange(csr.altNames, entry.altNames);
      if (sans.length > 0)
        problems.push(
          `"${csrPath}" asks for other SANs than "${entry.name}" has in the spec (to match it: ${sans.join(' ')}); make the request again with: kpki csr generate`,
        );
      pending.push({ entry, csr, key });
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
  }
  if (problems.length > 0)
    throw new ValidationError(
      'BAD_CSR_SET',
      `cannot sign the requests in "${params.source.root}":\n  ${problems.join('\n  ')}`,
    );
  return pending;
}

async function existing(tree: TreeReader, paths: readonly string[]): Promise<string[]> {
  const found = await Promise.all(
    paths.map(async (path) => ((await tree.exists(path)) ? path : '')),
  );
  return found.filter((path) => path !== '');
}

async function readKey(
  source: TreeReader,
  entry: IssuedCertEntry,
  keyPath: string,
): Promise<PrivateKey> {
  const bytes = await source.read(keyPath);
  if (bytes === undefined)
    throw new ValidationError('KEY_MISSING', `the key "${keyPath}" for "${entry.name}" is missing`);
  const text = decoder.decode(bytes);
  if (entry.kind === 'leaf') return parsePrivateKey(text, keyPath);
  const keyPem = readKubeconfig(text, keyPath).keyPem;
  if (keyPem === undefined)
    throw new ValidationError(
      'KEY_MISSING',
      `the partial kubeconfig "${keyPath}" has no client key`,
    );
  return parsePrivateKey(keyPem, `${keyPath} (client-key-data)`);
}

async function authority(
  ctx: OpsContext,
  catalogue: Catalogue,
  name: string,
): Promise<SigningAuthority> {
  const entry = catalogue.cas.find((ca) => ca.name === name);
  const loaded = entry ? await loadCa(ctx.tree, entry) : undefined;
  if (!entry || !loaded)
    throw new ValidationError('CA_MISSING', `the catalogue has no CA "${name}"`);
  requireLoaded(loaded);
  if (!loaded.cert || !loaded.key)
    throw new ValidationError(
      'CA_KEY_MISSING',
      `cannot sign with CA "${name}": "${loaded.cert ? entry.keyPath : entry.certPath}" is missing`,
    );
  return { certificate: loaded.cert, key: loaded.key };
}
