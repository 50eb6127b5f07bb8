import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalIp, classifySans, dedupeAltNames, isDnsSubdomain } from './san.js';

describe('classifySans (kubeadm certSANs rules)', () => {
  it('splits IPs and DNS names and drops what is neither', () => {
    const { names, dropped } = classifySans([
      '10.0.0.1',
      'lb.example.com',
      '*.apps.example.com',
      'Bad_Name',
      'fd00::1',
      'UPPER.example.com',
    ]);
    assert.deepEqual(names, {
      dns: ['lb.example.com', '*.apps.example.com'],
      ip: ['10.0.0.1', 'fd00::1'],
    });
    assert.deepEqual(
      dropped.map((d) => d.value),
      ['Bad_Name', 'UPPER.example.com'],
    );
  });
});

describe('dedupeAltNames', () => {
  it('sorts and de-duplicates DNS names, de-duplicates IPs keeping first-seen order', () => {
    const result = dedupeAltNames({
      dns: ['node1', 'kubernetes', 'node1', 'a.example'],
      ip: ['10.96.0.1', '10.0.0.5', '10.96.0.1', '::1', '0:0::1'],
    });
    assert.deepEqual(result, {
      dns: ['a.example', 'kubernetes', 'node1'],
      ip: ['10.96.0.1', '10.0.0.5', '::1'],
    });
  });
});

describe('canonicalIp', () => {
  const cases: Record<string, string | undefined> = {
    '10.96.0.1': '10.96.0.1',
    'FD00:0:0:0:0:0:0:1': 'fd00::1',
    '::ffff:10.0.0.1': '10.0.0.1',
    kubernetes: undefined,
    '10.0.0.256': undefined,
  };
  for (const [input, expected] of Object.entries(cases)) {
    it(`${input} → ${String(expected)}`, () => assert.equal(canonicalIp(input), expected));
  }

  it('is idempotent on every IPv4 and IPv6 address', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (ip) => {
        const once = canonicalIp(ip);
        assert.ok(once !== undefined);
        assert.equal(canonicalIp(once), once);
      }),
    );
  });
});

describe('isDnsSubdomain', () => {
  it('accepts every domain fast-check builds in lower case, and rejects over-long names', () => {
    fc.assert(
      fc.property(
        fc.domain(),
        (domain) => isDnsSubdomain(domain.toLowerCase()) || domain.length > 253,
      ),
    );
    assert.equal(isDnsSubdomain(`${'a'.repeat(64)}.example`), false);
  });
});
