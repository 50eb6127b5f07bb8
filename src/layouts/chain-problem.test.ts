import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCertificateDer } from '../pki/certificate.js';
import { issue, nameConstraintsExtension } from '../../test/support/make-chain.js';
import { chainProblem } from './chain-problem.js';

const AT = new Date('2030-01-01T00:00:00Z');
const cert = (der: Uint8Array) => parseCertificateDer(der, 'test');

describe('chainProblem', () => {
  it('accepts a leaf its CA signed, also when the leaf is expired now (check reports expiry itself)', async () => {
    const ca = await issue({ subject: 'CN=ca', ca: true });
    const leaf = await issue({ subject: 'CN=leaf', issuer: ca });
    assert.equal(chainProblem(cert(leaf.der), cert(ca.der), 'CA "ca"', AT), undefined);
    const expired = await issue({
      subject: 'CN=old',
      issuer: ca,
      notAfter: new Date('2026-01-01T00:00:00Z'),
    });
    assert.equal(chainProblem(cert(expired.der), cert(ca.der), 'CA "ca"', AT), undefined);
  });

  it('says "not signed by" for another CA of the same name, expired or not', async () => {
    const ca = await issue({ subject: 'CN=ca', ca: true });
    const twin = await issue({ subject: 'CN=ca', ca: true });
    const leaf = await issue({ subject: 'CN=leaf', issuer: twin });
    assert.deepEqual(chainProblem(cert(leaf.der), cert(ca.der), 'CA "ca"', AT), {
      unsigned: true,
      text: 'not signed by CA "ca"',
    });
    const expired = await issue({
      subject: 'CN=old',
      issuer: twin,
      notAfter: new Date('2026-01-01T00:00:00Z'),
    });
    assert.deepEqual(chainProblem(cert(expired.der), cert(ca.der), 'CA "ca"', AT), {
      unsigned: true,
      text: 'not signed by CA "ca"',
    });
  });

  it('names the rule a correctly signed leaf breaks: an issuer that is not a CA, a name constraint', async () => {
    const notCa = await issue({ subject: 'CN=plain' });
    const leaf = await issue({ subject: 'CN=leaf', issuer: notCa });
    assert.match(
      chainProblem(cert(leaf.der), cert(notCa.der), 'CA "plain"', AT)?.text ?? '',
      /^does not chain to CA "plain": .*/,
    );
    const constrained = await issue({
      subject: 'CN=nc',
      ca: true,
      extra: [nameConstraintsExtension(['example.test'], [])],
    });
    const outside = await issue({
      subject: 'CN=leaf',
      issuer: constrained,
      dns: ['api.other.test'],
    });
    assert.match(
      chainProblem(cert(outside.der), cert(constrained.der), 'CA "nc"', AT)?.text ?? '',
      /^does not chain to CA "nc": .*outside the permitted subtrees/,
    );
  });
});
