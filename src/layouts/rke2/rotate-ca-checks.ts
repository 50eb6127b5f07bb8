/**
 * The integrity checks RKE2/K3s's server runs on staged CA material before `rotate-ca` saves it
 * (reference/rke2-k3s.md §10.2 step 3), as pure functions, with every problem reported rather
 * than an error ID: a new CA bundle must hold more than one certificate and its first certificate
 * must chain to the old roots; a CA key must match its certificate; the old service-account
 * signing key must stay in the new key list. Problems that would leave kpki unable to issue a
 * certificate (unparseable files, a key that does not match, a certificate that is not a CA) are
 * `fatal`: `--force` does not skip them, because kpki re-issues every leaf at once.
 */
import {
  keyMatchesCertificate,
  parseCertificates,
  type Certificate,
} from '../../pki/certificate.js';
import { parsePrivateKeys, spkiOf, type PrivateKey } from '../../pki/keys.js';
import { buildAndValidatePath } from '../../pki/verify/index.js';
import { isBundleRoot } from './token.js';

/** One rotatable bootstrap field: its current and staged bytes (undefined when there is no file). */
export interface RotationField {
  readonly field: string;
  /** Data-dir path of the current file. */
  readonly path: string;
  /** Where the staged file was read (for messages). */
  readonly stagedPath: string;
  readonly current: Uint8Array | undefined;
  readonly staged: Uint8Array | undefined;
}

/** A problem with the staged material, prefixed by its field as RKE2 logs it. */
export interface RotationProblem {
  readonly field: string;
  readonly message: string;
  readonly fatal: boolean;
}

const decoder = new TextDecoder();

/** True when the staged file replaces the current one: present, non-empty and different (K3s keeps current data otherwise). */
export function isReplaced(field: RotationField): boolean {
  const { staged, current } = field;
  return (
    staged !== undefined &&
    staged.length > 0 &&
    (current === undefined || Buffer.compare(Buffer.from(staged), Buffer.from(current)) !== 0)
  );
}

/** The bytes that will be in force after the rotation: the staged file when it replaces, else the current one. */
export function effective(field: RotationField): Uint8Array | undefined {
  return isReplaced(field) ? field.staged : field.current;
}

/**
 * Runs every check on `fields` (the rotatable fields: `<X>CA`, `<X>CAKey`, `ServiceKey`) at time
 * `at`, returning all problems found (empty when the material may be installed).
 */
export function checkRotation(fields: readonly RotationField[], at: Date): RotationProblem[] {
  const byName = new Map(fields.map((f) => [f.field, f]));
  const problems: RotationProblem[] = [];
  const add = (field: string, message: string, fatal: boolean): void => {
    problems.push({ field, message, fatal });
  };
  for (const ca of fields.filter((f) => f.field.endsWith('CA'))) {
    const keyField = byName.get(`${ca.field}Key`);
    if (!isReplaced(ca) && (!keyField || !isReplaced(keyField))) continue;
    const certs = parse(ca, add, parseCertificates);
    const keys = keyField ? parse(keyField, add, parsePrivateKeys) : undefined;
    const [first] = certs ?? [];
    if (certs && !first) add(ca.field, `"${shown(ca)}" holds no certificate`, true);
    if (!first) continue;
    if (!first.isCA)
      add(ca.field, `the first certificate of "${shown(ca)}" is not a CA certificate`, true);
    if (keys) {
      const [key] = keys;
      if (!key)
        add(`${ca.field}Key`, `"${keyField ? shown(keyField) : ''}" holds no private key`, true);
      else if (!keyMatchesCertificate(first, key.keyObject))
        add(
          `${ca.field}Key`,
          `the first key of "${keyField ? shown(keyField) : ''}" does not match the first certificate of "${shown(ca)}"`,
          true,
        );
    }
    if (isReplaced(ca)) checkChain(ca, certs ?? [], add, at);
  }
  const service = byName.get('ServiceKey');
  if (service && isReplaced(service)) checkServiceKey(service, add);
  return problems;
}

type Add = (field: string, message: string, fatal: boolean) => void;

/** The file in force after the rotation, as messages name it: the staged path when it replaces. */
function shown(field: RotationField): string {
  return isReplaced(field) ? field.stagedPath : field.path;
}

function parse<T>(
  field: RotationField,
  add: Add,
  parser: (text: string, source: string) => T[],
): T[] | undefined {
  const bytes = effective(field);
  if (bytes === undefined) {
    add(field.field, `"${field.path}" exists neither staged nor on disk`, true);
    return undefined;
  }
  try {
    return parser(decoder.decode(bytes), shown(field));
  } catch (error) {
    add(field.field, error instanceof Error ? error.message : String(error), true);
    return undefined;
  }
}

/** The new bundle's first certificate must verify to a root of the old bundle (through its other certificates). */
function checkChain(ca: RotationField, certs: readonly Certificate[], add: Add, at: Date): void {
  if (certs.length <= 1) {
    add(
      ca.field,
      'the new CA bundle holds a single certificate; it must also hold the certificates that chain it to the current root (a cross-signed root or an intermediate)',
      false,
    );
    return;
  }
  if (ca.current === undefined) {
    add(ca.field, `there is no current "${ca.path}" to check the new CA against`, false);
    return;
  }
  let old: Certificate[];
  try {
    old = parseCertificates(decoder.decode(ca.current), ca.path);
  } catch (error) {
    add(
      ca.field,
      `the current "${ca.path}" does not parse, so the new CA cannot be checked against it: ${error instanceof Error ? error.message : String(error)}`,
      false,
    );
    return;
  }
  const result = buildAndValidatePath({
    leaf: (certs[0] as Certificate).der,
    anchors: old.filter(isBundleRoot).map((c) => c.der),
    intermediates: [
      ...old.filter((c) => !isBundleRoot(c)),
      ...certs.slice(1).filter((c) => c.authorityKeyId !== undefined),
    ].map((c) => c.der),
    time: at,
    purpose: 'server',
    policy: { profile: 'compat' },
  });
  if (!result.valid)
    add(ca.field, `the new CA does not chain to the current CA's root: ${result.reason}`, false);
}

/** The first (signing) key of the old service.key must be among the new keys; all keys must be RSA. */
function checkServiceKey(field: RotationField, add: Add): void {
  const keys = parse(field, add, parsePrivateKeys);
  if (!keys) return;
  const notRsa = keys.find((key) => key.keyObject.asymmetricKeyType !== 'rsa');
  if (notRsa)
    add(
      field.field,
      `"${shown(field)}" holds a ${notRsa.algorithm} key; kpki keeps service-account keys RSA, as K3s generates them`,
      true,
    );
  if (field.current === undefined) {
    add(
      field.field,
      `there is no current "${field.path}" whose signing key the new one must keep`,
      false,
    );
    return;
  }
  let oldKeys: PrivateKey[];
  try {
    oldKeys = parsePrivateKeys(decoder.decode(field.current), field.path);
  } catch (error) {
    add(
      field.field,
      `the current "${field.path}" does not parse, so it cannot be checked that its signing key is kept: ${error instanceof Error ? error.message : String(error)}`,
      false,
    );
    return;
  }
  const [signer] = oldKeys;
  const spki = (key: PrivateKey): string => spkiOf(key.keyObject).toString('hex');
  if (signer && !keys.some((key) => spki(key) === spki(signer))) {
    add(
      field.field,
      'the current service-account signing key (the first key of the current service.key) is not in the new key list; tokens it signed would stop working',
      false,
    );
  }
}
