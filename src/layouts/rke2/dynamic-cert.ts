/**
 * `server/tls/dynamic-cert.json`: dynamiclistener's on-disk cache of the supervisor serving
 * certificate, a JSON-serialised Kubernetes `v1.Secret` of type `kubernetes.io/tls`
 * (reference/rke2-k3s.md §4.12).
 */
import { InvalidInputError } from '../../errors.js';

/** The parts of the cached Secret kpki reads. */
export interface DynamicCert {
  /** PEM: the serving leaf followed by the server CA bundle. */
  readonly certPem: string;
  readonly keyPem: string;
  readonly annotations: Readonly<Record<string, string>>;
  /** `listener.cattle.io/static: "true"`: a user-provided certificate the listener never renews. */
  readonly isStatic: boolean;
}

/**
 * Decodes the cached Secret.
 * @throws InvalidInputError `BAD_DYNAMIC_CERT` naming `source` when it is not JSON, not a Secret
 *   shape, or lacks base64 `tls.crt`/`tls.key` data. The message never contains the data.
 */
export function parseDynamicCert(text: string, source: string): DynamicCert {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw bad(source, 'is not valid JSON');
  }
  if (typeof value !== 'object' || value === null) throw bad(source, 'is not a JSON object');
  const secret = value as { data?: unknown; metadata?: { annotations?: unknown } };
  const data =
    typeof secret.data === 'object' && secret.data !== null
      ? (secret.data as Record<string, unknown>)
      : undefined;
  const crt = data?.['tls.crt'];
  const key = data?.['tls.key'];
  if (typeof crt !== 'string' || typeof key !== 'string' || crt === '' || key === '')
    throw bad(source, 'has no "tls.crt" and "tls.key" data');
  const rawAnnotations = secret.metadata?.annotations;
  const annotations: Record<string, string> = {};
  if (typeof rawAnnotations === 'object' && rawAnnotations !== null) {
    for (const [name, annotation] of Object.entries(rawAnnotations))
      if (typeof annotation === 'string') annotations[name] = annotation;
  }
  return {
    certPem: Buffer.from(crt, 'base64').toString('utf8'),
    keyPem: Buffer.from(key, 'base64').toString('utf8'),
    annotations,
    isStatic: annotations['listener.cattle.io/static'] === 'true',
  };
}

/**
 * Encodes a cached Secret as Go's encoding/json writes a `v1.Secret` (field order of the Go
 * struct, `creationTimestamp: null`, trailing newline from json.Encoder).
 */
export function encodeDynamicCert(
  program: string,
  certPem: string,
  keyPem: string,
  annotations: Readonly<Record<string, string>>,
): string {
  const secret = {
    metadata: {
      name: `${program}-serving`,
      namespace: 'kube-system',
      creationTimestamp: null,
      annotations,
    },
    data: {
      'tls.crt': Buffer.from(certPem).toString('base64'),
      'tls.key': Buffer.from(keyPem).toString('base64'),
    },
    type: 'kubernetes.io/tls',
  };
  return `${JSON.stringify(secret)}\n`;
}

function bad(source: string, what: string): InvalidInputError {
  return new InvalidInputError(
    'BAD_DYNAMIC_CERT',
    `"${source}" ${what}; it should be the dynamic listener's cached Secret`,
  );
}

/**
 * The cached Secret with a new `tls.crt` and its `listener.cattle.io/fingerprint` annotation
 * (`SHA1=<upper-case hex of the leaf DER>`), every other field kept as it was.
 * @throws InvalidInputError as {@link parseDynamicCert}.
 */
export function replaceDynamicCertificate(
  text: string,
  source: string,
  certPem: string,
  sha1Hex: string,
): string {
  parseDynamicCert(text, source);
  const secret = JSON.parse(text) as {
    data: Record<string, string>;
    metadata?: { annotations?: Record<string, string> };
  };
  secret.data['tls.crt'] = Buffer.from(certPem).toString('base64');
  secret.metadata = {
    ...secret.metadata,
    annotations: {
      ...secret.metadata?.annotations,
      'listener.cattle.io/fingerprint': `SHA1=${sha1Hex.toUpperCase()}`,
    },
  };
  return `${JSON.stringify(secret)}\n`;
}
