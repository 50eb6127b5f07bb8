/**
 * The one certificate issuer of every layout: a self-signed CA or a leaf for a catalogue entry,
 * with the layout's {@link IssuanceProfile} deciding serial, validity window, BasicConstraints and
 * authority key id. Signing failures become `SIGN_FAILED` naming the entry, here only.
 */
import type { KeyObject } from 'node:crypto';
import { OperationError, ValidationError } from '../../errors.js';
import type { Certificate, ExtKeyUsageName, KeyUsageName } from '../../pki/certificate.js';
import {
  issueCertificate,
  subjectKeyIdOf,
  type CertificateTemplate,
  type Issuer,
  type SigningAuthority,
} from '../../pki/issue.js';
import type { KeyAlgorithm, PrivateKey } from '../../pki/keys.js';
import type { SubjectFields } from '../../pki/name.js';
import type { AltNames } from '../../pki/san.js';
import { randomSerial } from '../../pki/serial.js';
import type { IssuanceProfile } from '../../layouts/issuance-profile.js';
import type { OpsContext } from './ports.js';

/** What issuing needs of the context: key generation and randomness (for serials). */
export type IssueContext = Pick<OpsContext, 'keys' | 'random'>;

/** A CA to issue (a catalogue CA entry fits). */
export interface CaRequest {
  readonly name: string;
  readonly subject: SubjectFields;
  readonly altNames: AltNames;
  readonly keyUsage: readonly KeyUsageName[];
  readonly validityMs: number;
  readonly keyAlgorithm: KeyAlgorithm;
}

/** A leaf to issue (a catalogue leaf or kubeconfig entry fits, with its identity spread over it). */
export interface LeafRequest {
  readonly name: string;
  /** The signing CA's name, for messages. */
  readonly ca: string;
  readonly subject: SubjectFields;
  readonly altNames: AltNames;
  readonly keyUsage: readonly KeyUsageName[];
  readonly extKeyUsage: readonly ExtKeyUsageName[];
  readonly validityMs: number;
  readonly keyAlgorithm: KeyAlgorithm;
}

/** An issued leaf and its key. */
export interface IssuedLeaf {
  readonly certificate: Certificate;
  readonly key: PrivateKey;
  /** Set when NotAfter was cut back to the CA's NotAfter (the plan says so). */
  readonly clampedToCa?: Date;
}

/** How {@link issueLeaf} treats a CA that is no longer valid. */
export interface LeafIssueOptions {
  /**
   * Sign even when the CA has expired (kubeadm's behaviour: it only warns), unclamped, since a
   * leaf clamped to a past NotAfter would be born expired. Default false: `CA_EXPIRED`.
   */
  readonly allowExpiredCa?: boolean;
}

/**
 * Issues a self-signed CA for `entry` with a new key, at instant `now`.
 * @throws OperationError `SIGN_FAILED` naming the entry when signing fails.
 */
export async function issueCa(
  ctx: IssueContext,
  profile: IssuanceProfile,
  entry: CaRequest,
  now: Date,
): Promise<SigningAuthority> {
  const key = await ctx.keys.generate(entry.keyAlgorithm);
  const notBefore = new Date(now.getTime() - profile.backdateMs);
  const template: CertificateTemplate = {
    subject: entry.subject,
    altNames: entry.altNames,
    isCA: true,
    keyUsage: entry.keyUsage,
    extKeyUsage: [],
    notBefore,
    notAfter: new Date(validityStart(profile, now, notBefore) + entry.validityMs),
    serialHex: profile.caSerial === 'zero' ? '0' : randomSerial(ctx.random),
  };
  const certificate = await signOrFail(entry.name, template, key.keyObject, { selfSigned: key });
  return { certificate, key };
}

/**
 * Issues a leaf for `leaf` signed by `ca` at instant `now`, with `key` when given (a key kept
 * through renewal, or the key of a CSR) and a new key otherwise. Every layout's leaves end no
 * later than their CA (NotAfter clamped, reported in `clampedToCa`): a leaf that outlives its CA
 * fails verification from that day on (kubeadm does not clamp; kpki improves on it).
 * @throws ValidationError `CA_EXPIRED` (with the profile's hint naming the CA rotation) when the CA
 *   is no longer valid at `now`, unless `options.allowExpiredCa`; OperationError `SIGN_FAILED`
 *   naming the leaf when signing fails.
 */
export async function issueLeaf(
  ctx: IssueContext,
  profile: IssuanceProfile,
  leaf: LeafRequest,
  ca: SigningAuthority,
  now: Date,
  key?: PrivateKey,
  options: LeafIssueOptions = {},
): Promise<IssuedLeaf> {
  // The CA-expiry refusal comes before any key is made, as the template's serial comes after it.
  leafBounds(profile, leaf, ca, now, options);
  const leafKey = key ?? (await ctx.keys.generate(leaf.keyAlgorithm));
  const { template, clampedToCa } = leafTemplate(ctx, profile, leaf, ca, now, options);
  const signer = profile.leafAuthorityKeyId === 'derived-when-missing' ? withKeyId(ca) : ca;
  const certificate = await signOrFail(leaf.name, template, leafKey.keyObject, signer);
  return { certificate, key: leafKey, ...(clampedToCa && { clampedToCa }) };
}

/**
 * Issues a leaf as {@link issueLeaf} does for a public key whose private half kpki never sees
 * (a CertificateSigningRequest's): same validity rules, clamp and refusals.
 * @throws as {@link issueLeaf}.
 */
export async function issueLeafForPublicKey(
  ctx: IssueContext,
  profile: IssuanceProfile,
  leaf: LeafRequest,
  ca: SigningAuthority,
  now: Date,
  publicKey: KeyObject,
): Promise<Certificate> {
  const { template } = leafTemplate(ctx, profile, leaf, ca, now, {});
  const signer = profile.leafAuthorityKeyId === 'derived-when-missing' ? withKeyId(ca) : ca;
  return signOrFail(leaf.name, template, publicKey, signer);
}

function leafTemplate(
  ctx: IssueContext,
  profile: IssuanceProfile,
  leaf: LeafRequest,
  ca: SigningAuthority,
  now: Date,
  options: LeafIssueOptions,
): { template: CertificateTemplate; clampedToCa: Date | undefined } {
  const { notBefore, notAfter, clampedToCa } = leafBounds(profile, leaf, ca, now, options);
  return {
    template: {
      subject: leaf.subject,
      altNames: leaf.altNames,
      isCA: false,
      keyUsage: leaf.keyUsage,
      extKeyUsage: leaf.extKeyUsage,
      notBefore,
      notAfter,
      serialHex: randomSerial(ctx.random),
      ...(profile.leafBasicConstraints ? {} : { basicConstraints: false }),
    },
    clampedToCa,
  };
}

/** A leaf's validity window; throws `CA_EXPIRED` as {@link issueLeaf} says. */
function leafBounds(
  profile: IssuanceProfile,
  leaf: LeafRequest,
  ca: SigningAuthority,
  now: Date,
  options: LeafIssueOptions,
): { notBefore: Date; notAfter: Date; clampedToCa: Date | undefined } {
  const caCert = ca.certificate;
  const notBefore = leafNotBefore(profile, now, caCert);
  const wanted = validityStart(profile, now, notBefore) + leaf.validityMs;
  const caEnd = caCert.notAfter.getTime();
  const caExpired = caEnd <= now.getTime();
  if (caExpired && options.allowExpiredCa !== true)
    throw new ValidationError(
      'CA_EXPIRED',
      `cannot issue "${leaf.name}": CA "${leaf.ca}" expired on ${caCert.notAfter.toISOString()}`,
      { hint: profile.leafWithinCa.expiredHint },
    );
  const notAfter = caExpired ? wanted : Math.min(wanted, caEnd);
  return {
    notBefore,
    notAfter: new Date(notAfter),
    clampedToCa: notAfter < wanted ? caCert.notAfter : undefined,
  };
}

function leafNotBefore(profile: IssuanceProfile, now: Date, ca: Certificate): Date {
  const backdated = now.getTime() - profile.backdateMs;
  switch (profile.leafNotBefore) {
    case 'backdated':
      return new Date(backdated);
    case 'backdated-within-ca':
      return new Date(Math.max(backdated, ca.notBefore.getTime()));
    case 'ca-not-before':
      return ca.notBefore;
  }
}

function validityStart(profile: IssuanceProfile, now: Date, notBefore: Date): number {
  switch (profile.validityFrom) {
    case 'issuing-instant':
      return now.getTime();
    case 'not-before':
      return notBefore.getTime();
  }
}

/** The CA with a subject key id derived from its key (RFC 5280 §4.2.1.2 method 1) when it has none. */
function withKeyId(ca: SigningAuthority): SigningAuthority {
  if (ca.certificate.subjectKeyId !== undefined) return ca;
  return {
    key: ca.key,
    certificate: { ...ca.certificate, subjectKeyId: subjectKeyIdOf(ca.certificate.spki) },
  };
}

async function signOrFail(
  name: string,
  template: CertificateTemplate,
  subjectKey: KeyObject,
  issuer: Issuer,
): Promise<Certificate> {
  try {
    return await issueCertificate(template, subjectKey, issuer);
  } catch (error) {
    throw new OperationError('SIGN_FAILED', `cannot sign the certificate for "${name}"`, {
      cause: error,
    });
  }
}
