/**
 * Signing CertificateSigningRequests for kpki's signer names with the tree's CAs, following what
 * kube-controller-manager's signer does: `expirationSeconds` honoured with a 10-minute floor and
 * capped by the entry's validity, the leaf kept within its CA, only the usages asked for (each of
 * which must be one the catalogue entry has). The catalogue's rules for the entry decide
 * (layouts/request-policy.ts); a refusal carries its reason for the CSR's `Failed` condition.
 */
import { createPublicKey } from 'node:crypto';
import { KpkiError, ValidationError } from '../../errors.js';
import type { Catalogue } from '../../layouts/catalogue.js';
import { KUBEADM_ISSUANCE } from '../../layouts/kubeadm/issuance-profile.js';
import { caOfSigner, judgeRequest, usageNames } from '../../layouts/request-policy.js';
import { parseCsr } from '../../pki/csr.js';
import type { SigningAuthority } from '../../pki/issue.js';
import { describeKey } from '../../pki/keys.js';
import { issueLeafForPublicKey } from '../shared/issue.js';
import type { OpsContext } from '../shared/ports.js';
import { loadAuthority } from './renew.js';

/** A CSR as the signer needs it (kube/csr.ts reads it from the API object). */
export interface SignableRequest {
  readonly name: string;
  readonly signerName: string;
  /** The PKCS#10 request, PEM. */
  readonly requestPem: string;
  readonly usages: readonly string[];
  readonly expirationSeconds: number | undefined;
}

/** What to do with one request. */
export type SignOutcome =
  | { readonly kind: 'signed'; readonly entry: string; readonly certificatePem: string }
  | { readonly kind: 'refused'; readonly reason: string; readonly message: string };

/** kube-controller-manager's floor on a requested duration. */
const MIN_DURATION_MS = 10 * 60 * 1000;

/**
 * Signs `request` when its signer is one of the catalogue's CAs and the catalogue's rules allow
 * it. A request for a signer that is not kpki's is the caller's to skip (this refuses it).
 * `authorities` keeps the CAs loaded for a run of requests (one pass of the signer) by name.
 * @throws FileAccessError / InvalidInputError when the CA itself cannot be read (the tree is
 *   broken: no request is refused for it).
 */
export async function signRequest(
  ctx: Pick<OpsContext, 'tree' | 'clock' | 'keys' | 'random'>,
  catalogue: Catalogue,
  request: SignableRequest,
  authorities: Map<string, Promise<SigningAuthority>> = new Map(),
): Promise<SignOutcome> {
  const ca = caOfSigner(catalogue, request.signerName);
  if (ca === undefined)
    return refuse('UnknownSigner', `"${request.signerName}" is not a signer of this tree`);
  let parsed;
  try {
    parsed = await parseCsr(request.requestPem, `CSR "${request.name}"`);
  } catch (error) {
    return refuse('BadRequest', error instanceof KpkiError ? error.message : 'unreadable request');
  }
  let keyAlgorithm: string;
  try {
    keyAlgorithm = describeKey(
      createPublicKey({ key: parsed.spki, format: 'der', type: 'spki' }),
      `CSR "${request.name}"`,
    );
  } catch (error) {
    keyAlgorithm = error instanceof KpkiError ? 'a key type kpki does not sign' : 'unreadable';
  }
  const verdict = judgeRequest(catalogue, ca, {
    subject: parsed.subject,
    altNames: parsed.altNames,
    usages: request.usages,
    keyAlgorithm,
    requestsCa: parsed.requestsCa,
  });
  if (!verdict.ok) return refuse('KpkiPolicy', verdict.reason);
  const entry = verdict.entry;
  const loading = authorities.get(entry.ca) ?? loadAuthority(ctx, catalogue, entry.ca);
  authorities.set(entry.ca, loading);
  const authority = await loading;
  const asked =
    request.expirationSeconds === undefined
      ? entry.validityMs
      : Math.max(MIN_DURATION_MS, request.expirationSeconds * 1000);
  const { keyUsage, extKeyUsage } = usageNames(request.usages);
  try {
    const certificate = await issueLeafForPublicKey(
      ctx,
      KUBEADM_ISSUANCE,
      {
        ...entry,
        subject: { cn: parsed.subject.cn ?? '', o: parsed.subject.o },
        altNames: parsed.altNames,
        keyUsage,
        extKeyUsage,
        validityMs: Math.min(asked, entry.validityMs),
      },
      authority,
      ctx.clock.now(),
      createPublicKey({ key: parsed.spki, format: 'der', type: 'spki' }),
    );
    return { kind: 'signed', entry: entry.name, certificatePem: certificate.pem };
  } catch (error) {
    if (error instanceof ValidationError && error.code === 'CA_EXPIRED')
      return refuse('CAExpired', error.message);
    throw error;
  }
}

function refuse(reason: string, message: string): SignOutcome {
  return { kind: 'refused', reason, message };
}
