import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { readCertificateLayout } from '../certificate-layout.js';
import { parsePemCertificates } from './pem.js';
import { parseTbsFieldsWithAsn1 } from './asn1-tbs-fields.js';
import { readTbsFields, type TbsFields } from './tbs-fields.js';
import { issue } from '../../../test/support/make-chain.js';
import { testdata } from '../../../test/support/testdata.js';

interface LimboCase {
  readonly peer_certificate: string;
  readonly untrusted_intermediates: readonly string[];
  readonly trusted_certs: readonly string[];
}

/** Every distinct certificate of the x509-limbo suite: hostile and odd encodings included. */
function limboCertificates(): Uint8Array[] {
  const suite = JSON.parse(readFileSync(testdata('x509-limbo', 'limbo.json'), 'utf8')) as {
    testcases: LimboCase[];
  };
  const seen = new Map<string, Uint8Array>();
  for (const c of suite.testcases) {
    for (const pem of [c.peer_certificate, ...c.untrusted_intermediates, ...c.trusted_certs]) {
      try {
        for (const der of parsePemCertificates(pem, 'limbo'))
          seen.set(Buffer.from(der).toString('hex'), der);
      } catch {
        // A case whose PEM does not parse has no certificate to compare.
      }
    }
  }
  return [...seen.values()];
}

type Verdict = { fast: TbsFields | undefined; general: TbsFields | undefined };

/** Both readers on one input; the layout must accept it first, as in decode-certificate.ts. */
function both(der: Uint8Array): Verdict | undefined {
  let layout;
  try {
    layout = readCertificateLayout(der);
  } catch {
    return undefined;
  }
  let general: TbsFields | undefined;
  try {
    general = parseTbsFieldsWithAsn1(der);
  } catch {
    general = undefined;
  }
  return { fast: readTbsFields(der, layout), general };
}

/** The one-sided contract: the fast reader answers only where the general parse agrees exactly. */
function assertAgrees(der: Uint8Array): boolean {
  const v = both(der);
  if (v?.fast === undefined) return false;
  assert.ok(v.general !== undefined, `fast reader accepted ${Buffer.from(der).toString('hex')}`);
  assert.deepEqual(v.fast, v.general);
  return true;
}

const corpus = limboCertificates();

describe('readTbsFields', () => {
  it('agrees with the asn1-x509 parse on every x509-limbo certificate it answers for', () => {
    const answered = corpus.filter((der) => assertAgrees(der)).length;
    // Most of the suite is ordinary DER: the fast path must really be the common path.
    assert.ok(answered > corpus.length * 0.9, `answered ${answered} of ${corpus.length}`);
  });

  it('answers for kpki-issued certificates (RSA and ECDSA, UTF8 names)', async () => {
    const root = await issue({ subject: 'CN=Root, O=kpki', ca: true, pathLen: 1 });
    const leaf = await issue({ subject: 'CN=système:node', issuer: root, dns: ['a.test'] });
    for (const der of [root.der, leaf.der]) assert.ok(assertAgrees(der));
  });

  it('never answers where the general parse rejects or differs, under byte mutations', () => {
    fc.assert(
      fc.property(
        fc.nat(corpus.length - 1),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), {
          minLength: 1,
          maxLength: 3,
        }),
        (which, edits) => {
          const der = Uint8Array.from(corpus[which]!);
          for (const [at, x] of edits) der[at % der.length]! ^= x;
          assertAgrees(der);
        },
      ),
      { numRuns: Number(process.env.TBS_RUNS ?? 3000) },
    );
  });

  it('leaves a malformed time outside validity to the general parse (found by the mutations)', () => {
    // An EC curve OID retagged as GeneralizedTime: asn1js converts every time and throws on it.
    const p256 = Buffer.from('06082a8648ce3d030107', 'hex');
    const leaf = corpus.find((der) => Buffer.from(der).includes(p256) && assertAgrees(der))!;
    const bad = Uint8Array.from(leaf);
    bad[Buffer.from(bad).indexOf(p256)] = 0x18;
    assert.ok(readTbsFields(leaf, readCertificateLayout(leaf)) !== undefined);
    assert.throws(() => parseTbsFieldsWithAsn1(bad));
    assert.equal(both(bad)?.fast, undefined);
  });

  it('leaves inputs outside its profile to the general parse', () => {
    // A BMPString name value, a SET-less RDN and a 10,000-byte input are all outside.
    const leaf = corpus.find((der) => assertAgrees(der))!;
    const big = new Uint8Array(10_004);
    big.set([0x30, 0x82, 0x27, 0x10]);
    assert.equal(both(big), undefined);
    const layout = readCertificateLayout(leaf);
    const bmp = Uint8Array.from(leaf);
    const subject = bmp.subarray(layout.subject.contentStart, layout.subject.end);
    const printable = subject.findIndex((b, i) => (b === 0x13 || b === 0x0c) && i > 6);
    if (printable >= 0) {
      bmp[layout.subject.contentStart + printable] = 0x1e;
      assert.equal(readTbsFields(bmp, readCertificateLayout(bmp)), undefined);
    }
  });
});
