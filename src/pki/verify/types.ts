/** Public parameter, policy and result types of path validation. */
import type { DecodedCertificate } from './decoded-certificate.js';

/** Stable failure codes; a caller may switch on them. */
export type FailureCode =
  | 'MALFORMED_CERTIFICATE'
  | 'BAD_INPUT'
  | 'EXPIRED'
  | 'NOT_YET_VALID'
  | 'UNKNOWN_ISSUER'
  | 'BAD_SIGNATURE'
  | 'UNSUPPORTED_KEY'
  | 'NOT_A_CA'
  | 'PATH_LENGTH_EXCEEDED'
  | 'KEY_USAGE'
  | 'EXTENDED_KEY_USAGE'
  | 'NAME_CONSTRAINTS'
  | 'UNKNOWN_CRITICAL_EXTENSION'
  | 'NAME_MISMATCH'
  | 'PROFILE_VIOLATION'
  | 'LIMIT_EXCEEDED';

/** Why a certificate or path was refused. */
export interface Failure {
  readonly code: FailureCode;
  readonly reason: string;
}

/** Which key purpose the leaf must be fit for (RFC 5280 §4.2.1.12 id-kp-serverAuth/clientAuth). */
export type Purpose = 'server' | 'client';

/**
 * How the trust anchor itself is checked. With all three off, only its name and key are used
 * (RFC 5280 §6.1.1(d) minimal anchor); with all on, it is checked like any CA certificate.
 */
export interface AnchorChecks {
  /** Enforce the anchor's notBefore/notAfter. */
  readonly validity: boolean;
  /** Enforce the anchor's extensions if present: basicConstraints, pathLen, keyUsage, EKU, names. */
  readonly constraints: boolean;
  /** With `constraints`, also require basicConstraints cA=TRUE on the anchor. */
  readonly requireBasicConstraints: boolean;
}

/**
 * Validation policy. `strict` adds the RFC 5280 "conforming CA" MUSTs that x509-limbo checks
 * (critical basicConstraints on CAs, SKI on CAs, AKI on issued certificates, consistent
 * keyCertSign/cA, non-critical AKI/SKI/AIA, v3 only, SAN rules); `compat` drops those so trees
 * written by tools that omit them (see DESIGN.md: missing SKID/AKID) still verify.
 */
export interface ValidationPolicy {
  readonly profile: 'strict' | 'compat';
  readonly anchor: AnchorChecks;
  /** Most certificates in a path, leaf and anchor included. */
  readonly maxPathLength: number;
  /** Most signature verifications in one call, so hostile graphs end fast. */
  readonly maxSignatureChecks: number;
  /** Most (name, constraint) comparisons per path (RFC 5280 leaves the cost unbounded). */
  readonly maxNameConstraintChecks: number;
}

/** Parameters of {@link buildAndValidatePath}. All certificates are DER. */
export interface BuildAndValidatePathParams {
  readonly leaf: Uint8Array;
  readonly intermediates?: readonly Uint8Array[];
  readonly anchors: readonly Uint8Array[];
  /** The validation instant; truncated to whole seconds (see path-checks.ts). */
  readonly time: Date;
  /** Required leaf purpose; omit to accept any EKU. */
  readonly purpose?: Purpose;
  /** DNS name the leaf must be valid for (RFC 6125). Mutually exclusive with `ip`. */
  readonly host?: string;
  /** IP address (text) the leaf must be valid for. */
  readonly ip?: string;
  readonly policy?: Partial<ValidationPolicy>;
}

/** One certificate of a validated path, leaf first and anchor last. */
export interface PathElement {
  readonly subject: string;
  readonly notAfter: Date;
  readonly certificate: DecodedCertificate;
}

/** The result of {@link buildAndValidatePath}. */
export type PathValidationResult =
  | { readonly valid: true; readonly path: readonly PathElement[] }
  | { readonly valid: false; readonly reason: string; readonly code: FailureCode };

/** The default policy: strict profile, anchors checked like any CA. */
export const DEFAULT_POLICY: ValidationPolicy = {
  profile: 'strict',
  anchor: { validity: true, constraints: true, requireBasicConstraints: true },
  maxPathLength: 10,
  maxSignatureChecks: 300,
  maxNameConstraintChecks: 1 << 16,
};

/** Makes a {@link Failure}. */
export function failure(code: FailureCode, reason: string): Failure {
  return { code, reason };
}

/** `"CN=foo"` for messages. */
export function quoted(cert: DecodedCertificate): string {
  return `certificate "${cert.subjectText}"`;
}
