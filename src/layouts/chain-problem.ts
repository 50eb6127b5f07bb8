/**
 * The one question every `check` asks of a certificate and its CA, answered by the RFC 5280 path
 * validator (pki/verify) rather than by a bare signature check: does the certificate chain to the
 * CA — signature, issuer name, the CA's basic constraints, key usage, path length and name
 * constraints, unknown critical extensions? Validity periods are left out: `check` reports
 * expiry in its own columns, with the renewal window.
 */
import { isSignedBy, type Certificate } from '../pki/certificate.js';
import { buildAndValidatePath } from '../pki/verify/index.js';

/**
 * Why `cert` does not chain to `ca` (through `intermediates`) at `at`, or undefined when it does.
 * A signature or issuer failure reads `not signed by <caLabel>`; other failures name the rule.
 */
export function chainProblem(cert: Certificate, ca: Certificate, caLabel: string, at: Date, intermediates: readonly Certificate[] = []): string | undefined {
  const validate = (time: Date): ReturnType<typeof buildAndValidatePath> => buildAndValidatePath({
    leaf: cert.der, anchors: [ca.der], intermediates: intermediates.map((c) => c.der), time, policy: { profile: 'compat' },
  });
  const timing = (r: ReturnType<typeof buildAndValidatePath>): boolean => !r.valid && (r.code === 'EXPIRED' || r.code === 'NOT_YET_VALID');
  let result = validate(at);
  // Out of its validity now: judge the chain at an instant when both were valid, if there is one.
  if (timing(result)) result = validate(new Date(Math.max(cert.notBefore.getTime(), ca.notBefore.getTime()) + 1000));
  if (timing(result)) return isSignedBy(cert, ca) ? undefined : `not signed by ${caLabel}`;
  if (result.valid) return undefined;
  if (result.code === 'UNKNOWN_ISSUER' || result.code === 'BAD_SIGNATURE') return `not signed by ${caLabel}`;
  return `does not chain to ${caLabel}: ${result.reason}`;
}
