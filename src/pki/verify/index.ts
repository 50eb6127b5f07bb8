/**
 * X.509 path validation for kpki (RFC 5280 §6 with RFC 6125 name checks), measured against
 * x509-limbo and the BoringSSL chain corpus. Pure: no I/O, no clock; time is a parameter.
 */
export { buildAndValidatePath } from './build-and-validate-path.js';
export { decodeCertificate } from './decode-certificate.js';
export { parsePemCertificates } from './pem.js';
export { DEFAULT_POLICY } from './types.js';
export type {
  AnchorChecks,
  BuildAndValidatePathParams,
  FailureCode,
  PathElement,
  PathValidationResult,
  Purpose,
  ValidationPolicy,
} from './types.js';
export type { DecodeResult, DecodedCertificate } from './decoded-certificate.js';
export type { GeneralName } from './general-names.js';
