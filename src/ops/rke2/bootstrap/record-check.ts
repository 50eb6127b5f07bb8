/**
 * A bootstrap record is input like any other file: before `bootstrap restore` writes a byte,
 * every CA certificate in it must parse and be a CA, every CA key must parse and be the key of
 * its certificate, and the service-account keys must parse. A record whose `ServerCA` is garbage
 * or whose key belongs to another CA would leave the server unable to start (or trusting a CA
 * nobody holds the key of), so it is refused whole. Messages never quote the record's bytes.
 */
import { describeError, ValidationError } from '../../../errors.js';
import type { BootstrapField, BootstrapFile } from '../../../layouts/bootstrap-record.js';
import { keyMatchesCertificate, parseCertificates } from '../../../pki/certificate.js';
import { parsePrivateKeys } from '../../../pki/keys.js';

const decoder = new TextDecoder();

/** The record fields of one CA: `<Prefix>` (certificate) and `<Prefix>Key`. */
const CA_PREFIXES = ['ETCDServerCA', 'ETCDPeerCA', 'ServerCA', 'ClientCA', 'RequestHeaderCA'];
const SERVICE_KEY = 'ServiceKey';

/**
 * Checks the CA pairs and the service key of a record (fields absent from it are not checked:
 * K3s leaves out what a server does not have).
 * @throws ValidationError `BAD_RECORD` naming the record key, the field and its path.
 */
export function checkBootstrapRecordFiles(
  key: string,
  fields: readonly BootstrapField[],
  record: ReadonlyMap<string, BootstrapFile>,
): void {
  const pathOf = (name: string): string => fields.find((f) => f.name === name)?.path ?? name;
  const fail = (name: string, what: string, cause?: unknown): never => {
    throw new ValidationError(
      'BAD_RECORD',
      `the bootstrap record "${key}" field "${name}" ("${pathOf(name)}") ${what}; refusing to restore it`,
      {
        ...(cause !== undefined && { cause }),
        hint: 'save a good record from a healthy server with: kpki bootstrap save --override',
      },
    );
  };
  for (const prefix of CA_PREFIXES) {
    const certFile = record.get(prefix);
    const keyFile = record.get(`${prefix}Key`);
    if (!certFile) {
      if (keyFile) fail(`${prefix}Key`, 'holds a CA key without its certificate');
      continue;
    }
    const cert = attempt(
      () => parseCertificates(decoder.decode(certFile.content), pathOf(prefix))[0],
      (error) => fail(prefix, `is not a certificate: ${describeError(error)}`, error),
    );
    if (!cert) return fail(prefix, 'holds no certificate');
    if (!cert.isCA) fail(prefix, 'is not a CA certificate');
    if (!keyFile) continue;
    const caKey = attempt(
      () => parsePrivateKeys(decoder.decode(keyFile.content), pathOf(`${prefix}Key`))[0],
      (error) => fail(`${prefix}Key`, `is not a private key: ${describeError(error)}`, error),
    );
    if (!caKey) return fail(`${prefix}Key`, 'holds no private key');
    if (!keyMatchesCertificate(cert, caKey.keyObject))
      fail(`${prefix}Key`, `is not the key of the certificate in "${prefix}"`);
  }
  const serviceKey = record.get(SERVICE_KEY);
  if (serviceKey) {
    const keys = attempt(
      () => parsePrivateKeys(decoder.decode(serviceKey.content), pathOf(SERVICE_KEY)),
      (error) => fail(SERVICE_KEY, `is not a private key: ${describeError(error)}`, error),
    );
    if (keys.length === 0) fail(SERVICE_KEY, 'holds no private key');
  }
}

function attempt<T>(work: () => T, onError: (error: unknown) => never): T {
  try {
    return work();
  } catch (error) {
    return onError(error);
  }
}
