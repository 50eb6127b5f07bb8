/**
 * How a layout's distribution issues certificates, as data: what differs between kubeadm, K3s/RKE2
 * and RKE is only backdating, the CA serial, the NotBefore/NotAfter rules, BasicConstraints on
 * leaves and where a leaf's authority key id comes from. One issuer (ops/shared/issue.ts) reads it.
 * Private keys are written the same way by all three (PKCS#1 for RSA, SEC1 for EC), so that is no
 * field here.
 */

/** One layout's issuance rules. */
export interface IssuanceProfile {
  /** How far NotBefore is set back from the issuing instant (leaves and CAs). */
  readonly backdateMs: number;
  /** `zero`: CAs get serial 0 (K3s's quirk); `random`: a random positive serial like leaves. */
  readonly caSerial: 'random' | 'zero';
  /** Where NotAfter is counted from: the issuing instant, or the (backdated) NotBefore. */
  readonly validityFrom: 'issuing-instant' | 'not-before';
  /**
   * A leaf's NotBefore: `backdated` (instant − backdate), `backdated-within-ca` (that, but never
   * before the CA's NotBefore) or `ca-not-before` (the CA's NotBefore, as RKE's newSignedCert does).
   */
  readonly leafNotBefore: 'backdated' | 'backdated-within-ca' | 'ca-not-before';
  /**
   * Every layout clamps a leaf's NotAfter to its CA's, so no leaf outlives the CA that signs it;
   * issuing fails with `CA_EXPIRED` and this hint (the layout's CA rotation command) when the CA
   * is no longer valid.
   */
  readonly leafWithinCa: { readonly expiredHint: string };
  /** Write BasicConstraints (CA:FALSE) on leaves (Go's BasicConstraintsValid). */
  readonly leafBasicConstraints: boolean;
  /**
   * The leaf's authority key id: `issuer-skid` copies the CA's subject key id (none when the CA
   * has none, as Go does); `derived-when-missing` derives it from the CA's key by RFC 5280
   * §4.2.1.2 method 1 when the CA has no subject key id.
   */
  readonly leafAuthorityKeyId: 'issuer-skid' | 'derived-when-missing';
}
