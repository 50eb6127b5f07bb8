/**
 * `init`: create whatever the catalogue names and the tree lacks. What exists is reused only after
 * checking it (a CA is a CA and its key matches; a leaf's key matches and its CA signed it; a
 * kubeconfig trusts the right CA). Nothing is ever overwritten.
 */
import { ConflictError, ValidationError } from '../../errors.js';
import { encodePrivateKey, encodePublicKey } from '../../pki/keys.js';
import type { SigningAuthority } from '../../pki/issue.js';
import {
  issuedEntries,
  type Catalogue,
  type CaEntry,
  type IssuedCertEntry,
  type KeyPairEntry,
} from '../../layouts/catalogue.js';
import { leafFitProblems } from '../../layouts/leaf-fit.js';
import { chainProblems, loadCa, loadIssued, type Loaded } from './load-tree.js';
import { caFiles, catalogueIdentity, issuedFiles } from './issue-entry.js';
import { issueCa, issueLeaf } from '../shared/issue.js';
import { KUBEADM_ISSUANCE } from '../../layouts/kubeadm/issuance-profile.js';
import { withPrefetchedKeys } from '../shared/prefetch-keys.js';
import {
  applyPlanned,
  PreparedChange,
  restartOrder,
  type Apply,
  type Planned,
  type PlanItem,
} from '../shared/plan.js';
import { FileMode, type FileWrite, type OpsContext } from '../shared/ports.js';

/** Inputs of init. */
export interface InitParams {
  readonly catalogue: Catalogue;
  readonly restartOrder: readonly string[];
  readonly warnings: readonly string[];
}

interface InitState {
  readonly cas: Loaded<CaEntry>[];
  readonly issued: Loaded<IssuedCertEntry>[];
  readonly keyPairs: { entry: KeyPairEntry; exists: boolean }[];
}

/**
 * Plans init: `create` for what is missing, `reuse` for what exists and checks out. The missing
 * keys and certificates are generated here, into the plan's change; nothing is written.
 * @throws ValidationError `INVALID_EXISTING` when something exists but is broken (it is never
 *   replaced silently), `EXTERNAL_CA_INCOMPLETE` when a CA has no key and a leaf it must sign is
 *   missing, `CA_KEY_MISSING` when a leaf's CA key is not available.
 */
export async function planInit(ctx: OpsContext, params: InitParams): Promise<Planned> {
  const state = await loadState(ctx, params.catalogue);
  const items: PlanItem[] = [];
  for (const ca of state.cas) items.push(caItem(ca));
  const unfit: Unfit[] = [];
  for (const loaded of state.issued) {
    const item = issuedItem(loaded, state.cas, ctx.clock.now());
    if ('problems' in item) unfit.push(item);
    else items.push(item);
  }
  if (unfit.length > 0) throw refuseUnfit(unfit);
  for (const pair of state.keyPairs) {
    items.push(
      pair.exists
        ? { name: pair.entry.name, action: 'reuse', reason: 'key exists', files: [] }
        : {
            name: pair.entry.name,
            action: 'create',
            reason: 'key missing',
            files: [pair.entry.keyPath, pair.entry.publicPath],
          },
    );
  }
  const creating = new Set(
    items.filter((item) => item.action === 'create').map((item) => item.name),
  );
  const notes: string[] = [];
  const files = creating.size === 0 ? [] : await generate(ctx, params, state, creating, notes);
  return {
    plan: {
      operation: 'init',
      root: ctx.tree.root,
      items,
      restart: restartOrder([], params.restartOrder),
      warnings: [...params.warnings, ...notes.sort()],
    },
    change: new PreparedChange('init', files),
  };
}

/** Commits an init plan; undefined when there was nothing to create. */
export const applyInit: Apply = applyPlanned;

/** The files of every entry in `creating`. */
async function generate(
  outer: OpsContext,
  params: InitParams,
  state: InitState,
  creating: ReadonlySet<string>,
  notes: string[],
): Promise<FileWrite[]> {
  // Same order as the phases below ask for them: CAs, then issued entries, then key pairs.
  const ctx = withPrefetchedKeys(
    outer,
    [...state.cas, ...state.issued, ...state.keyPairs]
      .filter(({ entry }) => creating.has(entry.name))
      .map(({ entry }) => entry.keyAlgorithm),
  );
  const start = ctx.clock.now();
  const writes: FileWrite[] = [];
  const authorities = new Map<string, SigningAuthority>();
  await Promise.all(
    state.cas.map(async (ca) => {
      if (creating.has(ca.entry.name)) {
        const created = await issueCa(ctx, KUBEADM_ISSUANCE, ca.entry, start);
        writes.push(...caFiles(ca.entry, created));
        authorities.set(ca.entry.name, created);
      } else if (ca.cert && ca.key) {
        authorities.set(ca.entry.name, { certificate: ca.cert, key: ca.key });
      }
    }),
  );
  await Promise.all(
    state.issued
      .filter((loaded) => creating.has(loaded.entry.name))
      .map(async (loaded) => {
        const ca = authorities.get(loaded.entry.ca);
        if (!ca)
          throw new ValidationError(
            'CA_KEY_MISSING',
            `cannot create "${loaded.entry.name}": the key of CA "${loaded.entry.ca}" is not available`,
          );
        const issued = await issueLeaf(
          ctx,
          KUBEADM_ISSUANCE,
          { ...loaded.entry, ...catalogueIdentity(loaded.entry) },
          ca,
          start,
        );
        if (issued.clampedToCa)
          notes.push(
            `${loaded.entry.name}: NotAfter cut back to ${issued.clampedToCa.toISOString()}, the NotAfter of CA "${loaded.entry.ca}" (a leaf never outlives its CA)`,
          );
        writes.push(...issuedFiles(loaded.entry, issued, ca.certificate.pem));
      }),
  );
  await Promise.all(
    state.keyPairs
      .filter((pair) => creating.has(pair.entry.name))
      .map(async (pair) => {
        const key = await ctx.keys.generate(pair.entry.keyAlgorithm);
        writes.push({
          path: pair.entry.keyPath,
          data: new TextEncoder().encode(encodePrivateKey(key)),
          mode: FileMode.key,
        });
        writes.push({
          path: pair.entry.publicPath,
          data: new TextEncoder().encode(encodePublicKey(key.keyObject)),
          mode: FileMode.public,
        });
      }),
  );
  return writes;
}

async function loadState(ctx: OpsContext, catalogue: Catalogue): Promise<InitState> {
  const cas = await Promise.all(catalogue.cas.map((entry) => loadCa(ctx.tree, entry)));
  const issued = await Promise.all(
    issuedEntries(catalogue).map((entry) => loadIssued(ctx.tree, entry)),
  );
  const keyPairs = await Promise.all(
    catalogue.keyPairs.map(async (entry) => ({
      entry,
      exists: await ctx.tree.exists(entry.keyPath),
    })),
  );
  return { cas, issued, keyPairs };
}

function caItem(ca: Loaded<CaEntry>): PlanItem {
  const { entry } = ca;
  if (ca.problems.length > 0) throw invalidExisting(entry.name, ca.problems);
  if (!ca.exists && ca.keyExists)
    throw new ConflictError(
      'KEY_WITHOUT_CERT',
      `CA "${entry.name}": "${entry.keyPath}" exists but "${entry.certPath}" does not; refusing to overwrite the key`,
    );
  if (!ca.exists)
    return {
      name: entry.name,
      action: 'create',
      reason: 'certificate authority missing',
      files: [entry.keyPath, entry.certPath],
    };
  return {
    name: entry.name,
    action: 'reuse',
    reason: ca.keyExists ? 'existing CA checked' : 'existing keyless CA (external CA mode)',
    files: [],
  };
}

/** An existing entry that cannot be reused, with every reason and the command that fixes it. */
interface Unfit {
  readonly name: string;
  readonly problems: readonly string[];
  readonly fix: string;
}

function issuedItem(
  loaded: Loaded<IssuedCertEntry>,
  cas: Loaded<CaEntry>[],
  at: Date,
): PlanItem | Unfit {
  const { entry } = loaded;
  const ca = cas.find((candidate) => candidate.entry.name === entry.ca);
  const files = entry.kind === 'leaf' ? [entry.keyPath, entry.certPath] : [entry.path];
  if (!loaded.exists) {
    if (ca?.exists && !ca.keyExists) {
      throw new ValidationError(
        'EXTERNAL_CA_INCOMPLETE',
        `invalid or incomplete external CA: "${entry.name}" is missing and CA "${entry.ca}" has no key to sign it`,
        {
          hint: `provide ${files.join(' and ')} signed by your CA, or generate CSRs with: kpki csr generate`,
        },
      );
    }
    return { name: entry.name, action: 'create', reason: 'missing', files };
  }
  const broken = [...loaded.problems, ...chainProblems(loaded, ca, at)];
  const fit = loaded.cert
    ? leafFitProblems(
        entry,
        { cert: loaded.cert, server: loaded.kubeconfig?.credentials.server },
        at,
        { spec: true, validity: true },
      )
    : [];
  if (broken.length + fit.length === 0)
    return { name: entry.name, action: 'reuse', reason: 'existing certificate checked', files: [] };
  const onlyPeriod =
    broken.length === 0 && fit.every((p) => p.startsWith('expired') || p.startsWith('not valid'));
  const fix = onlyPeriod
    ? `kpki renew ${entry.name}`
    : `move ${files.join(' and ')} out of the tree, then run init again to create ${files.length > 1 ? 'them' : 'it'} from the spec`;
  return { name: entry.name, problems: [...broken, ...fit], fix };
}

/** One refusal naming every unfit entry, what differs and how to fix it; nothing is written. */
function refuseUnfit(unfit: readonly Unfit[]): ValidationError {
  const lines = unfit.map((u) => `"${u.name}" exists but is not usable: ${u.problems.join('; ')}`);
  return new ValidationError('INVALID_EXISTING', lines.join('\n'), {
    hint: [
      'kpki never overwrites existing files silently; nothing was written. To fix:',
      ...unfit.map((u) => `  ${u.name}: ${u.fix}`),
    ].join('\n'),
  });
}

function invalidExisting(name: string, problems: readonly string[]): ValidationError {
  return new ValidationError(
    'INVALID_EXISTING',
    `"${name}" exists but is not usable: ${problems.join('; ')}`,
    {
      hint: 'kpki never overwrites existing files silently; fix or move the file, then run init again',
    },
  );
}
