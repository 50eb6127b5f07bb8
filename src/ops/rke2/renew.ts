/**
 * `renew` for RKE2/K3s: what the server does for its leaves on every start (reference/rke2-k3s.md
 * §5), on demand and offline. A leaf is re-issued when it is missing, expired or within the window
 * (`NotAfter − now ≤ window`, inclusive as K3s's IsCertExpired), or when its CN, its set of O, a
 * required DNS or IP SAN, or its issuing CA (AKID ≠ the CA's SKID) no longer matches. The existing
 * key is reused (the current K3s contract: renew keeps keys, rotate replaces them).
 */
import { ValidationError } from '../../errors.js';
import {
  keyMatchesCertificate,
  parseCertificates,
  type Certificate,
} from '../../pki/certificate.js';
import type { PrivateKey } from '../../pki/keys.js';
import { requireCaWithRole } from '../../layouts/catalogue.js';
import type { Rke2Catalogue, Rke2Leaf } from '../../layouts/rke2/catalogue.js';
import { rke2RestartOrder } from '../../layouts/rke2/services.js';
import {
  leafFiles,
  loadRke2Authority,
  readKeys,
  type FileSource,
  type Rke2Authority,
} from './issue.js';
import { issueLeaf } from '../shared/issue.js';
import { RKE2_ISSUANCE } from '../../layouts/rke2/issuance-profile.js';
import { derivedFiles, userKubeconfigWrite } from './derived.js';
import { renewDynamicCert } from './dynamic-cert.js';
import {
  applyPlanned,
  PreparedChange,
  restartOrder,
  type Apply,
  type Planned,
  type PlanItem,
} from '../shared/plan.js';
import type { FileWrite, OpsContext } from '../shared/ports.js';

/** Inputs of RKE2 renew. */
export interface Rke2RenewParams {
  readonly catalogue: Rke2Catalogue;
  readonly services: readonly string[];
  /** Re-issue leaves expiring within this many milliseconds (120 days by default). */
  readonly windowMs: number;
  /** Agent dirs: where the server's CAs are read from (else the CAs in the tree). */
  readonly caSource?: { readonly read: FileSource; readonly where: string };
}

const decoder = new TextDecoder();

/**
 * Plans the renewal and re-issues what is due (reusing keys) into the plan's change, with the files
 * a server derives at start when they are stale; writes nothing.
 * @throws InvalidInputError for unreadable/malformed files, ValidationError `KEY_MISMATCH` when a
 *   leaf's key does not belong to its certificate (renewing would bless a pair nobody can vouch
 *   for), `CA_KEY_MISSING` when a due leaf's CA is not available.
 */
export async function planRke2Renew(ctx: OpsContext, params: Rke2RenewParams): Promise<Planned> {
  const now = ctx.clock.now();
  const cas = await loadAuthorities(ctx, params);
  const items: PlanItem[] = [];
  const components: string[] = [];
  const writes: FileWrite[] = [];
  for (const leaf of selectedLeaves(params)) {
    const state = await leafState(ctx, leaf);
    const reason = renewReason(leaf, state.cert, cas.get(leaf.ca), now, params.windowMs);
    const files = reason === undefined ? [] : await renewedFiles(ctx, params, cas, leaf, state);
    writes.push(...files);
    items.push(
      reason === undefined
        ? {
            name: leaf.name,
            action: 'skip',
            reason: `valid until ${state.cert?.notAfter.toISOString() ?? '?'}, fields unchanged`,
            files: [],
          }
        : {
            name: leaf.name,
            action: 'renew',
            reason,
            files: files.map((write) => write.path),
          },
    );
    if (reason !== undefined) components.push(...leaf.restart);
  }
  const dynamic = params.services.includes(`${params.catalogue.program}-server`)
    ? await renewDynamicCert(
        ctx,
        params.catalogue,
        serverCaOf(params.catalogue, cas),
        params.windowMs,
      )
    : undefined;
  if (dynamic) {
    items.push(dynamic.item);
    writes.push(...dynamic.writes);
    if (dynamic.item.action === 'renew') components.push(`${params.catalogue.program}-server`);
  }
  // What the server derives on every start: `service.current.key` from the first key of
  // `service.key` (stale after `bootstrap restore` brought another server's keys) and the CA copies.
  if (params.catalogue.role === 'server') {
    const derived = await derivedFiles(ctx, params.catalogue, cas);
    items.push(...derived.items.filter((item) => item.action !== 'reuse'));
    writes.push(...derived.writes);
    if (derived.writes.length > 0) components.push(`${params.catalogue.program}-server`);
  }
  return {
    plan: {
      operation: 'renew',
      root: ctx.tree.root,
      items,
      restart: restartOrder(components, rke2RestartOrder(params.catalogue.program)),
      warnings: [],
    },
    change: new PreparedChange('renew', writes),
  };
}

/** Commits a renew plan; undefined when nothing was due. */
export const applyRke2Renew: Apply = applyPlanned;

/** A due leaf re-issued on its key (a new key when it has none), and the user kubeconfig it feeds. */
async function renewedFiles(
  ctx: OpsContext,
  params: Rke2RenewParams,
  cas: ReadonlyMap<string, Rke2Authority>,
  leaf: Rke2Leaf,
  state: { key: PrivateKey | undefined },
): Promise<FileWrite[]> {
  const ca = cas.get(leaf.ca);
  if (!ca)
    throw new ValidationError(
      'CA_KEY_MISSING',
      `cannot renew "${leaf.name}": CA "${leaf.ca}" is not available in "${ctx.tree.root}"`,
    );
  const key = state.key ?? (await ctx.keys.generate(leaf.keyAlgorithm));
  const cert = (await issueLeaf(ctx, RKE2_ISSUANCE, leaf, ca, ctx.clock.now(), key)).certificate;
  const files = leafFiles(leaf, cert, key, ca, state.key === undefined);
  const user = params.catalogue.userKubeconfig;
  const serverCa = serverCaOf(params.catalogue, cas);
  if (user && leaf.name === user.leaf && serverCa)
    files.push(userKubeconfigWrite(user, serverCa, { cert: decoder.decode(files[0]?.data), key }));
  return files;
}

function selectedLeaves(params: Rke2RenewParams): Rke2Leaf[] {
  return params.catalogue.leaves.filter((leaf) => params.services.includes(leaf.service));
}

/** The CAs present in the tree (an agent dir has none; its leaves come from the server). */
async function loadAuthorities(
  ctx: OpsContext,
  params: Rke2RenewParams,
): Promise<Map<string, Rke2Authority>> {
  const source = params.caSource ?? {
    read: (path: string) => ctx.tree.read(path),
    where: ctx.tree.root,
  };
  const found = new Map<string, Rke2Authority>();
  for (const entry of params.catalogue.cas) {
    if ((await source.read(entry.certPath)) === undefined) continue;
    found.set(entry.name, await loadRke2Authority(source.read, entry, source.where));
  }
  return found;
}

async function leafState(
  ctx: OpsContext,
  leaf: Rke2Leaf,
): Promise<{ cert: Certificate | undefined; key: PrivateKey | undefined }> {
  const bytes = await ctx.tree.read(leaf.certPath);
  const cert =
    bytes === undefined ? undefined : parseCertificates(decoder.decode(bytes), leaf.certPath)[0];
  const key = (await readKeys(ctx, leaf.keyPath))?.[0];
  if (cert && key && !keyMatchesCertificate(cert, key.keyObject)) {
    throw new ValidationError(
      'KEY_MISMATCH',
      `key "${leaf.keyPath}" does not match certificate "${leaf.certPath}"; renew reuses keys and cannot repair this`,
      {
        hint: `issue a new key and certificate with: kpki rotate --service ${leaf.service}`,
      },
    );
  }
  return { cert, key };
}

/** Why K3s would re-issue this leaf at start, or undefined when it would keep it. */
export function renewReason(
  leaf: Rke2Leaf,
  cert: Certificate | undefined,
  ca: Rke2Authority | undefined,
  now: Date,
  windowMs: number,
): string | undefined {
  if (!cert) return 'certificate missing';
  const left = cert.notAfter.getTime() - now.getTime();
  if (left <= 0) return `expired ${cert.notAfter.toISOString()}`;
  if (left <= windowMs) return `expires ${cert.notAfter.toISOString()}, within the renewal window`;
  if (cert.subject.cn !== leaf.subject.cn)
    return `CN "${cert.subject.cn ?? ''}" should be "${leaf.subject.cn}"`;
  const want = [...(leaf.subject.o ?? [])].sort().join(',');
  if ([...cert.subject.o].sort().join(',') !== want)
    return `organisations [${cert.subject.o.join(',')}] should be [${want}]`;
  const missing = [
    ...leaf.altNames.dns.filter((name) => !cert.dnsNames.includes(name)),
    ...leaf.altNames.ip.filter((ip) => !cert.ipAddresses.includes(ip)),
  ];
  if (missing.length > 0) return `SANs missing: ${missing.join(', ')}`;
  if (ca && cert.authorityKeyId !== ca.certificate.subjectKeyId)
    return `issued by another CA than the current "${leaf.ca}"`;
  return undefined;
}

/** The loaded server CA: it signs the listener certificate and the user kubeconfig trusts it. */
function serverCaOf(
  catalogue: Rke2Catalogue,
  cas: ReadonlyMap<string, Rke2Authority>,
): Rke2Authority | undefined {
  return cas.get(requireCaWithRole(catalogue, 'server').name);
}
