import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';

import fc from 'fast-check';
import { generatePrivateKey, type KeyAlgorithm, type PrivateKey } from './keys.js';
import {
  issueCertificate,
  issueCertificateGeneral,
  type CertificateTemplate,
  type SigningAuthority,
} from './issue.js';
import { canIssueFast, issueCertificateFast } from './fast-issue.js';
import { childrenOf, encodingOf, readTlv } from './der-reader.js';
import { canonicalIp } from './san.js';
import type { Certificate, ExtKeyUsageName, KeyUsageName } from './certificate.js';
import { opensslText, opensslVerify } from '../../test/support/openssl-batch.js';
import { keyPairSync } from '../../test/support/key-pair.js';

const VERIFY_AT = new Date('2026-06-01T00:00:00Z');
const CA_ALGORITHMS: readonly KeyAlgorithm[] = ['RSA-2048', 'ECDSA-P256', 'ECDSA-P384'];
const LEAF_ALGORITHMS: readonly KeyAlgorithm[] = [
  'ECDSA-P256',
  'ECDSA-P256',
  'RSA-2048',
  'ECDSA-P384',
];

/** The TBSCertificate bytes: everything but the signature algorithm repeat and the signature. */
function tbsOf(cert: Certificate): Buffer {
  const outer = readTlv(cert.der, 0);
  return Buffer.from(encodingOf(cert.der, childrenOf(cert.der, outer)[0]!));
}

function caTemplate(cn: string): CertificateTemplate {
  return {
    subject: { cn },
    isCA: true,
    keyUsage: ['digitalSignature', 'keyEncipherment', 'keyCertSign'],
    extKeyUsage: [],
    notBefore: new Date('1999-01-01T00:00:00Z'),
    notAfter: new Date('2099-01-01T00:00:00Z'),
    serialHex: '1',
  };
}

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
const dnsName = fc.array(label, { minLength: 1, maxLength: 4 }).map((labels) => labels.join('.'));
const ip = fc.oneof(fc.ipV4(), fc.ipV6()).map((value) => canonicalIp(value) ?? value);
// Printable, UTF-8 (accents, CJK, emoji) and the characters that force UTF8String (e.g. '@', '_').
const text = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9 '()+,\-./:=?]{1,24}$/),
  fc.string({ minLength: 1, maxLength: 16, unit: 'grapheme' }),
  fc.constantFrom(
    'system:node:worker-1',
    'system:masters',
    'user@example.com',
    'kube_scheduler',
    'Zürich',
  ),
);
const keyUsages: readonly KeyUsageName[] = [
  'digitalSignature',
  'keyEncipherment',
  'keyCertSign',
  'cRLSign',
];
const extKeyUsages: readonly ExtKeyUsageName[] = ['serverAuth', 'clientAuth'];

/**
 * A template as kpki's catalogues make them: CAs always carry keyCertSign and leaves never carry
 * keyCertSign or cRLSign (openssl -x509_strict rejects both other ways, error 82).
 */
const templateArb = fc
  .record({
    cn: text,
    o: fc.array(text, { maxLength: 3 }),
    dns: fc.array(dnsName, { maxLength: 3 }),
    ip: fc.array(ip, { maxLength: 3 }),
    isCA: fc.boolean(),
    keyUsage: fc.subarray([...keyUsages]),
    extKeyUsage: fc.subarray([...extKeyUsages]),
    subjectKeyId: fc.boolean(),
    // RKE's leaves have no BasicConstraints; CAs always do.
    basicConstraints: fc.boolean(),
    serial: fc.bigInt({ min: 1n, max: (1n << 159n) - 1n }).map((n) => n.toString(16)),
    // 2000..2025 before the verification time; 2027..2099 after it (both UTCTime and GeneralizedTime).
    notBefore: fc.integer({ min: 946_684_800, max: 1_735_689_600 }).map((s) => new Date(s * 1000)),
    notAfter: fc.integer({ min: 1_798_761_600, max: 4_070_908_800 }).map((s) => new Date(s * 1000)),
    caIndex: fc.nat({ max: CA_ALGORITHMS.length - 1 }),
    keyIndex: fc.nat({ max: LEAF_ALGORITHMS.length - 1 }),
  })
  .map((r): { template: CertificateTemplate; caIndex: number; keyIndex: number } => ({
    caIndex: r.caIndex,
    keyIndex: r.keyIndex,
    template: {
      subject: r.o.length > 0 ? { cn: r.cn, o: r.o } : { cn: r.cn },
      altNames: { dns: r.dns, ip: r.ip },
      isCA: r.isCA,
      keyUsage: r.isCA
        ? [...r.keyUsage.filter((usage) => usage !== 'keyCertSign'), 'keyCertSign']
        : r.keyUsage.filter((usage) => usage === 'digitalSignature' || usage === 'keyEncipherment'),
      extKeyUsage: r.extKeyUsage,
      notBefore: r.notBefore,
      notAfter: r.notAfter,
      serialHex: r.serial,
      ...(r.subjectKeyId && { subjectKeyId: true }),
      ...(!r.basicConstraints && { basicConstraints: false }),
    },
  }));

describe('fast issuance path against the general (@peculiar/x509) path', () => {
  const cas: SigningAuthority[] = [];
  const leafKeys: PrivateKey[] = [];

  before(async () => {
    for (const [i, algorithm] of CA_ALGORITHMS.entries()) {
      const key = await generatePrivateKey(algorithm);
      cas.push({
        key,
        certificate: await issueCertificateGeneral(caTemplate(`ca-${i}`), key.keyObject, {
          selfSigned: key,
        }),
      });
    }
    leafKeys.push(...(await Promise.all(LEAF_ALGORITHMS.map(generatePrivateKey))));
  });

  it('self-signed CAs: identical TBS bytes for RSA, P-256 and P-384', async () => {
    for (const ca of cas) {
      const template = { ...caTemplate('root'), subject: { cn: 'root', o: ['b', 'a', 'Zürich'] } };
      const general = await issueCertificateGeneral(template, ca.key.keyObject, {
        selfSigned: ca.key,
      });
      const fast = await issueCertificateFast(template, ca.key.keyObject, { selfSigned: ca.key });
      assert.deepStrictEqual(tbsOf(fast), tbsOf(general), ca.key.algorithm);
      assert.deepStrictEqual(
        { ...fast, der: null, pem: null },
        { ...general, der: null, pem: null },
      );
    }
  });

  it('for random templates: identical TBS, identical openssl -text, and both verify against the CA with -x509_strict', async () => {
    const pairs: { general: Certificate; fast: Certificate; caIndex: number }[] = [];
    await fc.assert(
      fc.asyncProperty(templateArb, async ({ template, caIndex, keyIndex }) => {
        const ca = cas[caIndex]!;
        const key = leafKeys[keyIndex]!.keyObject;
        const general = await issueCertificateGeneral(template, key, ca);
        const fast = await issueCertificateFast(template, key, ca);
        // Only the signature may differ (ECDSA signatures are randomised; RSA PKCS#1 v1.5 ones are not).
        assert.deepStrictEqual(tbsOf(fast), tbsOf(general));
        assert.deepStrictEqual(
          { ...fast, der: null, pem: null },
          { ...general, der: null, pem: null },
        );
        pairs.push({ general, fast, caIndex });
      }),
      { numRuns: 120 },
    );

    const texts = opensslText(pairs.flatMap((p) => [p.general.pem, p.fast.pem]));
    pairs.forEach((_, i) => {
      const [general, fast] = [texts[2 * i]!, texts[2 * i + 1]!];
      assert.match(
        general,
        /X509v3 Key Usage|X509v3 Basic Constraints|X509v3 Subject Alternative Name|X509v3 Authority Key Identifier/,
      );
      assert.equal(fast, general, `openssl decodes pair ${i} differently`);
    });
    for (const [caIndex, ca] of cas.entries()) {
      const mine = pairs
        .filter((p) => p.caIndex === caIndex)
        .flatMap((p) => [p.general.pem, p.fast.pem]);
      const { ok, output } = opensslVerify(ca.certificate.pem, mine, VERIFY_AT);
      assert.ok(ok.every(Boolean), `openssl verify failed under ${ca.key.algorithm}:\n${output}`);
    }
  });
});

describe('issueCertificate picks its path', () => {
  it('uses the fast path for RSA and ECDSA signers, and the general path otherwise', () => {
    const ed25519 = keyPairSync('ed25519').privateKey;
    const cases: Record<string, [boolean, boolean]> = {
      rsa: [canIssueFast(keyPairSync('rsa', { modulusLength: 1024 }).privateKey), true],
      'ecdsa p-256': [
        canIssueFast(keyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey),
        true,
      ],
      'ecdsa secp256k1': [
        canIssueFast(keyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey),
        false,
      ],
      ed25519: [canIssueFast(ed25519), false],
    };
    for (const [name, [actual, expected]] of Object.entries(cases))
      assert.equal(actual, expected, name);
  });

  it('reports an unsupported signing key through the general path', async () => {
    const key = { algorithm: 'RSA-0' as const, keyObject: keyPairSync('ed25519').privateKey };
    await assert.rejects(
      issueCertificate(caTemplate('x'), key.keyObject, { selfSigned: key }),
      /unsupported key type ed25519/,
    );
  });
});
