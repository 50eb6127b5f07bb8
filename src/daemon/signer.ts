/**
 * `kpki signer`: answers approved CertificateSigningRequests whose signer is one of kpki's
 * (`kpki.io/<CA name>`) with a certificate from the tree's CA, or with a `Failed` condition that
 * says which rule the request broke. Pending, denied, failed and issued CSRs, and CSRs for other
 * signers, are left alone. Several signers may run: each status write carries the resourceVersion
 * the CSR was read at, so exactly one answer per CSR is accepted; the others count as lost.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeApi } from '../kube/api-client.js';
import { csrState, listCsrs, requestPemOf, writeCsrStatus, type CsrObject } from '../kube/csr.js';
import type { Catalogue } from '../layouts/catalogue.js';
import { caOfSigner } from '../layouts/request-policy.js';
import { signRequest } from '../ops/kubeadm/api-signer.js';
import type { OpsContext } from '../ops/shared/ports.js';
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
  for (const csr of ours(setup, await listCsrs(setup.api))) {
    const name = csr.metadata.name;
    const outcome = await signRequest(setup.ctx, setup.catalogue, {
      name,
      signerName: csr.spec.signerName,
      requestPem: requestPemOf(csr),
      usages: csr.spec.usages ?? [],
      expirationSeconds: csr.spec.expirationSeconds,
    });
    const now = setup.ctx.clock
      .now()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
    const status =
      outcome.kind === 'signed'
        ? { ...csr.status, certificate: Buffer.from(outcome.certificatePem).toString('base64') }
        : {
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
    const written = await writeCsrStatus(setup.api, csr, status);
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
  }
  return { signed, refused, lost };
}

/**
 * Runs passes every `intervalMs` until `signal` aborts; a failed pass is logged and retried at
 * the next interval (the API server may be restarting).
 */
export async function runSigner(
  setup: SignerSetup,
  intervalMs: number,
  signal: AbortSignal,
): Promise<void> {
  setup.log({ event: 'started', server: setup.api.server, intervalMs });
  while (!signal.aborted) {
    try {
      await signerPass(setup);
    } catch (error) {
      setup.log({ event: 'error', message: describeError(error) });
    }
    await sleep(intervalMs, undefined, { signal }).catch(() => undefined);
  }
  setup.log({ event: 'stopped' });
}
