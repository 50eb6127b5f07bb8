/**
 * `renew NAME...|all`: kubeadm's renewal semantics — a new key, the identity (CN, O, DNS and IP
 * SANs, EKU) copied from the existing certificate, signed by the local CA — with every renewed
 * file switched in together, after a backup.
 */
import { UnknownNameError, ValidationError } from '../../errors.js';
import type { SigningAuthority } from '../../pki/issue.js';
import { isKeyAlgorithm } from '../../pki/keys.js';
import {
  issuedEntries,
  type Catalogue,
  type CaEntry,
  type IssuedCertEntry,
} from '../../layouts/catalogue.js';
import { altNameChange } from '../../layouts/leaf-fit.js';
import { loadCa, loadIssued, requireLoaded, type Loaded } from './load-tree.js';
import { copiedIdentity, issuedFiles } from './issue-entry.js';
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
import type { FileWrite, OpsContext } from '../shared/ports.js';

/** Inputs of renew. */
export interface RenewParams {
  readonly catalogue: Catalogue;
  /** Entry names, or `['all']`. */
  readonly names: readonly string[];
  /** Only renew certificates expiring within this many milliseconds (expired ones included). */
  readonly expiringWithinMs?: number;
  readonly restartOrder: readonly string[];
  /**
   * Keep each certificate's current key algorithm instead of the catalogue's. Used when no cluster
   * config was given: kubeadm then falls back to RSA-2048 and would silently turn an ECDSA tree
   * into RSA.
   */
  readonly keepKeyAlgorithm?: boolean;
  /**
   * Renew under a CA that has expired or expires within {@link CA_EXPIRING_MS} (a warning each, and
   * leaves under an expired CA are not clamped). Default false: refused, naming rotate-ca.
   */
  readonly allowExpiredCa?: boolean;
  /**
   * Give the renewed certificates the SANs the current spec (config, flags) gives instead of
   * copying them, and kubeconfigs the spec's server URL: the way to add SANs or move the
   * control-plane endpoint (kubernetes/kubeadm#1447). The plan shows each change. Default false
   * (kubeadm's renew: everything copied).
   */
  readonly updateSans?: boolean;
}

/** A CA this close to its NotAfter is too near its end to renew under (leaves would be cut short). */
export const CA_EXPIRING_MS = 30 * 86_400_000;

/**
 * Plans a renewal. `all` covers every leaf and kubeconfig except self-rotated ones (kubelet.conf),
 * which are renewed only when named. The renewed keys and certificates are made here, into the
 * plan's change; nothing is written.
 * @throws UnknownNameError listing the valid names when a name is not in the catalogue;
 *   ValidationError `BROKEN_ENTRY`, `CA_KEY_MISSING` when an entry to renew cannot be.
 */
export async function planRenew(ctx: OpsContext, params: RenewParams): Promise<Planned> {
  const entries = selectEntries(params.catalogue, params.names);
  const cas = await Promise.all(params.catalogue.cas.map((entry) => loadCa(ctx.tree, entry)));
  const now = ctx.clock.now();
  const items: PlanItem[] = [];
  const components: string[] = [];
  for (const entry of entries) {
    const loaded = await loadIssued(ctx.tree, entry);
    const item = renewItem(
      loaded,
      cas.find((ca) => ca.entry.name === entry.ca),
      now,
      params.expiringWithinMs,
      params.updateSans === true,
    );
    items.push(item);
    if (item.action === 'renew') components.push(...entry.restart);
  }
  const renewing = items.filter((item) => item.action === 'renew').map((item) => item.name);
  const warnings = signingCaWarnings(params, cas, renewing, now);
  const notes: string[] = [];
  const files = renewing.length === 0 ? [] : await renewedFiles(ctx, params, renewing, notes);
  warnings.push(...notes.sort());
  return {
    plan: {
      operation: 'renew',
      root: ctx.tree.root,
      items,
      restart: restartOrder(components, params.restartOrder),
      warnings,
    },
    change: new PreparedChange('renew', files),
  };
}

/**
 * Refuses renewing under a CA that has expired or expires within {@link CA_EXPIRING_MS}: the
 * leaves would fail verification (or soon), and only a CA rotation helps. With `allowExpiredCa`
 * each such CA is a warning instead.
 * @throws ValidationError `CA_EXPIRED` / `CA_EXPIRING` naming the CA and `kpki rotate-ca`.
 */
function signingCaWarnings(
  params: RenewParams,
  cas: readonly Loaded<CaEntry>[],
  renewing: readonly string[],
  now: Date,
): string[] {
  const used = new Set(selectEntries(params.catalogue, renewing).map((entry) => entry.ca));
  const warnings: string[] = [];
  for (const ca of cas) {
    if (!used.has(ca.entry.name) || !ca.cert) continue;
    const left = ca.cert.notAfter.getTime() - now.getTime();
    if (left > CA_EXPIRING_MS) continue;
    const code = left <= 0 ? 'CA_EXPIRED' : 'CA_EXPIRING';
    const what = `CA "${ca.entry.name}" (${ca.entry.certPath}) ${left <= 0 ? 'expired' : 'expires'} on ${ca.cert.notAfter.toISOString()}`;
    if (params.allowExpiredCa !== true)
      throw new ValidationError(
        code,
        `refusing to renew under ${what}: the new certificates would ${left <= 0 ? 'fail verification at once' : 'expire with it'}`,
        {
          hint: `${KUBEADM_ISSUANCE.leafWithinCa.expiredHint}; or renew anyway with --allow-expired-ca`,
        },
      );
    warnings.push(
      `${what}; renewing anyway (--allow-expired-ca); rotate it with: kpki rotate-ca --phase trust`,
    );
  }
  return warnings;
}

/** Commits a renew plan; undefined when nothing needed renewing. */
export const applyRenew: Apply = applyPlanned;

async function renewedFiles(
  ctx: OpsContext,
  params: RenewParams,
  renewing: readonly string[],
  notes: string[],
): Promise<FileWrite[]> {
  const start = ctx.clock.now();
  const authorities = new Map<string, SigningAuthority>();
  const writes: FileWrite[] = [];
  await Promise.all(
    selectEntries(params.catalogue, renewing).map(async (entry) => {
      const loaded = await loadIssued(ctx.tree, entry);
      if (!loaded.cert)
        throw new ValidationError(
          'BROKEN_ENTRY',
          `cannot renew "${entry.name}": ${loaded.problems.join('; ') || 'no certificate'}`,
        );
      const ca =
        authorities.get(entry.ca) ?? (await loadAuthority(ctx, params.catalogue, entry.ca));
      authorities.set(entry.ca, ca);
      const current = loaded.key?.algorithm;
      const keyEntry =
        params.keepKeyAlgorithm === true && current !== undefined && isKeyAlgorithm(current)
          ? { ...entry, keyAlgorithm: current }
          : entry;
      const copied = copiedIdentity(loaded.cert, entry);
      const update = params.updateSans === true;
      const identity = update && hasSans(entry) ? { ...copied, altNames: entry.altNames } : copied;
      const issued = await issueLeaf(
        ctx,
        KUBEADM_ISSUANCE,
        { ...keyEntry, ...identity },
        ca,
        start,
        undefined,
        { allowExpiredCa: params.allowExpiredCa === true },
      );
      if (issued.clampedToCa)
        notes.push(
          `${entry.name}: NotAfter cut back to ${issued.clampedToCa.toISOString()}, the NotAfter of CA "${entry.ca}" (a leaf never outlives its CA)`,
        );
      const server = update && entry.kind === 'kubeconfig' ? entry.server : undefined;
      writes.push(
        ...issuedFiles(entry, issued, ca.certificate.pem, loaded.kubeconfig?.text, server),
      );
    }),
  );
  return writes;
}

/** The entries `names` select (`all`: every one but self-rotated kubeconfigs). @throws UnknownNameError. */
export function selectEntries(catalogue: Catalogue, names: readonly string[]): IssuedCertEntry[] {
  const all = issuedEntries(catalogue);
  if (names.length === 1 && names[0] === 'all')
    return all.filter((entry) => !(entry.kind === 'kubeconfig' && entry.selfRotated === true));
  const unknown = names.filter((name) => !all.some((entry) => entry.name === name));
  if (unknown.length > 0) {
    throw new UnknownNameError(
      `unknown certificate name${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')}`,
      {
        hint: `valid names: all, ${all
          .map((entry) => entry.name)
          .sort()
          .join(', ')}`,
      },
    );
  }
  return all.filter((entry) => names.includes(entry.name));
}

function renewItem(
  loaded: Loaded<IssuedCertEntry>,
  ca: Loaded<CaEntry> | undefined,
  now: Date,
  windowMs: number | undefined,
  updateSans: boolean,
): PlanItem {
  const { entry } = loaded;
  const files = entry.kind === 'leaf' ? [entry.keyPath, entry.certPath] : [entry.path];
  if (!loaded.exists)
    return { name: entry.name, action: 'skip', reason: `MISSING! ${entry.longName}`, files: [] };
  if (ca?.exists && !ca.keyExists) {
    return {
      name: entry.name,
      action: 'skip',
      reason: `Detected external ${ca.entry.certPath.replace(/^.*?pki\//, '').replace(/\.crt$/, '')}, ${entry.longName} can't be renewed`,
      files: [],
    };
  }
  if (!loaded.cert) {
    if (loaded.kubeconfig?.credentials.certFile !== undefined) {
      return {
        name: entry.name,
        action: 'skip',
        reason: `client certificate is the file "${loaded.kubeconfig.credentials.certFile}", rotated by the kubelet`,
        files: [],
      };
    }
    throw new ValidationError(
      'BROKEN_ENTRY',
      `cannot renew "${entry.name}": ${loaded.problems.join('; ')}`,
    );
  }
  if (windowMs !== undefined && loaded.cert.notAfter.getTime() - now.getTime() > windowMs) {
    return {
      name: entry.name,
      action: 'skip',
      reason: `not expiring within the window (expires ${loaded.cert.notAfter.toISOString()})`,
      files: [],
    };
  }
  const change = updateSans ? specChange(entry, loaded) : '';
  return { name: entry.name, action: 'renew', reason: `${entry.longName}${change}`, files };
}

/** With --update-sans: what the spec changes (`; SANs +DNS:x -IP:y`, `; server a → b`). */
function specChange(entry: IssuedCertEntry, loaded: Loaded<IssuedCertEntry>): string {
  const parts: string[] = [];
  if (loaded.cert && hasSans(entry)) {
    const current = { dns: loaded.cert.dnsNames, ip: loaded.cert.ipAddresses };
    const sans = altNameChange(current, entry.altNames);
    parts.push(sans.length === 0 ? 'SANs unchanged' : `SANs ${sans.join(' ')}`);
  }
  const server = loaded.kubeconfig?.credentials.server;
  if (entry.kind === 'kubeconfig' && server !== entry.server)
    parts.push(`server ${server ?? '(none)'} → ${entry.server}`);
  return parts.length === 0 ? '' : `; ${parts.join('; ')}`;
}

/** Serving certificates: the catalogue gives them SANs (client certificates have none). */
function hasSans(entry: IssuedCertEntry): boolean {
  return entry.altNames.dns.length + entry.altNames.ip.length > 0;
}

/**
 * The CA `name` of the catalogue with its key, ready to sign.
 * @throws ValidationError `CA_MISSING`, `CA_KEY_MISSING`; what loading a broken CA throws.
 */
export async function loadAuthority(
  ctx: OpsContext,
  catalogue: Catalogue,
  name: string,
): Promise<SigningAuthority> {
  const entry = catalogue.cas.find((ca) => ca.name === name);
  if (!entry) throw new ValidationError('CA_MISSING', `the catalogue has no CA "${name}"`);
  const loaded = await loadCa(ctx.tree, entry);
  requireLoaded(loaded);
  if (!loaded.cert || !loaded.key) {
    throw new ValidationError(
      'CA_KEY_MISSING',
      `cannot load CA "${name}" from "${entry.certPath}": ${loaded.cert ? 'key missing' : 'certificate missing'}`,
    );
  }
  return { certificate: loaded.cert, key: loaded.key };
}
