import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readCertificateLayout, readExtensions, readSignedParts } from './certificate-layout.js';
import { contentOf, decodeOid, DerError, encodingOf, readTlv, Tag } from './der-reader.js';
import {
  bitString,
  contextTag,
  NULL,
  octetString,
  oid,
  sequence,
  smallInteger,
  time,
  tlv,
  TRUE,
} from './der-writer.js';
import { realCertificates } from '../../test/support/real-certificates.js';

const name = sequence(
  tlv(Tag.set, sequence(oid('2.5.4.3'), tlv(Tag.utf8String, Buffer.from('x')))),
);
const algorithm = sequence(oid('1.2.840.10045.4.3.2'));
const validity = sequence(
  time(new Date('2025-01-01T00:00:00Z')),
  time(new Date('2026-01-01T00:00:00Z')),
);
const spki = sequence(
  sequence(oid('1.2.840.10045.2.1'), oid('1.2.840.10045.3.1.7')),
  bitString(Buffer.from([4, 1, 2])),
);

function certificate(options: { version?: boolean; extensions?: Uint8Array[] } = {}): Buffer {
  const tbs = sequence(
    ...(options.version === false ? [] : [tlv(contextTag(0, true), smallInteger(2))]),
    smallInteger(1),
    algorithm,
    name,
    validity,
    name,
    spki,
    ...(options.extensions ? [tlv(contextTag(3, true), sequence(...options.extensions))] : []),
  );
  return sequence(tbs, algorithm, bitString(Buffer.from([1, 2, 3])));
}

const basicConstraints = (critical: Uint8Array[]): Buffer =>
  sequence(oid('2.5.29.19'), ...critical, octetString(sequence(TRUE)));

describe('readCertificateLayout', () => {
  it('locates the fields of a v3 certificate and of a v1 one without the version wrapper', () => {
    for (const der of [certificate(), certificate({ version: false })]) {
      const layout = readCertificateLayout(der);
      assert.deepEqual(Buffer.from(encodingOf(der, layout.subject)), name);
      assert.deepEqual(Buffer.from(encodingOf(der, layout.spki)), spki);
      assert.equal(layout.extensions, undefined);
    }
    assert.equal(readCertificateLayout(certificate({ version: false })).version, undefined);
  });

  it('locates the same subject and key as the certificate on every real certificate', () => {
    for (const { source, der } of realCertificates()) {
      const layout = readCertificateLayout(der);
      const { tbs } = readSignedParts(der, layout.certificate);
      assert.deepEqual(tbs, layout.tbs, source);
      assert.ok(
        layout.spki.end <= layout.tbs.end && layout.subject.end === layout.spki.start,
        source,
      );
    }
  });

  const malformed: Record<string, Uint8Array> = {
    'trailing bytes after the certificate': Buffer.concat([certificate(), Buffer.from([0])]),
    'a serial that is not an INTEGER': sequence(
      sequence(NULL, algorithm, name, validity, name, spki),
      algorithm,
      bitString(Buffer.from([0])),
    ),
    'a tbsCertificate that stops after the subject': sequence(
      sequence(smallInteger(1), algorithm, name, validity, name),
      algorithm,
    ),
    'a non-minimal long-form length (X.690 §10.1)': Buffer.from([
      0x30, 0x81, 0x03, 0x02, 0x01, 0x00,
    ]),
  };
  for (const [scenario, der] of Object.entries(malformed)) {
    it(`refuses ${scenario}`, () => assert.throws(() => readCertificateLayout(der), DerError));
  }
});

describe('readSignedParts', () => {
  it('refuses a certificate without its signatureValue', () => {
    const good = certificate();
    const der = sequence(encodingOf(good, readCertificateLayout(good).tbs), algorithm);
    assert.throws(() => readSignedParts(der, readTlv(der, 0)), /signatureValue/);
  });
});

describe('readExtensions', () => {
  const extensionsOf = (...extensions: Uint8Array[]): ReturnType<typeof readExtensions> => {
    const der = certificate({ extensions });
    return readExtensions(der, readCertificateLayout(der).extensions);
  };

  it('reads the OID, the critical flag (DEFAULT FALSE) and the value, in encoded order', () => {
    const der = certificate({ extensions: [basicConstraints([TRUE]), basicConstraints([])] });
    const list = readExtensions(der, readCertificateLayout(der).extensions);
    assert.deepEqual(
      list.map((e) => [e.oid, e.critical]),
      [
        ['2.5.29.19', true],
        ['2.5.29.19', false],
      ],
    );
    assert.deepEqual(Buffer.from(contentOf(der, list[0]!.value)), sequence(TRUE));
  });

  const malformed: Record<string, Uint8Array> = {
    'a critical flag that is not a BOOLEAN': basicConstraints([NULL]),
    'an empty critical flag': basicConstraints([Buffer.from([Tag.boolean, 0])]),
    'a field too many': basicConstraints([TRUE, TRUE]),
    'a value that is not an OCTET STRING': sequence(oid('2.5.29.19'), sequence(TRUE)),
    'an Extension that is not a SEQUENCE': tlv(Tag.set, oid('2.5.29.19'), octetString(sequence())),
  };
  for (const [scenario, extension] of Object.entries(malformed)) {
    it(`refuses ${scenario}`, () => assert.throws(() => extensionsOf(extension), DerError));
  }
});

describe('decodeOid', () => {
  it('reads the first two arcs from one subidentifier and refuses an empty OID (X.690 §8.19)', () => {
    assert.equal(decodeOid(oid('2.999.3').subarray(2)), '2.999.3');
    assert.throws(() => decodeOid(new Uint8Array(0)), DerError);
  });
});
