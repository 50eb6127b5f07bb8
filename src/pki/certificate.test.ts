import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCertificateDer, parseCertificate } from './certificate.js';
import { parseCertificateDerPeculiar } from '../../test/support/peculiar-certificate.js';
import { realCertificates } from '../../test/support/real-certificates.js';
import { InvalidInputError } from '../errors.js';

describe('parseCertificateDer (DER reader) against the @peculiar/x509 parser it replaced', () => {
  const found = realCertificates();

  it('finds the real certificates of every distribution (kubeadm, K3s, RKE2, RKE1 state)', () => {
    // The data holds 130 distinct certificates (.crt files, kubeconfig data, rkestate PEM); fewer means the scan broke.
    assert.ok(found.length >= 120, `only ${found.length} certificates found`);
    for (const prefix of ['kubeadm-', 'k3s-', 'rke2-', 'rke1-']) {
      assert.ok(
        found.some((c) => c.source.startsWith(prefix)),
        `no certificate from ${prefix}*`,
      );
    }
    assert.ok(
      found.some((c) => c.source.endsWith('.rkestate')),
      'no certificate from a cluster.rkestate',
    );
  });

  it('reads every field the same way on every real certificate', () => {
    for (const { source, der } of found) {
      assert.deepStrictEqual(
        parseCertificateDer(der, source),
        parseCertificateDerPeculiar(der, source),
        source,
      );
    }
  });
});

describe('parseCertificateDer on malformed input', () => {
  const good = realCertificates()[0]!.der;
  const cases: Record<string, Uint8Array> = {
    'an empty buffer': new Uint8Array(0),
    'a truncated certificate': good.subarray(0, good.length - 10),
    'trailing bytes after the certificate': Buffer.concat([good, Buffer.from([0])]),
    'an indefinite length': Buffer.from([0x30, 0x80, 0, 0]),
    'a non-minimal long-form length': Buffer.from([0x30, 0x81, 0x01, 0x00]),
    'a SEQUENCE that is not a certificate': Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01]),
  };
  for (const [name, der] of Object.entries(cases)) {
    it(`rejects ${name} with BAD_CERT naming the source`, () => {
      assert.throws(
        () => parseCertificateDer(der, 'pki/x.crt'),
        (error: unknown) => {
          return (
            error instanceof InvalidInputError &&
            error.code === 'BAD_CERT' &&
            error.message.includes('pki/x.crt')
          );
        },
      );
    });
  }

  it('parses a PEM certificate into the same value as its DER', () => {
    const pem = parseCertificateDer(good, 'a').pem;
    assert.deepStrictEqual(parseCertificate(pem, 'a'), parseCertificateDer(good, 'a'));
  });
});
