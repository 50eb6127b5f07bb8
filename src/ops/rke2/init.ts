/**
 * `init --layout rke2|k3s`: a complete server data dir (or, with the agent catalogue, an agent
 * dir signed by a server's CAs) exactly as K3s's first start writes it. What exists is reused
 * after checking it, as K3s reuses existing CA pairs and keys; nothing is overwritten except the
 * files K3s derives on every start (`*.nochain.crt`, `service.current.key`, the agent CA copies).
 */
import { ConflictError, ValidationError } from '../../errors.js';
import { keyMatchesCertificate, parseCertificates } from '../../pki/certificate.js';
import { chainProblem } from '../../layouts/chain-problem.js';
import { encodePrivateKey, type PrivateKey } from '../../pki/keys.js';
import type { CaEntry } from '../../layouts/catalogue.js';
import type { Rke2Catalogue, Rke2Leaf } from '../../layouts/rke2/catalogue.js';
import {
  leafFiles,
  loadRke2Authority,
  readKeys,
  rke2Authority,
  rke2CaFiles,
  type FileSource,
  type Rke2Authority,
} from './issue.js';
import { issueCa, issueLeaf } from '../shared/issue.js';
import { RKE2_ISSUANCE } from '../../layouts/rke2/issuance-profile.js';
import { derivedFiles, kubeconfigFiles, specRecordChange, userKubeconfigFile } from './derived.js';
import {
  applyPlanned,
  PreparedChange,
  type Apply,
  type Planned,
  type PlanItem,
} from '../shared/plan.js';
import { FileMode, type FileWrite, type OpsContext } from '../shared/ports.js';

/** Inputs of RKE2 init. */
export interface Rke2InitParams {
  readonly catalogue: Rke2Catalogue;
  /** Agent dirs: where the server's CAs are read from (another data dir). */
  readonly caSource?: { readonly read: FileSource; readonly where: string };
  readonly warnings: readonly string[];
}

interface Resolved {
  readonly items: PlanItem[];
  readonly writes: FileWrite[];
}

const decoder = new TextDecoder();

/**
 * Plans init and generates what is missing (keys, certificates, derived files) into the plan's
 * change; nothing is written.
 * @throws ValidationError `INVALID_EXISTING` when an existing file is unusable, `CA_KEY_MISSING`
 *   when a leaf's CA is not available; ConflictError when a CA has only one of its two files;
 *   InvalidInputError for unparseable files.
 */
export async function planRke2Init(ctx: OpsContext, params: Rke2InitParams): Promise<Planned> {
  const { items, writes } = await resolve(ctx, params);
  const record = await specRecordChange(ctx, params.catalogue);
  if (record !== undefined) {
    items.push(record.item);
    writes.push(record.write);
  }
  return {
    plan: { operation: 'init', root: ctx.tree.root, items, restart: [], warnings: params.warnings },
    change: new PreparedChange('init', writes),
  };
}

/** Commits an init plan at once; undefined when nothing was missing. */
export const applyRke2Init: Apply = applyPlanned;

async function resolve(ctx: OpsContext, params: Rke2InitParams): Promise<Resolved> {
  const { catalogue } = params;
  const now = ctx.clock.now();
  const items: PlanItem[] = [];
  const writes: FileWrite[] = [];
  const authorities = new Map<string, Rke2Authority>();
  const created = new Set<string>();
  for (const entry of catalogue.cas) {
    const ca = await resolveCa(ctx, params, entry, now);
    items.push(ca.item);
    if (ca.authority) authorities.set(entry.name, ca.authority);
    if (ca.item.action === 'create') created.add(entry.name);
    if (ca.authority && ca.item.action === 'create')
      writes.push(...rke2CaFiles(entry, ca.authority));
  }
  const leafKeys = new Map<string, { cert: string; key: PrivateKey }>();
  for (const leaf of catalogue.leaves) {
    const result = await resolveLeaf(
      ctx,
      leaf,
      authorities.get(leaf.ca),
      created.has(leaf.ca),
      now,
    );
    items.push(result.item);
    writes.push(...result.writes);
    if (result.material) leafKeys.set(leaf.name, result.material);
  }
  for (const keyFile of catalogue.keyFiles) {
    const key = await readKeys(ctx, keyFile.keyPath);
    if (key) items.push({ name: keyFile.name, action: 'reuse', reason: 'key exists', files: [] });
    else {
      items.push({
        name: keyFile.name,
        action: 'create',
        reason: 'key missing',
        files: [keyFile.keyPath],
      });
      writes.push({
        path: keyFile.keyPath,
        data: new TextEncoder().encode(encodePrivateKey(await ctx.keys.generate('ECDSA-P256'))),
        mode: FileMode.key,
      });
    }
  }
  const derived = await derivedFiles(ctx, catalogue, authorities);
  items.push(...derived.items);
  writes.push(...derived.writes);
  const kubeconfigs = await kubeconfigFiles(ctx, catalogue);
  items.push(...kubeconfigs.items);
  writes.push(...kubeconfigs.writes);
  const user = await userKubeconfigFile(ctx, catalogue, authorities, leafKeys);
  if (user) {
    items.push(user.item);
    writes.push(...user.writes);
  }
  return { items, writes };
}

async function resolveCa(
  ctx: OpsContext,
  params: Rke2InitParams,
  entry: CaEntry,
  now: Date,
): Promise<{ item: PlanItem; authority: Rke2Authority | undefined }> {
  if (params.caSource) {
    const authority = await loadRke2Authority(
      params.caSource.read,
      entry,
      params.caSource.where,
    ).catch(() => undefined);
    return {
      item: {
        name: entry.name,
        action: 'reuse',
        reason: authority
          ? `read from ${params.caSource.where}`
          : `not available in ${params.caSource.where}`,
        files: [],
      },
      authority,
    };
  }
  const certExists = await ctx.tree.exists(entry.certPath);
  const keyExists = await ctx.tree.exists(entry.keyPath);
  if (certExists !== keyExists) {
    throw new ConflictError(
      'CA_INCOMPLETE',
      `CA "${entry.name}": "${certExists ? entry.certPath : entry.keyPath}" exists but "${certExists ? entry.keyPath : entry.certPath}" does not; refusing to overwrite it`,
      {
        hint: 'restore the missing file from a backup, or move both away to create a new CA',
      },
    );
  }
  if (certExists) {
    const authority = await loadRke2Authority(
      (path) => ctx.tree.read(path),
      entry,
      ctx.tree.root,
    ).catch((error: unknown) => {
      throw invalidExisting(entry.name, error);
    });
    return {
      item: { name: entry.name, action: 'reuse', reason: 'existing CA checked', files: [] },
      authority,
    };
  }
  const item: PlanItem = {
    name: entry.name,
    action: 'create',
    reason: 'certificate authority missing',
    files: [entry.certPath, entry.keyPath],
  };
  return { item, authority: rke2Authority(await issueCa(ctx, RKE2_ISSUANCE, entry, now)) };
}

interface LeafResult {
  readonly item: PlanItem;
  readonly writes: FileWrite[];
  readonly material: { cert: string; key: PrivateKey } | undefined;
}

async function resolveLeaf(
  ctx: OpsContext,
  leaf: Rke2Leaf,
  ca: Rke2Authority | undefined,
  caCreated: boolean,
  now: Date,
): Promise<LeafResult> {
  const certBytes = await ctx.tree.read(leaf.certPath);
  const keys = await readKeys(ctx, leaf.keyPath);
  const files = [leaf.certPath, ...(keys ? [] : [leaf.keyPath])];
  if (certBytes !== undefined) {
    const certText = decoder.decode(certBytes);
    const [cert] = parseCertificates(certText, leaf.certPath);
    const key = keys?.[0];
    if (!cert || !key) throw invalidExisting(leaf.name, `key "${leaf.keyPath}" is missing`);
    if (!keyMatchesCertificate(cert, key.keyObject))
      throw invalidExisting(
        leaf.name,
        `key "${leaf.keyPath}" does not match certificate "${leaf.certPath}"`,
      );
    if (caCreated)
      throw invalidExisting(
        leaf.name,
        `its CA "${leaf.ca}" is missing, so nothing can vouch for it`,
      );
    const chain = ca && chainProblem(cert, ca.certificate, `CA "${leaf.ca}"`, now);
    if (chain) throw invalidExisting(leaf.name, chain.text);
    return {
      item: { name: leaf.name, action: 'reuse', reason: 'existing certificate checked', files: [] },
      writes: [],
      material: { cert: certText, key },
    };
  }
  if (!ca && !caCreated) {
    throw new ValidationError(
      'CA_KEY_MISSING',
      `cannot create "${leaf.name}": CA "${leaf.ca}" is not available`,
      { hint: 'for an agent dir, pass --server-data-dir pointing at a server data dir' },
    );
  }
  const item: PlanItem = {
    name: leaf.name,
    action: 'create',
    reason: keys ? 'certificate missing; existing key reused' : 'missing',
    files,
  };
  if (!ca) return { item, writes: [], material: undefined };
  const key = keys?.[0] ?? (await ctx.keys.generate(leaf.keyAlgorithm));
  const cert = (await issueLeaf(ctx, RKE2_ISSUANCE, leaf, ca, now, key)).certificate;
  const writes = leafFiles(leaf, cert, key, ca, keys === undefined);
  return { item, writes, material: { cert: decoder.decode(writes[0]?.data), key } };
}

function invalidExisting(name: string, problem: unknown): ValidationError {
  const text = problem instanceof Error ? problem.message : String(problem);
  return new ValidationError('INVALID_EXISTING', `"${name}" exists but is not usable: ${text}`, {
    hint: 'kpki never overwrites existing files silently; fix or move the file, then run init again',
  });
}
