import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { checkBundle, type BundleEntry } from './bulk-check.js';
import { parseCertificateDer, publicKeyOf } from './certificate.js';
import { encodePem } from './pem.js';
import { verifyCertificateSignature } from './signature.js';
import { REAL_DATA, realCertificates } from '../../test/support/real-certificates.js';

function rkeBundle(dir: string): BundleEntry[] {
  const state = JSON.parse(readFileSync(join(REAL_DATA, dir, 'cluster.rkestate'), 'utf8')) as {
    desiredState: { certificatesBundle: Record<string, { certificatePEM: string }> };
  };
  return Object.entries(state.desiredState.certificatesBundle)
    .filter(([, entry]) => entry.certificatePEM !== '')
    .map(([name, entry]) => ({ name, pem: entry.certificatePEM }));
}

describe('verifyCertificateSignature', () => {
  it('agrees with X509Certificate.verify for every pair of real certificates whose names chain', () => {
    const certs = realCertificates().map((c) => parseCertificateDer(c.der, c.source));
    let pairs = 0;
    for (const cert of certs) {
      for (const issuer of certs.filter((c) =>
        Buffer.from(c.subjectDer).equals(Buffer.from(cert.issuerDer)),
      )) {
        const expected = new X509Certificate(cert.der).verify(publicKeyOf(issuer));
        assert.equal(
          verifyCertificateSignature(cert.der, publicKeyOf(issuer)),
          expected,
          `${cert.subject.cn ?? ''} by ${issuer.subject.cn ?? ''}`,
        );
        pairs++;
      }
    }
    assert.ok(pairs >= 100, `only ${pairs} pairs`);
  });

  it('rejects a certificate whose signature was altered', () => {
    const cert = realCertificates()
      .map((c) => parseCertificateDer(c.der, c.source))
      .find((c) => c.isCA)!;
    const der = Buffer.from(cert.der);
    der[der.length - 5] = (der[der.length - 5] ?? 0) ^ 1;
    assert.equal(verifyCertificateSignature(der, publicKeyOf(cert)), false);
  });
});

describe('checkBundle on real RKE1 states', () => {
  const at = new Date('2026-11-24T00:00:00Z');

  it('links every certificate to kube-ca (or itself) and finds no signature problem', () => {
    const rows = checkBundle(rkeBundle('rke1-rancher-rke'), at);
    assert.ok(rows.length >= 10);
    for (const row of rows) {
      assert.ok(row.certificate, row.name);
      assert.ok(row.issuer !== undefined, `${row.name} has no issuer in the bundle`);
      assert.deepEqual(
        row.problems.filter((p) => p.includes('signature')),
        [],
        row.name,
      );
      assert.equal(row.residualMs, row.notAfter!.getTime() - at.getTime());
    }
    assert.equal(rows.find((r) => r.name === 'kube-ca')?.issuer, 'kube-ca');
    assert.equal(rows.find((r) => r.name === 'kube-apiserver')?.issuer, 'kube-ca');
  });

  it('reports expiry, a broken signature and an unreadable entry per row without throwing', () => {
    const bundle = rkeBundle('rke1-rancher-rke');
    const apiserver = bundle.find((e) => e.name === 'kube-apiserver')!;
    const der = parseCertificateDer(
      new Uint8Array(
        Buffer.from(
          apiserver.pem
            .split('\n')
            .filter((l) => !l.startsWith('-----'))
            .join(''),
          'base64',
        ),
      ),
      'x',
    ).der;
    const tampered = Buffer.from(der);
    tampered[tampered.length - 3] = (tampered[tampered.length - 3] ?? 0) ^ 1;
    const entries = [
      ...bundle,
      { name: 'tampered', pem: encodePem('CERTIFICATE', tampered) },
      { name: 'garbage', pem: 'not a pem' },
    ];
    const late = new Date('2200-01-01T00:00:00Z');
    const rows = checkBundle(entries, late);
    assert.match(
      rows.find((r) => r.name === 'tampered')!.problems.join(';'),
      /signature does not verify against "kube-ca"/,
    );
    assert.match(
      rows.find((r) => r.name === 'garbage')!.problems.join(';'),
      /no certificate found/,
    );
    assert.ok(
      rows
        .filter((r) => r.certificate)
        .every((r) => r.problems.some((p) => p.startsWith('expired at'))),
    );
  });
});
