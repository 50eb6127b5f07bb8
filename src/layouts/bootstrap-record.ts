/**
 * The K3s/RKE2 bootstrap record (rke2-k3s.md §8.1): which server files it carries and its JSON,
 * byte-compatible with Go's `json.Marshal` of `map[string]bootstrap.File` — keys sorted,
 * `{"Timestamp":"<RFC3339Nano>","Content":"<std base64>"}` per field, no spaces. The legacy
 * (≤2021) form `{"<Field>":"<base64>"}` is read too, with zero timestamps. Pure layout data.
 */
import { InvalidInputError } from '../errors.js';
import { formatRfc3339Nano, parseRfc3339Nano } from './rfc3339-nano.js';
import { rke2CaLocation, type Rke2CaRole } from './rke2/ca-entries.js';
import { SERVICE_KEY_PATH } from './rke2/catalogue-entries.js';

/** The two products sharing this format; they differ only in the default data dir. */
export type ServerProduct = 'rke2' | 'k3s';

/** One field of `ControlRuntimeBootstrap` and the file it mirrors. */
export interface BootstrapField {
  /** Go field name, the JSON key. */
  readonly name: string;
  /** Path relative to the data dir, `/`-separated. */
  readonly path: string;
  /** Tagged `rotate:"true"` upstream: replaced by rotate-ca. */
  readonly rotate: boolean;
}

/** One stored file: its mtime (ns since the epoch) and its raw bytes. */
export interface BootstrapFile {
  readonly timestampNs: bigint;
  readonly content: Uint8Array;
}

/** A decoded record: field name → file. Unknown field names are kept so a rewrite keeps them. */
export type BootstrapRecord = ReadonlyMap<string, BootstrapFile>;

/** Go's zero `time.Time` (0001-01-01T00:00:00Z), what legacy records and empty timestamps decode to. */
export const GO_ZERO_TIME_NS = -62135596800n * 1_000_000_000n;

const field = (name: string, path: string, rotate: boolean): BootstrapField => ({
  name,
  path,
  rotate,
});

/** A CA's certificate and key fields (`<Prefix>`, `<Prefix>Key`), at the catalogue's paths. */
const caFields = (prefix: string, role: Rke2CaRole): BootstrapField[] => {
  const ca = rke2CaLocation(role);
  return [field(prefix, ca.certPath, true), field(`${prefix}Key`, ca.keyPath, true)];
};

/** The fields in `ControlRuntimeBootstrap` order. Encryption* exist only with --secrets-encryption. */
const FIELDS: readonly BootstrapField[] = Object.freeze([
  ...caFields('ETCDServerCA', 'etcd-server'),
  ...caFields('ETCDPeerCA', 'etcd-peer'),
  ...caFields('ServerCA', 'server'),
  ...caFields('ClientCA', 'client'),
  field('ServiceKey', SERVICE_KEY_PATH, true),
  field('PasswdFile', 'server/cred/passwd', false),
  ...caFields('RequestHeaderCA', 'request-header'),
  field('IPSECKey', 'server/cred/ipsec.psk', false),
  field('EncryptionConfig', 'server/cred/encryption-config.json', false),
  field('EncryptionHash', 'server/cred/encryption-state.json', false),
]);

/** The fields the record holds for a product's data dir (the same list for rke2 and k3s). */
export function bootstrapFieldsFor(product: ServerProduct): readonly BootstrapField[] {
  switch (product) {
    case 'rke2':
    case 'k3s':
      return FIELDS;
  }
}

/** The directories whose absence or emptiness makes a server take the whole record (§8.5 step 1). */
export const BOOTSTRAP_REQUIRED_DIRS: readonly string[] = Object.freeze([
  'server/cred',
  'server/tls',
  'server/tls/etcd',
]);

/** Encodes a record as Go would: keys in byte order, compact JSON, UTC timestamps. */
export function encodeBootstrapRecord(record: BootstrapRecord): Uint8Array {
  const names = [...record.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const body = names.map((name) => {
    const file = record.get(name) as BootstrapFile;
    const value = {
      Timestamp: formatRfc3339Nano(file.timestampNs),
      Content: Buffer.from(file.content).toString('base64'),
    };
    return `${JSON.stringify(name)}:${JSON.stringify(value)}`;
  });
  return new TextEncoder().encode(`{${body.join(',')}}`);
}

/**
 * Decodes a record in the current or the legacy format.
 * @throws InvalidInputError `CORRUPT_RECORD` naming `source` when the JSON, a timestamp or a
 *   base64 content is malformed. Messages name fields, never contents.
 */
export function decodeBootstrapRecord(bytes: Uint8Array, source: string): BootstrapRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw corrupt(source, 'not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw corrupt(source, 'not a JSON object');
  const record = new Map<string, BootstrapFile>();
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    record.set(name, decodeFile(name, value, source));
  }
  return record;
}

function decodeFile(name: string, value: unknown, source: string): BootstrapFile {
  if (typeof value === 'string')
    return { timestampNs: GO_ZERO_TIME_NS, content: decodeBase64(value, name, source) };
  if (typeof value !== 'object' || value === null)
    throw corrupt(source, `field "${name}" is neither an object nor base64`);
  const { Timestamp: stamp, Content: content } = value as {
    Timestamp?: unknown;
    Content?: unknown;
  };
  const timestampNs =
    typeof stamp === 'string'
      ? parseRfc3339Nano(stamp)
      : stamp === undefined
        ? GO_ZERO_TIME_NS
        : undefined;
  if (timestampNs === undefined) throw corrupt(source, `field "${name}" has a malformed Timestamp`);
  if (content !== null && content !== undefined && typeof content !== 'string')
    throw corrupt(source, `field "${name}" has a malformed Content`);
  return { timestampNs, content: decodeBase64(content ?? '', name, source) };
}

function decodeBase64(text: string, name: string, source: string): Uint8Array {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text))
    throw corrupt(source, `field "${name}" Content is not base64`);
  return new Uint8Array(Buffer.from(text, 'base64'));
}

function corrupt(source: string, why: string): InvalidInputError {
  return new InvalidInputError(
    'CORRUPT_RECORD',
    `bootstrap record "${source}" is corrupted: ${why}`,
    {
      hint: 'write it again from a healthy server with: kpki bootstrap save --override',
    },
  );
}
