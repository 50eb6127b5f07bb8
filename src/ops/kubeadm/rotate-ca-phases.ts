/**
 * Phased CA rotation for trees whose distribution has none (kubeadm): the Kubernetes manual CA
 * rotation procedure as three explicit, ordered phases, each one all-or-nothing.
 *  - trust:  a new CA is made and staged; every trust bundle (the CA file, kubeconfig CA data)
 *            becomes old + new, so components start trusting certificates from both.
 *  - issue:  the new CA becomes the signing CA (its key in the CA key file, bundles new + old) and
 *            every leaf and kubeconfig client certificate it covers is re-issued from it.
 *  - finish: bundles hold the new CA only; the staged material is removed.
 * Between phases, certificates from the old and the new CA both verify against every bundle.
 */
import { ConflictError, UsageError, ValidationError } from '../../errors.js';
import { encodePrivateKey, parsePrivateKey } from '../../pki/keys.js';
import { parseCertificates, type Certificate } from '../../pki/certificate.js';
import type { SigningAuthority } from '../../pki/issue.js';
import {
  issuedEntries,
  type CaEntry,
  type Catalogue,
  type IssuedCertEntry,
} from '../../layouts/catalogue.js';
import { replaceKubeconfigCaData } from '../../layouts/kubeconfig.js';
import { loadCa, loadIssued, requireLoaded } from './load-tree.js';
import { copiedIdentity, issuedFiles } from './issue-entry.js';
import { issueCa, issueLeaf } from '../shared/issue.js';
import { KUBEADM_ISSUANCE } from '../../layouts/kubeadm/issuance-profile.js';
import {
  applyPlanned,
  PreparedChange,
  restartOrder,
  type Apply,
  type Planned,
  type PlanItem,
} from '../shared/plan.js';
import { FileMode, type FileWrite, type OpsContext } from '../shared/ports.js';

/** The three phases, in order. */
export const ROTATION_PHASES = ['trust', 'issue', 'finish'] as const;
export type RotationPhase = (typeof ROTATION_PHASES)[number];

/** Where the rotation keeps its state and the staged CA between phases (inside the tree). */
export const ROTATION_DIR = '.kpki-rotate-ca';
const STATE = `${ROTATION_DIR}/state.json`;

interface RotationState {
  readonly phase: RotationPhase;
  readonly cas: readonly string[];
  readonly startedAt: string;
}

/** Inputs of a phase. */
export interface RotateCaParams {
  readonly catalogue: Catalogue;
  readonly phase: RotationPhase;
  /** CAs to rotate (trust phase); later phases take them from the saved state. */
  readonly cas: readonly string[];
  readonly restartOrder: readonly string[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Plans a phase and prepares its files (the trust phase generates the new CA). Nothing is written.
 * @throws ConflictError `ROTATION_ORDER` when the phase is out of order; UsageError for unknown CAs;
 *   ValidationError when a CA has no key (an external CA cannot be rotated by kpki).
 */
export async function planRotateCa(ctx: OpsContext, params: RotateCaParams): Promise<Planned> {
  const state = await readState(ctx);
  const expected: RotationPhase =
    state === undefined ? 'trust' : state.phase === 'trust' ? 'issue' : 'finish';
  if (params.phase !== expected) {
    throw new ConflictError(
      'ROTATION_ORDER',
      `cannot run phase "${params.phase}" now: ${state === undefined ? 'no rotation is in progress' : `phase "${state.phase}" is done`}; the next phase is "${expected}"`,
      {
        hint: `kpki rotate-ca --phase ${expected} --dir ${ctx.tree.root}`,
      },
    );
  }
  const names =
    state?.cas ?? (params.cas.length > 0 ? params.cas : params.catalogue.cas.map((ca) => ca.name));
  const cas = names.map(
    (name) =>
      params.catalogue.cas.find((ca) => ca.name === name) ?? unknownCa(name, params.catalogue),
  );
  const writes: FileWrite[] = [];
  const deletes: string[] = [];
  const items: PlanItem[] = [];
  const restart: string[] = [];
  for (const ca of cas) {
    const step = await phaseFor(ctx, params, ca);
    writes.push(...step.writes);
    deletes.push(...step.deletes);
    items.push(...step.items);
    restart.push(
      ...dependents(params.catalogue, ca.name).flatMap((entry) => entry.restart),
      ...(ca.role === 'cluster' ? ['kubelet'] : []),
    );
  }
  items.push({
    name: STATE,
    action: params.phase === 'finish' ? 'remove' : state === undefined ? 'create' : 'renew',
    reason:
      params.phase === 'finish'
        ? 'the rotation is over'
        : `phase "${params.phase}" done; the next phase is "${params.phase === 'trust' ? 'issue' : 'finish'}"`,
    files: [STATE],
  });
  if (params.phase === 'finish') deletes.push(STATE);
  else
    writes.push({
      path: STATE,
      data: encoder.encode(
        JSON.stringify(
          {
            phase: params.phase,
            cas: names,
            startedAt: state?.startedAt ?? ctx.clock.now().toISOString(),
          },
          null,
          2,
        ),
      ),
      mode: FileMode.key,
    });
  return {
    plan: {
      operation: `rotate-ca ${params.phase}`,
      root: ctx.tree.root,
      items,
      restart: restartOrder(restart, params.restartOrder),
      warnings: [],
    },
    change: new PreparedChange(`rotate-ca-${params.phase}`, writes, deletes),
  };
}

/** Commits a planned phase (a phase always changes its state file, so never undefined). */
export const applyRotateCa: Apply = applyPlanned;

async function phaseFor(
  ctx: OpsContext,
  params: RotateCaParams,
  ca: CaEntry,
): Promise<{ writes: FileWrite[]; deletes: string[]; items: PlanItem[] }> {
  const loaded = await loadCa(ctx.tree, ca);
  requireLoaded(loaded);
  if (!loaded.cert || !loaded.key)
    throw new ValidationError(
      'CA_KEY_MISSING',
      `cannot rotate CA "${ca.name}": "${loaded.cert ? ca.keyPath : ca.certPath}" is missing`,
    );
  const current: SigningAuthority = { certificate: loaded.cert, key: loaded.key };
  const staged = { cert: `${ROTATION_DIR}/${ca.name}.crt`, key: `${ROTATION_DIR}/${ca.name}.key` };
  switch (params.phase) {
    case 'trust': {
      const start = ctx.clock.now();
      const next = await issueCa(ctx, KUBEADM_ISSUANCE, ca, start);
      const bundle = [current.certificate, next.certificate];
      const kubeconfigs = await kubeconfigBundles(ctx, params.catalogue, ca.name, bundle);
      return {
        writes: [
          {
            path: staged.key,
            data: encoder.encode(encodePrivateKey(next.key)),
            mode: FileMode.key,
          },
          { path: staged.cert, data: encoder.encode(next.certificate.pem), mode: FileMode.cert },
          { path: ca.certPath, data: encoder.encode(pemOf(bundle)), mode: FileMode.cert },
          ...kubeconfigs,
        ],
        deletes: [],
        items: [
          {
            name: ca.name,
            action: 'create',
            reason: 'new CA staged; trust bundles hold old + new',
            files: [staged.key, staged.cert, ca.certPath, ...kubeconfigs.map((w) => w.path)],
          },
        ],
      };
    }
    case 'issue': {
      const next = await readStaged(ctx, staged, ca.name);
      const old = [loaded.cert, ...loaded.chain].find(
        (cert) => !Buffer.from(cert.der).equals(Buffer.from(next.certificate.der)),
      );
      const bundle = old ? [next.certificate, old] : [next.certificate];
      const reissued = await reissueAll(ctx, params, ca.name, next, bundle);
      return {
        writes: [
          {
            path: ca.keyPath,
            data: encoder.encode(encodePrivateKey(next.key)),
            mode: FileMode.key,
          },
          { path: ca.certPath, data: encoder.encode(pemOf(bundle)), mode: FileMode.cert },
          ...reissued.writes,
        ],
        deletes: [],
        items: [
          {
            name: ca.name,
            action: 'renew',
            reason: 'new CA signs; bundles hold new + old',
            files: [ca.keyPath, ca.certPath],
          },
          ...reissued.items,
        ],
      };
    }
    case 'finish': {
      const kubeconfigs = await kubeconfigBundles(ctx, params.catalogue, ca.name, [
        current.certificate,
      ]);
      return {
        writes: [
          { path: ca.certPath, data: encoder.encode(current.certificate.pem), mode: FileMode.cert },
          ...kubeconfigs,
        ],
        deletes: [staged.cert, staged.key],
        items: [
          {
            name: ca.name,
            action: 'renew',
            reason: 'bundles hold the new CA only',
            files: [ca.certPath, ...kubeconfigs.map((w) => w.path), staged.cert, staged.key],
          },
        ],
      };
    }
  }
}

async function reissueAll(
  ctx: OpsContext,
  params: RotateCaParams,
  caName: string,
  next: SigningAuthority,
  bundle: Certificate[],
): Promise<{ writes: FileWrite[]; items: PlanItem[] }> {
  const start = ctx.clock.now();
  const writes: FileWrite[] = [];
  const items: PlanItem[] = [];
  for (const entry of dependents(params.catalogue, caName)) {
    const loaded = await loadIssued(ctx.tree, entry);
    if (!loaded.cert) {
      items.push({
        name: entry.name,
        action: 'skip',
        reason: loaded.exists
          ? 'client certificate is a file reference (the kubelet renews it)'
          : 'missing',
        files: [],
      });
      continue;
    }
    const issued = await issueLeaf(
      ctx,
      KUBEADM_ISSUANCE,
      { ...entry, ...copiedIdentity(loaded.cert, entry) },
      next,
      start,
    );
    writes.push(...issuedFiles(entry, issued, pemOf(bundle), loaded.kubeconfig?.text));
    items.push({
      name: entry.name,
      action: 'renew',
      reason: `re-issued by the new ${caName}`,
      files: entry.kind === 'leaf' ? [entry.keyPath, entry.certPath] : [entry.path],
    });
  }
  return { writes, items };
}

async function kubeconfigBundles(
  ctx: OpsContext,
  catalogue: Catalogue,
  caName: string,
  bundle: Certificate[],
): Promise<FileWrite[]> {
  const writes: FileWrite[] = [];
  for (const entry of dependents(catalogue, caName)) {
    if (entry.kind !== 'kubeconfig') continue;
    const text = await ctx.tree.read(entry.path);
    if (text === undefined) continue;
    writes.push({
      path: entry.path,
      data: encoder.encode(
        replaceKubeconfigCaData(decoder.decode(text), entry.path, pemOf(bundle)),
      ),
      mode: FileMode.kubeconfig,
    });
  }
  return writes;
}

function dependents(catalogue: Catalogue, caName: string): IssuedCertEntry[] {
  return issuedEntries(catalogue).filter((entry) => entry.ca === caName);
}

async function readStaged(
  ctx: OpsContext,
  staged: { cert: string; key: string },
  name: string,
): Promise<SigningAuthority> {
  const [cert, key] = await Promise.all([ctx.tree.read(staged.cert), ctx.tree.read(staged.key)]);
  if (cert === undefined || key === undefined)
    throw new ValidationError(
      'ROTATION_STATE',
      `the staged new CA for "${name}" is missing from ${ROTATION_DIR}/`,
    );
  const certificate = parseCertificates(decoder.decode(cert), staged.cert)[0] as Certificate;
  return { certificate, key: parsePrivateKey(decoder.decode(key), staged.key) };
}

async function readState(ctx: OpsContext): Promise<RotationState | undefined> {
  const bytes = await ctx.tree.read(STATE);
  return bytes === undefined ? undefined : (JSON.parse(decoder.decode(bytes)) as RotationState);
}

function pemOf(certs: readonly Certificate[]): string {
  return certs.map((cert) => cert.pem).join('');
}

function unknownCa(name: string, catalogue: Catalogue): never {
  throw new UsageError(
    `unknown CA "${name}"; this tree has: ${catalogue.cas.map((ca) => ca.name).join(', ')}`,
  );
}
