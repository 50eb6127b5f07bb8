/**
 * Secure join tokens `K10<ca-hash>::<user>:<password>` and the CA hash they carry, computed as
 * K3s's `hashCA` does (reference/rke2-k3s.md §9).
 */
import { createHash } from 'node:crypto';
import { InvalidInputError } from '../../errors.js';
import { parseCertificates, type Certificate } from '../../pki/certificate.js';
import { buildAndValidatePath } from '../../pki/verify/index.js';

/** How the hash was obtained, for messages and tests. */
export type CaHashBasis = 'file-bytes' | 'verified-root' | 'file-bytes-unverified';

/**
 * The CA hash of a server CA file: SHA-256 of the raw file bytes when it holds one certificate;
 * for a bundle, SHA-256 of the DER of the root of the first verified chain of its first
 * certificate (later certificates with no AKI or AKI = SKI are roots, the others intermediates),
 * falling back to the raw bytes when that chain does not verify at `at`. Lower-case hex.
 * @throws InvalidInputError `BAD_PEM`/`BAD_CERT`/`NO_CERT` naming `source`.
 */
export function hashCa(
  bytes: Uint8Array,
  source: string,
  at: Date,
): { hash: string; basis: CaHashBasis } {
  const certs = parseCertificates(new TextDecoder().decode(bytes), source);
  const raw = (basis: CaHashBasis): { hash: string; basis: CaHashBasis } => ({
    hash: sha256(bytes),
    basis,
  });
  const [first, ...rest] = certs;
  if (first === undefined || rest.length === 0) return raw('file-bytes');
  const result = buildAndValidatePath({
    leaf: first.der,
    anchors: rest.filter(isBundleRoot).map((c) => c.der),
    intermediates: rest.filter((c) => !isBundleRoot(c)).map((c) => c.der),
    time: at,
    purpose: 'server',
    policy: { profile: 'compat' },
  });
  if (!result.valid) return raw('file-bytes-unverified');
  const root = result.path[result.path.length - 1];
  return root === undefined
    ? raw('file-bytes-unverified')
    : { hash: sha256(root.certificate.der), basis: 'verified-root' };
}

/**
 * K3s's rule for the roots of a CA bundle (`hashCA`, `validateCA`): a certificate without an
 * authority key id, or whose authority key id is its own subject key id.
 */
export function isBundleRoot(cert: Certificate): boolean {
  return cert.authorityKeyId === undefined || cert.authorityKeyId === cert.subjectKeyId;
}

/** The two secure tokens of a cluster. */
export interface JoinTokens {
  readonly server: string;
  readonly agent: string;
}

/**
 * Formats `K10<hash>::server:<serverPassword>` and `K10<hash>::node:<agentPassword>`.
 * @throws InvalidInputError `BAD_TOKEN` when a password is empty or contains `:` or white space
 *   (K3s splits the credentials on the first `:`).
 */
export function formatJoinTokens(
  caHash: string,
  serverPassword: string,
  agentPassword: string,
): JoinTokens {
  for (const password of [serverPassword, agentPassword]) {
    if (password === '' || /[:\s]/.test(password))
      throw new InvalidInputError(
        'BAD_TOKEN',
        'a token password must be non-empty and contain no ":" or white space',
      );
  }
  return {
    server: `K10${caHash}::server:${serverPassword}`,
    agent: `K10${caHash}::node:${agentPassword}`,
  };
}

/**
 * The password of a token file's content: the part after `::<user>:` of a secure token, or the
 * whole (trimmed) text of a short token.
 */
export function tokenPassword(text: string): string {
  const trimmed = text.trim();
  const secure = /^K10[0-9a-f]*::[^:]+:(.+)$/.exec(trimmed);
  return secure?.[1] ?? trimmed;
}

/**
 * The one token rule, for `--token` and the token file alike: trailing whitespace (a file's
 * newline) is dropped; what is left must not be empty. `where` names the source in the message; the token itself never appears.
 * @throws InvalidInputError `BAD_TOKEN` (exit 3, as an empty token always was) otherwise.
 */
export function normalizeToken(value: string, where: string): string {
  const token = value.replace(/\s+$/, '');
  if (token === '')
    throw new InvalidInputError(
      'BAD_TOKEN',
      `the server token is empty: ${where} holds nothing but white space`,
    );
  return token;
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
