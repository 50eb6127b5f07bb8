/**
 * The fast issuance path: certificates built from a pre-encoded DER template per issuer and
 * profile, signed with node:crypto's thread-pool `sign`. Only serial, validity, subject, SANs,
 * public key, subject key id and signature are encoded per certificate; the signature algorithm,
 * issuer name and the key usage, extended key usage, basic constraints (unless the template
 * leaves them out) and authority key id
 * extensions are encoded once. The profile is the one pki/issue.ts documents (Go's extension
 * order and string types); tests hold both paths to the same output.
 */
import { sign, type KeyObject } from 'node:crypto';
import { EKU_OIDS, parseCertificateDer, type Certificate } from './certificate.js';
import { KEY_USAGE_BITS } from './certificate-decoder.js';
import type { CertificateTemplate, Issuer } from './certificate-template.js';
import {
  bitString,
  contextTag,
  namedBits,
  NULL,
  octetString,
  oid,
  positiveInteger,
  sequence,
  smallInteger,
  time,
  tlv,
  TRUE,
} from './der-writer.js';
import { subjectKeyIdOf } from './key-id.js';
import { encodeName } from './name.js';
import { ipToBytes } from './san.js';
import { spkiDer } from './key-der.js';

interface SignatureScheme {
  readonly hash: 'sha256' | 'sha384';
  /** DER AlgorithmIdentifier, as Go writes it (RSA with NULL parameters, ECDSA without). */
  readonly algorithm: Buffer;
}

const RSA_SHA256: SignatureScheme = {
  hash: 'sha256',
  algorithm: sequence(oid('1.2.840.113549.1.1.11'), NULL),
};
const ECDSA_SHA256: SignatureScheme = {
  hash: 'sha256',
  algorithm: sequence(oid('1.2.840.10045.4.3.2')),
};
const ECDSA_SHA384: SignatureScheme = {
  hash: 'sha384',
  algorithm: sequence(oid('1.2.840.10045.4.3.3')),
};

/** Go's default signature algorithm for a key (SHA-256 for RSA and P-256, SHA-384 for P-384). */
function schemeOf(key: KeyObject): SignatureScheme | undefined {
  if (key.asymmetricKeyType === 'rsa') return RSA_SHA256;
  const curve = key.asymmetricKeyType === 'ec' ? key.asymmetricKeyDetails?.namedCurve : undefined;
  if (curve === 'prime256v1') return ECDSA_SHA256;
  if (curve === 'secp384r1') return ECDSA_SHA384;
  return undefined;
}

/** True when the fast path can sign with `signingKey` (RSA, ECDSA P-256 or P-384). */
export function canIssueFast(signingKey: KeyObject): boolean {
  return schemeOf(signingKey) !== undefined;
}

/** The parts of a certificate that depend only on the issuer and the profile. */
interface ProfileTemplate {
  readonly scheme: SignatureScheme;
  readonly version: Buffer;
  /** Undefined for self-signed certificates, whose issuer is their own subject. */
  readonly issuerName: Buffer | undefined;
  /** Key usage, extended key usage and basic constraints extensions, in Go's order. */
  readonly leading: Buffer;
  /** The authority key id extension, or empty. */
  readonly authorityKeyId: Buffer;
}

const OID_KU = oid('2.5.29.15');
const OID_EKU = oid('2.5.29.37');
const OID_BC = oid('2.5.29.19');
const OID_SKI = oid('2.5.29.14');
const OID_AKI = oid('2.5.29.35');
const OID_SAN = oid('2.5.29.17');

function extension(id: Buffer, critical: boolean, value: Buffer): Buffer {
  return critical ? sequence(id, TRUE, octetString(value)) : sequence(id, octetString(value));
}

/** Templates per issuer object (a CA certificate, or the key of a self-signed one), then per profile. */
const templates = new WeakMap<object, Map<string, ProfileTemplate>>();

function profileTemplate(template: CertificateTemplate, issuer: Issuer): ProfileTemplate {
  const owner = 'selfSigned' in issuer ? issuer.selfSigned.keyObject : issuer.certificate;
  const withBc = template.isCA || template.basicConstraints !== false;
  const key = `${String(template.isCA)}|${String(withBc)}|${template.keyUsage.join(',')}|${template.extKeyUsage.join(',')}`;
  let byProfile = templates.get(owner);
  if (!byProfile) templates.set(owner, (byProfile = new Map<string, ProfileTemplate>()));
  let found = byProfile.get(key);
  if (!found) {
    found = buildProfile(template, issuer);
    byProfile.set(key, found);
  }
  return found;
}

function buildProfile(template: CertificateTemplate, issuer: Issuer): ProfileTemplate {
  const signer = 'selfSigned' in issuer ? issuer.selfSigned : issuer.key;
  const scheme = schemeOf(signer.keyObject);
  if (!scheme) throw new Error(`the fast path cannot sign with a ${signer.algorithm} key`);
  const leading: Buffer[] = [];
  const kuFlags = template.keyUsage.reduce((bits, usage) => bits | KEY_USAGE_BITS[usage], 0);
  if (kuFlags !== 0) leading.push(extension(OID_KU, true, namedBits(kuFlags)));
  if (template.extKeyUsage.length > 0)
    leading.push(
      extension(OID_EKU, false, sequence(...template.extKeyUsage.map((eku) => oid(EKU_OIDS[eku])))),
    );
  if (template.isCA || template.basicConstraints !== false)
    leading.push(extension(OID_BC, true, template.isCA ? sequence(TRUE) : sequence()));
  const issuerKeyId = 'selfSigned' in issuer ? undefined : issuer.certificate.subjectKeyId;
  return {
    scheme,
    version: tlv(contextTag(0, true), smallInteger(2)),
    issuerName: 'selfSigned' in issuer ? undefined : Buffer.from(issuer.certificate.subjectDer),
    leading: Buffer.concat(leading),
    authorityKeyId:
      issuerKeyId === undefined
        ? Buffer.alloc(0)
        : extension(
            OID_AKI,
            false,
            sequence(tlv(contextTag(0, false), Buffer.from(issuerKeyId, 'hex'))),
          ),
  };
}

/** The subject alternative names extension (DNS names, then IPs, as Go orders them), or empty. */
function altNamesExtension(names: CertificateTemplate['altNames']): Buffer {
  if (!names || names.dns.length + names.ip.length === 0) return Buffer.alloc(0);
  const entries = [
    ...names.dns.map((dns) => tlv(contextTag(2, false), Buffer.from(dns, 'latin1'))),
    ...names.ip.map((ip) => tlv(contextTag(7, false), ipToBytes(ip))),
  ];
  return extension(OID_SAN, false, sequence(...entries));
}

/** DER of the TBSCertificate for `template` under `profile`. */
function encodeTbs(template: CertificateTemplate, profile: ProfileTemplate, spki: Buffer): Buffer {
  const subject = Buffer.from(encodeName(template.subject));
  const ski =
    template.isCA || template.subjectKeyId === true
      ? extension(OID_SKI, false, octetString(Buffer.from(subjectKeyIdOf(spki), 'hex')))
      : Buffer.alloc(0);
  const extensions = sequence(
    profile.leading,
    ski,
    profile.authorityKeyId,
    altNamesExtension(template.altNames),
  );
  return sequence(
    profile.version,
    positiveInteger(template.serialHex),
    profile.scheme.algorithm,
    profile.issuerName ?? subject,
    sequence(time(template.notBefore), time(template.notAfter)),
    subject,
    spki,
    tlv(contextTag(3, true), extensions),
  );
}

/** node:crypto's callback `sign` runs in the libuv pool, so many signatures use every core. */
function signAsync(hash: string, data: Buffer, key: KeyObject): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    sign(hash, data, key, (error, signature) => (error ? reject(error) : resolve(signature))),
  );
}

/**
 * Issues a certificate on the fast path; same contract as `issueCertificate` in pki/issue.ts.
 * @throws Error when the signing key is not RSA or ECDSA P-256/P-384 (see {@link canIssueFast}).
 */
export async function issueCertificateFast(
  template: CertificateTemplate,
  subjectKey: KeyObject,
  issuer: Issuer,
): Promise<Certificate> {
  const profile = profileTemplate(template, issuer);
  const signer = 'selfSigned' in issuer ? issuer.selfSigned : issuer.key;
  const spki = spkiDer(subjectKey);
  const tbs = encodeTbs(template, profile, spki);
  const signature = await signAsync(profile.scheme.hash, tbs, signer.keyObject);
  const der = sequence(tbs, profile.scheme.algorithm, bitString(signature));
  return parseCertificateDer(
    new Uint8Array(der.buffer, der.byteOffset, der.byteLength),
    'issued certificate',
  );
}
