/** What a certificate to issue holds, and who signs it: the input of both issuance paths. */
import type { Certificate, ExtKeyUsageName, KeyUsageName } from './certificate.js';
import type { PrivateKey } from './keys.js';
import type { SubjectFields } from './name.js';
import type { AltNames } from './san.js';

/** Everything that goes into a certificate except keys and issuer. */
export interface CertificateTemplate {
  readonly subject: SubjectFields;
  readonly altNames?: AltNames;
  readonly isCA: boolean;
  readonly keyUsage: readonly KeyUsageName[];
  readonly extKeyUsage: readonly ExtKeyUsageName[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Lower-case hex, positive. */
  readonly serialHex: string;
  /** Go adds a SHA-1 subject key id to CA certificates only; set true to force one on a leaf. */
  readonly subjectKeyId?: boolean;
  /**
   * Write the BasicConstraints extension (default true, Go's BasicConstraintsValid). RKE's leaf
   * template leaves it out; a CA always gets it.
   */
  readonly basicConstraints?: boolean;
}

/** The CA that signs: its certificate and private key. */
export interface SigningAuthority {
  readonly certificate: Certificate;
  readonly key: PrivateKey;
}

/** Who signs: a CA, or the certificate's own key (self-signed). */
export type Issuer = SigningAuthority | { readonly selfSigned: PrivateKey };
