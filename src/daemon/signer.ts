/**
 * `kpki signer`: answers approved CertificateSigningRequests whose signer is one of kpki's
 * (`kpki.io/<CA name>`) with a certificate from the tree's CA, or with a `Failed` condition that
 * says which rule the request broke. Pending, denied, failed and issued CSRs, and CSRs for other
 * signers, are left alone. Several signers may run: each status write carries the resourceVersion
 * the CSR was read at, so exactly one answer per CSR is accepted; the others count as lost.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeApi } from '../kube/api-client.js';
import { holdLease, type LeaseSettings } from '../kube/lease.js';
import { csrState, listCsrs, requestPemOf, writeCsrStatus, type CsrObject } from '../kube/csr.js';
import type { Catalogue } from '../layouts/catalogue.js';
import { caOfSigner } from '../layouts/request-policy.js';
import { signRequest, type SignOutcome } from '../ops/kubeadm/api-signer.js';
import type { OpsContext } from '../ops/shared/ports.js';
import type { SigningAuthority } from '../pki/issue.js';
import { describeError } from '../errors.js';

/** What one signer works with. */
export interface SignerSetup {
  readonly api: KubeApi;
  readonly ctx: Pick<OpsContext, 'tree' | 'clock' | 'keys' | 'random'>;
  readonly catalogue: Catalogue;
  /** One structured event per decision (no key material, no request bytes). */
  readonly log: (event: Readonly<Record<string, unknown>>) => void;
}

/** The result of one pass over the cluster's CSRs. */
export interface SignerPass {
  readonly signed: readonly { readonly csr: string; readonly entry: string }[];
  readonly refused: readonly {
    readonly csr: string;
    readonly reason: string;
    readonly message: string;
  }[];
  /** CSRs another writer answered first (409), or that were deleted meanwhile. */
  readonly lost: readonly string[];
}

const PARALLEL = 8;

/** The approved CSRs of kpki's signers for this catalogue. */
function ours(setup: SignerSetup, csrs: readonly CsrObject[]): CsrObject[] {
  return csrs.filter(
    (csr) =>
      caOfSigner(setup.catalogue, csr.spec.signerName) !== undefined &&
      csrState(csr) === 'approved',
  );
}

/**
 * Lists the CSRs once and answers each approved one of kpki's signers.
 * @throws OperationError when the API server cannot be reached or refuses the list.
 */
export async function signerPass(setup: SignerSetup): Promise<SignerPass> {
  const signed: { csr: string; entry: string }[] = [];
  const refused: { csr: string; reason: string; message: string }[] = [];
  const lost: string[] = [];
  const authorities = new Map<string, Promise<SigningAuthority>>();
  const answer = async (csr: CsrObject): Promise<void> => {
    const name = csr.metadata.name;
    const request = {
      name,
      signerName: csr.spec.signerName,
      requestPem: requestPemOf(csr),
      usages: csr.spec.usages ?? [],
      expirationSeconds: csr.spec.expirationSeconds,
    };
    const outcome = await signRequest(setup.ctx, setup.catalogue, request, authorities);
    const written = await writeCsrStatus(
      setup.api,
      csr,
      statusFor(csr, outcome, setup.ctx.clock.now()),
    );
    if (written !== 'written') {
      lost.push(name);
      setup.log({ event: 'lost', csr: name, why: written });
    } else if (outcome.kind === 'signed') {
      signed.push({ csr: name, entry: outcome.entry });
      setup.log({ event: 'signed', csr: name, entry: outcome.entry });
    } else {
      refused.push({ csr: name, reason: outcome.reason, message: outcome.message });
      setup.log({ event: 'refused', csr: name, reason: outcome.reason, message: outcome.message });
    }
  };
  const pending = ours(setup, await listCsrs(setup.api));
  // A few at a time: signing is CPU work here, each status write a round trip to the server.
  for (let i = 0; i < pending.length; i += PARALLEL)
    await Promise.all(pending.slice(i, i + PARALLEL).map(answer));
  return { signed, refused, lost };
}

/** The CSR's new status: the certificate, or a `Failed` condition with the refusal. */
function statusFor(
  csr: CsrObject,
  outcome: SignOutcome,
  at: Date,
): NonNullable<CsrObject['status']> {
  if (outcome.kind === 'signed')
    return { ...csr.status, certificate: Buffer.from(outcome.certificatePem).toString('base64') };
  const now = at.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    ...csr.status,
    conditions: [
      ...(csr.status?.conditions ?? []),
      {
        type: 'Failed',
        status: 'True',
        reason: outcome.reason,
        message: outcome.message,
        lastUpdateTime: now,
        lastTransitionTime: now,
      },
    ],
  };
}

/**
 * Runs passes every `intervalMs` until `signal` aborts; a failed pass is logged and retried at
 * the next interval (the API server may be restarting). With `lease`, only the replica holding
 * the Lease signs; the others wait their turn (leadership changes are logged).
 */
export async function runSigner(
  setup: SignerSetup,
  intervalMs: number,
  signal: AbortSignal,
  lease?: LeaseSettings,
): Promise<void> {
  setup.log({ event: 'started', server: setup.api.server, intervalMs });
  let leading = lease === undefined;
  while (!signal.aborted) {
    try {
      if (lease !== undefined) {
        const now = await holdLease(setup.api, lease, setup.ctx.clock.now());
        if (now !== leading) setup.log({ event: now ? 'leading' : 'following', lease: lease.name });
        leading = now;
      }
      if (leading) await signerPass(setup);
    } catch (error) {
      setup.log({ event: 'error', message: describeError(error) });
    }
    await sleep(intervalMs, undefined, { signal }).catch(() => undefined);
  }
  setup.log({ event: 'stopped' });
}
