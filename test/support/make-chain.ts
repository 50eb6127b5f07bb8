// Test-only certificate factory on @peculiar/x509: small chains with chosen extensions, so unit
// and CLI tests build exactly the scenario they name instead of shipping fixtures.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';

type CryptoKeyPair = webcrypto.CryptoKeyPair;
type Alg = webcrypto.Algorithm & Record<string, unknown>;
import * as x509 from '@peculiar/x509';
import { AsnConvert } from '@peculiar/asn1-schema';
import { GeneralName, GeneralSubtree, GeneralSubtrees, NameConstraints } from '@peculiar/asn1-x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export type KeyAlg = 'p256' | 'p384' | 'rsa' | 'rsa-pss' | 'ed25519';

const ALGS: Record<KeyAlg, { gen: Alg; sign: Alg }> = {
  p256: { gen: { name: 'ECDSA', namedCurve: 'P-256' }, sign: { name: 'ECDSA', hash: 'SHA-256' } },
  p384: { gen: { name: 'ECDSA', namedCurve: 'P-384' }, sign: { name: 'ECDSA', hash: 'SHA-384' } },
  rsa: {
    gen: {
      name: 'RSASSA-PKCS1-v1_5',
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: 'SHA-256',
    },
    sign: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
  },
  'rsa-pss': {
    gen: {
      name: 'RSA-PSS',
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: 'SHA-256',
    },
    sign: { name: 'RSA-PSS', hash: 'SHA-256', saltLength: 32 },
  },
  ed25519: { gen: { name: 'Ed25519' }, sign: { name: 'Ed25519' } },
};

export type { CryptoKeyPair };

export interface Issued {
  readonly cert: x509.X509Certificate;
  readonly der: Uint8Array;
  readonly pem: string;
  readonly keys: CryptoKeyPair;
  readonly alg: KeyAlg;
}

export interface IssueOptions {
  readonly subject: string;
  readonly issuer?: Issued;
  readonly ca?: boolean;
  readonly pathLen?: number;
  readonly dns?: readonly string[];
  readonly ips?: readonly string[];
  readonly eku?: readonly string[];
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  readonly alg?: KeyAlg;
  readonly keys?: CryptoKeyPair;
  readonly permittedDns?: readonly string[];
  readonly excludedDns?: readonly string[];
  readonly extra?: readonly x509.Extension[];
  readonly omitKeyIds?: boolean;
}

export const T0 = new Date('2025-01-01T00:00:00Z');
export const T1 = new Date('2035-01-01T00:00:00Z');

function subtrees(names: readonly string[]): GeneralSubtrees {
  return new GeneralSubtrees(
    names.map((n) => new GeneralSubtree({ base: new GeneralName({ dNSName: n }) })),
  );
}

/** A nameConstraints extension with dNSName subtrees (no class for it in @peculiar/x509). */
export function nameConstraintsExtension(
  permitted: readonly string[],
  excluded: readonly string[],
): x509.Extension {
  const nc = new NameConstraints({
    ...(permitted.length > 0 ? { permittedSubtrees: subtrees(permitted) } : {}),
    ...(excluded.length > 0 ? { excludedSubtrees: subtrees(excluded) } : {}),
  });
  return new x509.Extension('2.5.29.30', true, AsnConvert.serialize(nc));
}

async function extensionsFor(o: IssueOptions, keys: CryptoKeyPair): Promise<x509.Extension[]> {
  const ext: x509.Extension[] = [];
  if (o.ca) {
    ext.push(new x509.BasicConstraintsExtension(true, o.pathLen, true));
    ext.push(
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
    );
  } else {
    ext.push(new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true));
  }
  if (!o.omitKeyIds) {
    ext.push(await x509.SubjectKeyIdentifierExtension.create(keys.publicKey));
    ext.push(await x509.AuthorityKeyIdentifierExtension.create((o.issuer?.keys ?? keys).publicKey));
  }
  const sans = [
    ...(o.dns ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(o.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  if (sans.length > 0) ext.push(new x509.SubjectAlternativeNameExtension(sans));
  if (o.eku) ext.push(new x509.ExtendedKeyUsageExtension([...o.eku]));
  if (o.permittedDns || o.excludedDns)
    ext.push(nameConstraintsExtension(o.permittedDns ?? [], o.excludedDns ?? []));
  return [...ext, ...(o.extra ?? [])];
}

let serial = 1;

/** Issues a certificate (self-signed when `issuer` is absent). */
export async function issue(o: IssueOptions): Promise<Issued> {
  const alg = o.alg ?? o.issuer?.alg ?? 'p256';
  const keys =
    o.keys ??
    ((await webcrypto.subtle.generateKey(ALGS[alg].gen, true, [
      'sign',
      'verify',
    ])) as CryptoKeyPair);
  const signer = o.issuer ?? { keys, alg, cert: undefined };
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: (serial++).toString(16).padStart(4, '0'),
    subject: o.subject,
    issuer: o.issuer ? o.issuer.cert.subject : o.subject,
    notBefore: o.notBefore ?? T0,
    notAfter: o.notAfter ?? T1,
    signingAlgorithm: ALGS[signer.alg].sign,
    publicKey: keys.publicKey,
    signingKey: signer.keys.privateKey,
    extensions: await extensionsFor(o, keys),
  });
  return { cert, der: new Uint8Array(cert.rawData), pem: cert.toString('pem'), keys, alg };
}

/** root -> intermediate -> leaf for `host`, all P-256 unless told otherwise. */
export async function makeChain(
  host = 'api.example.test',
  alg: KeyAlg = 'p256',
): Promise<{ root: Issued; ica: Issued; leaf: Issued }> {
  const root = await issue({ subject: 'CN=Test Root', ca: true, alg });
  const ica = await issue({ subject: 'CN=Test Intermediate', ca: true, pathLen: 0, issuer: root });
  const leaf = await issue({
    subject: `CN=${host}`,
    issuer: ica,
    dns: [host],
    eku: ['1.3.6.1.5.5.7.3.1'],
  });
  return { root, ica, leaf };
}
