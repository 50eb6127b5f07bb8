import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KeyObject } from 'node:crypto';

import {
  issueCa,
  issueLeaf,
  type CaRequest,
  type IssueContext,
  type LeafRequest,
} from './issue.js';
import { subjectKeyIdOf, type SigningAuthority } from '../../pki/issue.js';
import { spkiOf, type KeyAlgorithm, type PrivateKey } from '../../pki/keys.js';
import type { Certificate } from '../../pki/certificate.js';
import { x509 } from '../../pki/crypto-provider.js';
import type { IssuanceProfile } from '../../layouts/issuance-profile.js';
import { KUBEADM_ISSUANCE } from '../../layouts/kubeadm/issuance-profile.js';
import { RKE2_ISSUANCE } from '../../layouts/rke2/issuance-profile.js';
import { RKE_ISSUANCE } from '../../layouts/rke/issuance-profile.js';
import { OperationError, ValidationError } from '../../errors.js';
import { keyPairSync } from '../../../test/support/key-pair.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T = new Date('2026-03-01T12:00:00Z');
const at = (ms: number): Date => new Date(T.getTime() + ms);

const EC_KEYS = [0, 1, 2].map(() => keyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey);
const RSA_KEY = keyPairSync('rsa', { modulusLength: 2048 }).privateKey;

/** Fixed keys (handed out in turn) and a counting random source; `made` lists what was asked. */
function context(): { ctx: IssueContext; made: KeyAlgorithm[] } {
  const made: KeyAlgorithm[] = [];
  let counter = 0;
  const generate = (algorithm: KeyAlgorithm): Promise<PrivateKey> => {
    made.push(algorithm);
    const keyObject: KeyObject = algorithm.startsWith('RSA')
      ? RSA_KEY
      : (EC_KEYS[made.length % EC_KEYS.length] as KeyObject);
    return Promise.resolve({ algorithm, keyObject });
  };
  return {
    ctx: { keys: { generate }, random: (n) => new Uint8Array(n).map(() => counter++ * 37 + 11) },
    made,
  };
}

const CA: CaRequest = {
  name: 'test-ca',
  subject: { cn: 'test-ca' },
  altNames: { dns: [], ip: [] },
  keyUsage: ['digitalSignature', 'keyEncipherment', 'keyCertSign'],
  validityMs: 3650 * DAY,
  keyAlgorithm: 'ECDSA-P256',
};
const LEAF: LeafRequest = {
  name: 'test-leaf',
  ca: 'test-ca',
  subject: { cn: 'test-leaf', o: ['testers'] },
  altNames: { dns: ['leaf.example'], ip: ['10.0.0.1'] },
  keyUsage: ['digitalSignature', 'keyEncipherment'],
  extKeyUsage: ['serverAuth', 'clientAuth'],
  validityMs: 365 * DAY,
  keyAlgorithm: 'ECDSA-P256',
};

function extension(cert: Certificate, oid: string): x509.Extension | null {
  return new x509.X509Certificate(cert.der).getExtension(oid);
}
const BASIC_CONSTRAINTS = '2.5.29.19';

interface Expected {
  readonly caSerialZero: boolean;
  /** CA validity when issued at T. */
  readonly caNotBefore: Date;
  readonly caNotAfter: Date;
  /** A leaf issued at T by a CA issued 2 h later: no earlier than that CA, or not. */
  readonly youngCaLeafNotBefore: Date;
  readonly youngCaLeafNotAfter: Date;
  readonly leafBasicConstraints: boolean;
  /** The AKID of a leaf whose CA has no SKID: none (as Go) or derived from the CA's key. */
  readonly akidWithoutCaSkid: 'none' | 'derived';
}

const PROFILES: Record<string, [IssuanceProfile, Expected]> = {
  'kubeadm: random CA serials, everything backdated 5 min from the run start, no clamps': [
    KUBEADM_ISSUANCE,
    {
      caSerialZero: false,
      caNotBefore: at(-5 * MIN),
      caNotAfter: at(CA.validityMs),
      youngCaLeafNotBefore: at(-5 * MIN),
      youngCaLeafNotAfter: at(LEAF.validityMs),
      leafBasicConstraints: true,
      akidWithoutCaSkid: 'none',
    },
  ],
  'rke2/k3s: CA serial 0, backdated 1 h, leaves never older than their CA, lifetimes from NotBefore':
    [
      RKE2_ISSUANCE,
      {
        caSerialZero: true,
        caNotBefore: at(-HOUR),
        caNotAfter: at(-HOUR + CA.validityMs),
        youngCaLeafNotBefore: at(2 * HOUR - HOUR),
        youngCaLeafNotAfter: at(2 * HOUR - HOUR + LEAF.validityMs),
        leafBasicConstraints: false,
        akidWithoutCaSkid: 'none',
      },
    ],
  "rke: no backdate, leaf NotBefore = the CA's, AKID derived when the CA has no SKID": [
    RKE_ISSUANCE,
    {
      caSerialZero: false,
      caNotBefore: T,
      caNotAfter: at(CA.validityMs),
      youngCaLeafNotBefore: at(2 * HOUR),
      youngCaLeafNotAfter: at(LEAF.validityMs),
      leafBasicConstraints: false,
      akidWithoutCaSkid: 'derived',
    },
  ],
};

for (const [title, [profile, expected]] of Object.entries(PROFILES)) {
  describe(`shared issuance, ${title}`, () => {
    it('issues a self-signed CA with the profile serial and validity, its SKID and no AKID', async () => {
      const { ctx } = context();
      const ca = await issueCa(ctx, profile, CA, T);
      const cert = ca.certificate;
      assert.equal(/^0+$/.test(cert.serialHex), expected.caSerialZero, cert.serialHex);
      assert.deepEqual(
        [cert.notBefore, cert.notAfter],
        [expected.caNotBefore, expected.caNotAfter],
      );
      assert.equal(cert.isCA, true);
      assert.equal(cert.subjectKeyId, subjectKeyIdOf(cert.spki));
      assert.equal(cert.authorityKeyId, undefined);
      assert.deepEqual(cert.subjectDer, cert.issuerDer);
    });

    it('sets a leaf NotBefore/NotAfter by the profile when its CA is younger than the backdate', async () => {
      const { ctx } = context();
      const ca = await issueCa(ctx, profile, CA, at(2 * HOUR));
      const { certificate: cert } = await issueLeaf(ctx, profile, LEAF, ca, T);
      assert.deepEqual(
        [cert.notBefore, cert.notAfter],
        [expected.youngCaLeafNotBefore, expected.youngCaLeafNotAfter],
      );
    });

    it('writes BasicConstraints on leaves only where the profile does, never CA:TRUE', async () => {
      const { ctx } = context();
      const ca = await issueCa(ctx, profile, CA, T);
      const { certificate: cert } = await issueLeaf(ctx, profile, LEAF, ca, T);
      assert.equal(cert.isCA, false);
      assert.equal(extension(cert, BASIC_CONSTRAINTS) !== null, expected.leafBasicConstraints);
      assert.equal(extension(ca.certificate, BASIC_CONSTRAINTS)?.critical, true);
      assert.equal(cert.serialHex === ca.certificate.serialHex, false);
      assert.equal(cert.subject.cn, 'test-leaf');
      assert.deepEqual([cert.dnsNames, cert.ipAddresses], [['leaf.example'], ['10.0.0.1']]);
      assert.deepEqual(cert.extKeyUsage, ['serverAuth', 'clientAuth']);
    });

    it("takes the leaf's AKID from the CA's SKID", async () => {
      const { ctx } = context();
      const ca = await issueCa(ctx, profile, CA, T);
      const { certificate: cert } = await issueLeaf(ctx, profile, LEAF, ca, T);
      assert.equal(cert.authorityKeyId, ca.certificate.subjectKeyId);
      assert.equal(cert.subjectKeyId, undefined);
    });

    it('gives a leaf of a CA without SKID the AKID the profile says', async () => {
      const { ctx } = context();
      const made = await issueCa(ctx, profile, CA, T);
      const ca: SigningAuthority = {
        key: made.key,
        certificate: { ...made.certificate, subjectKeyId: undefined },
      };
      const { certificate: cert } = await issueLeaf(ctx, profile, LEAF, ca, T);
      const derived = subjectKeyIdOf(made.certificate.spki);
      assert.equal(
        cert.authorityKeyId,
        expected.akidWithoutCaSkid === 'derived' ? derived : undefined,
      );
    });

    it('signs the key it is given (renewal, CSR) and generates none', async () => {
      const { ctx, made } = context();
      const ca = await issueCa(ctx, profile, CA, T);
      const key: PrivateKey = { algorithm: 'RSA-2048', keyObject: RSA_KEY };
      const issued = await issueLeaf(ctx, profile, LEAF, ca, T, key);
      assert.equal(issued.key, key);
      assert.deepEqual(issued.certificate.spki, spkiOf(RSA_KEY));
      assert.deepEqual(made, ['ECDSA-P256']);
    });

    it('reports a signing failure as SIGN_FAILED naming the entry, without key material', async () => {
      const { ctx } = context();
      const ca = await issueCa(ctx, profile, CA, T);
      const unsupported = keyPairSync('ed25519').privateKey;
      const broken: SigningAuthority = {
        certificate: ca.certificate,
        key: { algorithm: 'ECDSA-P256', keyObject: unsupported },
      };
      await assert.rejects(issueLeaf(ctx, profile, LEAF, broken, T), (error: unknown) => {
        assert.ok(error instanceof OperationError);
        assert.equal(error.code, 'SIGN_FAILED');
        assert.match(error.message, /"test-leaf"/);
        assert.doesNotMatch(error.message, /PRIVATE KEY/);
        return true;
      });
    });
  });
}

describe('shared issuance: every profile keeps leaves within their CA', () => {
  for (const [name, profile] of Object.entries({
    kubeadm: KUBEADM_ISSUANCE,
    rke2: RKE2_ISSUANCE,
    rke: RKE_ISSUANCE,
  })) {
    it(`${name}: clamps a leaf's NotAfter to the CA's, and says so`, async () => {
      const { ctx } = context();
      const ca = await issueCa(ctx, profile, CA, T);
      const late = at(CA.validityMs - 30 * DAY);
      const issued = await issueLeaf(ctx, profile, LEAF, ca, late);
      assert.deepEqual(issued.certificate.notAfter, ca.certificate.notAfter);
      assert.deepEqual(issued.clampedToCa, ca.certificate.notAfter);
      const early = await issueLeaf(ctx, profile, LEAF, ca, T);
      assert.equal(early.clampedToCa, undefined);
    });
  }

  const edges: Record<string, [number, boolean]> = {
    'one second before the CA expires: issued': [CA.validityMs - 1000, true],
    'exactly when the CA expires: CA_EXPIRED': [CA.validityMs, false],
    'one second after: CA_EXPIRED': [CA.validityMs + 1000, false],
  };
  for (const [name, [offset, issued]] of Object.entries(edges)) {
    it(name, async () => {
      const { ctx, made } = context();
      const ca = await issueCa(ctx, RKE_ISSUANCE, CA, T);
      const attempt = issueLeaf(ctx, RKE_ISSUANCE, LEAF, ca, at(offset));
      if (issued) return void (await attempt);
      await assert.rejects(attempt, (error: unknown) => {
        assert.ok(error instanceof ValidationError);
        assert.equal(error.code, 'CA_EXPIRED');
        assert.match(error.message, /"test-leaf".*"test-ca"/);
        assert.equal(error.hint, RKE_ISSUANCE.leafWithinCa.expiredHint);
        return true;
      });
      assert.deepEqual(made, ['ECDSA-P256'], 'no key is made for a leaf that cannot be issued');
    });
  }

  it('allowExpiredCa signs under an expired CA, unclamped, as kubeadm does (kubeadm, rke2)', async () => {
    for (const profile of [KUBEADM_ISSUANCE, RKE2_ISSUANCE]) {
      const { ctx } = context();
      const ca = await issueCa(ctx, profile, CA, T);
      const late = at(CA.validityMs + DAY);
      await assert.rejects(issueLeaf(ctx, profile, LEAF, ca, late), /CA "test-ca" expired/);
      const allowed = { allowExpiredCa: true };
      const { certificate } = await issueLeaf(ctx, profile, LEAF, ca, late, undefined, allowed);
      assert.ok(certificate.notAfter > ca.certificate.notAfter);
    }
  });
});
