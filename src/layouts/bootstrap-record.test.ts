import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInputError } from '../errors.js';
import {
  GO_ZERO_TIME_NS,
  bootstrapFieldsFor,
  decodeBootstrapRecord,
  encodeBootstrapRecord,
  type BootstrapFile,
} from './bootstrap-record.js';
import { formatRfc3339Nano, parseRfc3339Nano } from './rfc3339-nano.js';

const enc = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('rfc3339 nano', () => {
  const cases: Record<string, [bigint, string]> = {
    'whole seconds have no fraction': [1_700_000_000_000_000_000n, '2023-11-14T22:13:20Z'],
    'trailing zeros of the fraction are dropped': [
      1_700_000_000_120_000_000n,
      '2023-11-14T22:13:20.12Z',
    ],
    'all nine digits are kept': [1_700_000_000_000_000_001n, '2023-11-14T22:13:20.000000001Z'],
    "Go's zero time is year 1": [GO_ZERO_TIME_NS, '0001-01-01T00:00:00Z'],
  };
  for (const [name, [ns, text]] of Object.entries(cases)) {
    it(name, () => {
      assert.equal(formatRfc3339Nano(ns), text);
      assert.equal(parseRfc3339Nano(text), ns);
    });
  }
  it('reads offsets as Go writes local times', () =>
    assert.equal(parseRfc3339Nano('2023-11-15T00:13:20.5+02:00'), 1_700_000_000_500_000_000n));
  it('rejects malformed times', () => {
    for (const bad of [
      '2023-11-14 22:13:20Z',
      '2023-02-30T00:00:00Z',
      '2023-11-14T22:13:20.1234567890Z',
      '',
    ])
      assert.equal(parseRfc3339Nano(bad), undefined, bad);
  });
});

describe('bootstrap record codec', () => {
  const record = new Map<string, BootstrapFile>([
    ['ServerCAKey', { timestampNs: 1_700_000_000_000_000_001n, content: enc('key') }],
    ['ClientCA', { timestampNs: 1_700_000_000_000_000_000n, content: enc('<ca>&') }],
  ]);

  it("encodes like Go's json.Marshal of map[string]File: sorted keys, compact, base64 content", () => {
    assert.equal(
      new TextDecoder().decode(encodeBootstrapRecord(record)),
      '{"ClientCA":{"Timestamp":"2023-11-14T22:13:20Z","Content":"PGNhPiY="},"ServerCAKey":{"Timestamp":"2023-11-14T22:13:20.000000001Z","Content":"a2V5"}}',
    );
  });

  it('decodes what it encodes', () =>
    assert.deepEqual(decodeBootstrapRecord(encodeBootstrapRecord(record), 'k'), record));

  it('reads the legacy map[string][]byte form with zero timestamps', () => {
    const legacy = decodeBootstrapRecord(enc('{"ServerCA":"Y2E="}'), 'k');
    assert.deepEqual(legacy.get('ServerCA'), { timestampNs: GO_ZERO_TIME_NS, content: enc('ca') });
  });

  const corrupt: Record<string, string> = {
    'not JSON': '{"ServerCA":',
    'an array': '[]',
    'a field that is a number': '{"ServerCA":1}',
    'a malformed timestamp': '{"ServerCA":{"Timestamp":"yesterday","Content":""}}',
    'content that is not base64':
      '{"ServerCA":{"Timestamp":"2023-11-14T22:13:20Z","Content":"@@@"}}',
  };
  for (const [name, text] of Object.entries(corrupt)) {
    it(`refuses ${name} as CORRUPT_RECORD`, () => {
      assert.throws(
        () => decodeBootstrapRecord(enc(text), '/bootstrap/x'),
        (e: unknown) =>
          e instanceof InvalidInputError &&
          e.code === 'CORRUPT_RECORD' &&
          e.message.includes('/bootstrap/x'),
      );
    });
  }

  it('lists the same server files for rke2 and k3s, rotate tags on CAs, CA keys and service.key only', () => {
    const fields = bootstrapFieldsFor('rke2');
    assert.deepEqual(fields, bootstrapFieldsFor('k3s'));
    assert.equal(fields.length, 15);
    assert.deepEqual(
      fields.filter((f) => !f.rotate).map((f) => f.name),
      ['PasswdFile', 'IPSECKey', 'EncryptionConfig', 'EncryptionHash'],
    );
    assert.equal(
      fields.find((f) => f.name === 'ETCDPeerCAKey')?.path,
      'server/tls/etcd/peer-ca.key',
    );
  });
});
