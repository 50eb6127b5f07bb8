/**
 * The port to the Kubernetes certificates API (certificates.k8s.io/v1) that renewal through the
 * API uses; kube/csr-port.ts implements it, tests may fake it.
 */

/** One CertificateSigningRequest to submit. */
export interface CsrSubmission {
  /** The catalogue entry it is for; the CSR's name is derived from it. */
  readonly entry: string;
  readonly requestPem: string;
  readonly signerName: string;
  readonly usages: readonly string[];
  readonly expirationSeconds: number;
}

/** How a submitted CSR ended. */
export type CsrResult =
  | { readonly kind: 'issued'; readonly certificatePem: string }
  | { readonly kind: 'denied' | 'failed'; readonly reason: string }
  | { readonly kind: 'timeout' }
  /** No longer waited for: another CSR of the same renewal was refused. */
  | { readonly kind: 'abandoned' };

/** Submitting CSRs and waiting for their answers. */
export interface CertificatesApi {
  /** Creates the CSR and returns its name in the cluster (`kpki-<entry>-<random>`). */
  submit(csr: CsrSubmission): Promise<string>;
  /**
   * Waits until the named CSR has a certificate, is denied or failed, `deadline` passes, or
   * `abandon` aborts; `progress` gets a line whenever its state changes.
   */
  wait(
    name: string,
    deadline: Date,
    progress: (line: string) => void,
    abandon: AbortSignal,
  ): Promise<CsrResult>;
}
