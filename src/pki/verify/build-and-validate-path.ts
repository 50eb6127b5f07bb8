/** The path validation entry point: decode, check the leaf, search for a path. */
import { checkCertificateProfile } from './cert-profile.js';
import { decodeCertificate } from './decode-certificate.js';
import type { DecodedCertificate } from './decoded-certificate.js';
import { bytesEqual } from '../der-reader.js';
import { checkPeerName, checkPurpose, checkValidity } from './path-checks.js';
import { searchPath } from './path-builder.js';
import { importPublicKey } from './signature.js';
import type { CandidateNode } from './path-builder.js';
import { DEFAULT_POLICY, failure, quoted } from './types.js';
import type {
  BuildAndValidatePathParams,
  Failure,
  PathValidationResult,
  ValidationPolicy,
} from './types.js';

function resolvePolicy(partial: Partial<ValidationPolicy> | undefined): ValidationPolicy {
  return {
    ...DEFAULT_POLICY,
    ...partial,
    anchor: { ...DEFAULT_POLICY.anchor, ...partial?.anchor },
  };
}

// Undecodable intermediates and anchors are skipped, not fatal: a bundle may hold certificates
// for other purposes, and an unusable candidate cannot make a path valid.
function decodeNodes(params: BuildAndValidatePathParams): {
  nodes: CandidateNode[];
  undecodable: string[];
} {
  const nodes: CandidateNode[] = [];
  const undecodable: string[] = [];
  const add = (der: Uint8Array, isAnchor: boolean): void => {
    if (nodes.some((n) => bytesEqual(n.cert.der, der))) return;
    const decoded = decodeCertificate(der);
    if (decoded.ok) nodes.push({ cert: decoded.cert, isAnchor });
    else undecodable.push(decoded.reason);
  };
  params.anchors.forEach((der) => add(der, true));
  (params.intermediates ?? []).forEach((der) => add(der, false));
  return { nodes, undecodable };
}

// The leaf's key signs nothing in the path, but a key kpki could not use (DSA, P-192, RSA-1024)
// is as unfit for a TLS peer as for a CA (CA/Browser Forum BR §6.1.5).
function checkLeafKey(leaf: DecodedCertificate): Failure | undefined {
  const key = importPublicKey(leaf.spki);
  return typeof key === 'string'
    ? failure('UNSUPPORTED_KEY', `${quoted(leaf)} has an unusable public key: ${key}`)
    : undefined;
}

function checkLeaf(
  leaf: DecodedCertificate,
  params: BuildAndValidatePathParams,
  policy: ValidationPolicy,
): Failure | undefined {
  if (params.host !== undefined && params.ip !== undefined)
    return failure('BAD_INPUT', 'give a host name or an IP address, not both');
  return (
    checkLeafKey(leaf) ??
    checkCertificateProfile(leaf, 'leaf', policy) ??
    checkValidity(leaf, params.time) ??
    checkPurpose(leaf, params.purpose) ??
    checkPeerName(leaf, params.host, params.ip)
  );
}

function invalid(problem: Failure): PathValidationResult {
  return { valid: false, reason: problem.reason, code: problem.code };
}

/**
 * Builds a certification path from `params.leaf` through `params.intermediates` to one of
 * `params.anchors` and validates it per RFC 5280 §6 at `params.time`, trying alternative issuers
 * when a candidate path fails (cross-signed CAs). Pure: no I/O, no clock; never throws.
 *
 * Returns `{ valid: true, path }` with the path leaf first and anchor last, or
 * `{ valid: false, reason, code }` with a human reason such as
 * `certificate "CN=foo" expired at 2024-01-01T00:00:00Z`. When every candidate path fails, the
 * reported reason is the one from the longest path tried. A leaf that is itself one of the
 * anchors is valid alone after its own checks. Defaults: {@link DEFAULT_POLICY}; no purpose,
 * host or IP check unless asked.
 */
export function buildAndValidatePath(params: BuildAndValidatePathParams): PathValidationResult {
  const policy = resolvePolicy(params.policy);
  const decoded = decodeCertificate(params.leaf);
  if (!decoded.ok)
    return invalid(failure('MALFORMED_CERTIFICATE', `leaf certificate: ${decoded.reason}`));
  const leaf = decoded.cert;
  const leafProblem = checkLeaf(leaf, params, policy);
  if (leafProblem !== undefined) return invalid(leafProblem);
  const { nodes, undecodable } = decodeNodes(params);
  const toElement = (n: CandidateNode) => ({
    subject: n.cert.subjectText,
    notAfter: n.cert.notAfter,
    certificate: n.cert,
  });
  if (nodes.some((n) => n.isAnchor && bytesEqual(n.cert.der, leaf.der)))
    return { valid: true, path: [toElement({ cert: leaf, isAnchor: true })] };
  const result = searchPath(
    { cert: leaf, isAnchor: false },
    {
      nodes: nodes.filter((n) => !bytesEqual(n.cert.der, leaf.der)),
      time: params.time,
      purpose: params.purpose,
      policy,
      undecodable,
    },
  );
  return 'path' in result
    ? { valid: true, path: result.path.map(toElement) }
    : invalid(result.failure);
}
