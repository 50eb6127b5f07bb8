/**
 * certificates.k8s.io/v1 CertificateSigningRequests: reading them, their state, and writing the
 * signer's answer to the `status` subresource. Writes carry the object's resourceVersion, so of
 * several signers answering one CSR exactly one write is accepted (the others get 409 Conflict).
 */
import { OperationError } from '../errors.js';
import type { KubeApi } from './api-client.js';

const BASE = '/apis/certificates.k8s.io/v1/certificatesigningrequests';

/** A CSR condition (`Approved`, `Denied`, `Failed`). */
export interface CsrCondition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
  readonly lastUpdateTime?: string;
  readonly lastTransitionTime?: string;
}

/** The fields of a CSR object kpki reads; the rest is kept as it came when writing back. */
export interface CsrObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: { readonly name: string; readonly resourceVersion?: string };
  readonly spec: {
    /** Base64 of the PEM request. */
    readonly request: string;
    readonly signerName: string;
    readonly usages?: readonly string[];
    readonly expirationSeconds?: number;
    readonly username?: string;
    readonly groups?: readonly string[];
  };
  readonly status?: {
    readonly conditions?: readonly CsrCondition[];
    /** Base64 of the PEM certificate. */
    readonly certificate?: string;
  };
}

/** Where a CSR stands. */
export type CsrState = 'pending' | 'approved' | 'denied' | 'failed' | 'issued';

/** The state of a CSR: issued once it has a certificate, else by its conditions. */
export function csrState(csr: CsrObject): CsrState {
  if (csr.status?.certificate !== undefined && csr.status.certificate !== '') return 'issued';
  const has = (type: string): boolean =>
    (csr.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
  if (has('Failed')) return 'failed';
  if (has('Denied')) return 'denied';
  if (has('Approved')) return 'approved';
  return 'pending';
}

function apiError(what: string, status: number, body: unknown): OperationError {
  const message =
    typeof body === 'object' && body !== null && 'message' in body
      ? String(body.message)
      : `HTTP ${status}`;
  return new OperationError('API_ERROR', `${what}: ${message} (HTTP ${status})`);
}

/**
 * Every CSR of the cluster.
 * @throws OperationError `API_ERROR` when the API server refuses (e.g. 403 without `list`).
 */
export async function listCsrs(api: KubeApi): Promise<CsrObject[]> {
  const { status, body } = await api.send('GET', BASE);
  if (status !== 200) throw apiError('cannot list CertificateSigningRequests', status, body);
  const items = (body as { items?: unknown }).items;
  return Array.isArray(items) ? (items as CsrObject[]) : [];
}

/** One CSR; undefined when it does not exist. @throws OperationError `API_ERROR` otherwise. */
export async function getCsr(api: KubeApi, name: string): Promise<CsrObject | undefined> {
  const { status, body } = await api.send('GET', `${BASE}/${encodeURIComponent(name)}`);
  if (status === 404) return undefined;
  if (status !== 200) throw apiError(`cannot read CSR "${name}"`, status, body);
  return body as CsrObject;
}

/** Creates a CSR. @throws OperationError `API_ERROR` when the API server refuses it. */
export async function createCsr(api: KubeApi, csr: CsrObject): Promise<CsrObject> {
  const { status, body } = await api.send('POST', BASE, {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    ...csr,
  });
  if (status !== 201 && status !== 200)
    throw apiError(`cannot create CSR "${csr.metadata.name}"`, status, body);
  return body as CsrObject;
}

/** Deletes a CSR; a CSR already gone is fine. @throws OperationError `API_ERROR` otherwise. */
export async function deleteCsr(api: KubeApi, name: string): Promise<void> {
  const { status, body } = await api.send('DELETE', `${BASE}/${encodeURIComponent(name)}`);
  if (status !== 200 && status !== 202 && status !== 404)
    throw apiError(`cannot delete CSR "${name}"`, status, body);
}

/** How a status write ended: accepted, lost to another writer, or the CSR is gone. */
export type StatusWrite = 'written' | 'conflict' | 'gone';

/**
 * Writes `status` to the CSR's status subresource, at the resourceVersion it was read at.
 * @throws OperationError `API_ERROR` for any refusal but 409 and 404.
 */
export async function writeCsrStatus(
  api: KubeApi,
  csr: CsrObject,
  status: NonNullable<CsrObject['status']>,
): Promise<StatusWrite> {
  const name = csr.metadata.name;
  const answer = await api.send('PUT', `${BASE}/${encodeURIComponent(name)}/status`, {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    ...csr,
    status,
  });
  if (answer.status === 200) return 'written';
  if (answer.status === 409) return 'conflict';
  if (answer.status === 404) return 'gone';
  throw apiError(`cannot write the status of CSR "${name}"`, answer.status, answer.body);
}

/** The PEM request of a CSR object (its `spec.request` is base64 of the PEM). */
export function requestPemOf(csr: CsrObject): string {
  return Buffer.from(csr.spec.request, 'base64').toString('utf8');
}

/**
 * Adds an `Approved` or `Denied` condition through the approval subresource, at the
 * resourceVersion the CSR was read at.
 * @throws OperationError `API_ERROR` for any refusal but 409 and 404.
 */
export async function writeCsrApproval(
  api: KubeApi,
  csr: CsrObject,
  condition: CsrCondition,
): Promise<StatusWrite> {
  const name = csr.metadata.name;
  const answer = await api.send('PUT', `${BASE}/${encodeURIComponent(name)}/approval`, {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    ...csr,
    status: { ...csr.status, conditions: [...(csr.status?.conditions ?? []), condition] },
  });
  if (answer.status === 200) return 'written';
  if (answer.status === 409) return 'conflict';
  if (answer.status === 404) return 'gone';
  throw apiError(`cannot approve or deny CSR "${name}"`, answer.status, answer.body);
}

/**
 * The addresses on a Node object (`status.addresses[].address`); undefined when there is no
 * such Node. @throws OperationError `API_ERROR` otherwise.
 */
export async function nodeAddresses(api: KubeApi, name: string): Promise<string[] | undefined> {
  const { status, body } = await api.send('GET', `/api/v1/nodes/${encodeURIComponent(name)}`);
  if (status === 404) return undefined;
  if (status !== 200) throw apiError(`cannot read Node "${name}"`, status, body);
  const addresses = (body as { status?: { addresses?: { address?: unknown }[] } }).status
    ?.addresses;
  return (addresses ?? []).flatMap((a) => (typeof a.address === 'string' ? [a.address] : []));
}
