import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeCertificate } from './index.js';
import type { DecodedCertificate } from './index.js';
import { issue } from '../../../test/support/make-chain.js';
import type { Issued } from '../../../test/support/make-chain.js';

let root: Issued;
let leaf: Issued;
let decoded: DecodedCertificate;
before(async () => {
  root = await issue({ subject: 'CN=Root, O=kpki', ca: true, pathLen: 1 });
  leaf = await issue({
    subject: 'CN=leaf',
    issuer: root,
    dns: ['a.example.test'],
    ips: ['10.0.0.1'],
    eku: ['1.3.6.1.5.5.7.3.1'],
  });
  const r = decodeCertificate(leaf.der);
  assert.ok(r.ok);
  decoded = r.cert;
});

describe('decodeCertificate', () => {
  it('exposes names, validity and the exact signed bytes', () => {
    assert.equal(decoded.subjectText, 'CN=leaf');
    assert.equal(decoded.issuerText, 'CN=Root, O=kpki');
    assert.equal(decoded.version, 3);
    assert.deepEqual(decoded.notAfter, leaf.cert.notAfter);
    assert.deepEqual(
      Buffer.from(decoded.tbs),
      Buffer.from(leaf.der.subarray(4, 4 + decoded.tbs.length)),
    );
  });
  it('decodes SAN, EKU, key identifiers and basic constraints', () => {
    assert.deepEqual(
      decoded.subjectAltNames?.map((n) => n.kind),
      ['dns', 'ip'],
    );
    assert.deepEqual(decoded.extKeyUsage, ['1.3.6.1.5.5.7.3.1']);
    assert.ok(decoded.subjectKeyId && decoded.authorityKeyId?.keyId);
    const r = decodeCertificate(root.der);
    assert.ok(r.ok);
    assert.deepEqual({ ...r.cert.basicConstraints }, { ca: true, pathLen: 1, critical: true });
    assert.ok(r.cert.selfIssued);
  });
  it('returns an error result, never throws, for truncated certificates', () => {
    for (let n = 0; n < leaf.der.length; n += 7)
      assert.equal(decodeCertificate(leaf.der.subarray(0, n)).ok, false);
  });
  it('never throws on random or bit-flipped input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => void decodeCertificate(bytes)),
    );
    fc.assert(
      fc.property(fc.nat(leaf.der.length - 1), fc.integer({ min: 1, max: 255 }), (i, x) => {
        const copy = Uint8Array.from(leaf.der);
        copy[i]! ^= x;
        void decodeCertificate(copy);
      }),
    );
  });
});
