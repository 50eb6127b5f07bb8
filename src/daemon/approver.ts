/**
 * `kpki approver`: approves or denies pending CSRs by policy (layouts/approver-policy.ts), and
 * leaves alone every CSR the policy does not cover. Approval writes carry the resourceVersion the
 * CSR was read at, so several approvers never both decide one CSR.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describeError, KpkiError } from '../errors.js';
import type { KubeApi } from '../kube/api-client.js';
import {
  csrState,
  listCsrs,
  nodeAddresses,
  requestPemOf,
  writeCsrApproval,
  type CsrObject,
} from '../kube/csr.js';
import {
  judgeCsr,
  nodeOfCsr,
  type ApproverCsr,
  type ApproverPolicy,
  type Judgement,
} from '../layouts/approver-policy.js';
import { parseCsr } from '../pki/csr.js';

/** What one approver works with. */
export interface ApproverSetup {
  readonly api: KubeApi;
  readonly policy: ApproverPolicy;
  readonly now: () => Date;
  readonly log: (event: Readonly<Record<string, unknown>>) => void;
}

/** The result of one pass. */
export interface ApproverPass {
  readonly approved: readonly string[];
  readonly denied: readonly { readonly csr: string; readonly message: string }[];
  readonly lost: readonly string[];
}

async function facts(csr: CsrObject): Promise<ApproverCsr | string> {
  try {
    const request = await parseCsr(requestPemOf(csr), `CSR "${csr.metadata.name}"`);
    return {
      name: csr.metadata.name,
      signerName: csr.spec.signerName,
      username: csr.spec.username,
      groups: csr.spec.groups ?? [],
      usages: csr.spec.usages ?? [],
      subject: request.subject,
      dns: request.altNames.dns,
      ip: request.altNames.ip,
      otherSans: request.otherSans,
    };
  } catch (error) {
    return error instanceof KpkiError ? error.message : 'unreadable request';
  }
}

async function judge(setup: ApproverSetup, csr: CsrObject): Promise<Judgement> {
  const read = await facts(csr);
  if (typeof read === 'string') {
    // Only a CSR the policy would judge is denied for being unreadable.
    const inScope = judgeCsr(
      setup.policy,
      {
        name: csr.metadata.name,
        signerName: csr.spec.signerName,
        username: csr.spec.username,
        groups: csr.spec.groups ?? [],
        usages: [],
        subject: { cn: undefined, o: [] },
        dns: [],
        ip: [],
        otherSans: [],
      },
      undefined,
    );
    return inScope.kind === 'ignore' ? inScope : { kind: 'deny', message: read };
  }
  const node = nodeOfCsr(read);
  const addresses = node === undefined ? undefined : await nodeAddresses(setup.api, node);
  return judgeCsr(setup.policy, read, addresses);
}

/**
 * Judges every pending CSR once.
 * @throws OperationError when the API server cannot be reached or refuses the list.
 */
export async function approverPass(setup: ApproverSetup): Promise<ApproverPass> {
  const approved: string[] = [];
  const denied: { csr: string; message: string }[] = [];
  const lost: string[] = [];
  for (const csr of (await listCsrs(setup.api)).filter((c) => csrState(c) === 'pending')) {
    const verdict = await judge(setup, csr);
    if (verdict.kind === 'ignore') continue;
    const now = setup
      .now()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
    const written = await writeCsrApproval(setup.api, csr, {
      type: verdict.kind === 'approve' ? 'Approved' : 'Denied',
      status: 'True',
      reason: 'KpkiApproverPolicy',
      message: verdict.message,
      lastUpdateTime: now,
      lastTransitionTime: now,
    });
    const name = csr.metadata.name;
    if (written !== 'written') lost.push(name);
    else if (verdict.kind === 'approve') approved.push(name);
    else denied.push({ csr: name, message: verdict.message });
    setup.log({
      event: written === 'written' ? verdict.kind : 'lost',
      csr: name,
      message: verdict.message,
    });
  }
  return { approved, denied, lost };
}

/** Runs passes every `intervalMs` until `signal` aborts; failed passes are logged and retried. */
export async function runApprover(
  setup: ApproverSetup,
  intervalMs: number,
  signal: AbortSignal,
): Promise<void> {
  setup.log({ event: 'started', server: setup.api.server, intervalMs });
  while (!signal.aborted) {
    try {
      await approverPass(setup);
    } catch (error) {
      setup.log({ event: 'error', message: describeError(error) });
    }
    await sleep(intervalMs, undefined, { signal }).catch(() => undefined);
  }
  setup.log({ event: 'stopped' });
}
