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
 * Why a certificate does not chain to its CA. `text` reads on its own (`not signed by <CA>`, or
 * `does not chain to <CA>: <rule broken>`); {@link withSubject} puts a name in front.
 */
export interface ChainProblem {
  /** True for a signature or issuer failure; false when it is signed but breaks another rule. */
  readonly unsigned: boolean;
  readonly text: string;
}

/** `<subject> is not signed by …` or `<subject> does not chain to …`. */
export function withSubject(subject: string, problem: ChainProblem): string {
  return `${subject} ${problem.unsigned ? 'is ' : ''}${problem.text}`;
}

/** Why `cert` does not chain to `ca` (through `intermediates`) at `at`, or undefined when it does. */
export function chainProblem(
  cert: Certificate,
  ca: Certificate,
  caLabel: string,
  at: Date,
  intermediates: readonly Certificate[] = [],
): ChainProblem | undefined {
  const validate = (time: Date): ReturnType<typeof buildAndValidatePath> =>
    buildAndValidatePath({
      leaf: cert.der,
      anchors: [ca.der],
      intermediates: intermediates.map((c) => c.der),
      time,
      policy: { profile: 'compat' },
    });
  const timing = (r: ReturnType<typeof buildAndValidatePath>): boolean =>
    !r.valid && (r.code === 'EXPIRED' || r.code === 'NOT_YET_VALID');
  let result = validate(at);
  // Out of its validity now: judge the chain at an instant when both were valid, if there is one.
  if (timing(result))
    result = validate(new Date(Math.max(cert.notBefore.getTime(), ca.notBefore.getTime()) + 1000));
  if (timing(result))
    return isSignedBy(cert, ca) ? undefined : { unsigned: true, text: `not signed by ${caLabel}` };
  if (result.valid) return undefined;
  if (result.code === 'UNKNOWN_ISSUER' || result.code === 'BAD_SIGNATURE')
    return { unsigned: true, text: `not signed by ${caLabel}` };
  return { unsigned: false, text: `does not chain to ${caLabel}: ${result.reason}` };
}
