import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  isValidDnsName,
  isWithinDnsSubtree,
  matchesHostName,
  parseSanDnsName,
  patternWithinSubtree,
} from './dns-name.js';

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
const host = fc
  .array(label, { minLength: 2, maxLength: 5 })
  .map((l) => l.join('.'))
  .filter(isValidDnsName);

describe('SAN dNSName syntax', () => {
  const table: Record<string, [string, boolean]> = {
    'a plain host name is accepted': ['api.example.com', true],
    'a single-label name is accepted': ['localhost', true],
    'a leftmost wildcard is accepted': ['*.example.com', true],
    'a partial-label wildcard is refused (RFC 6125 §7.2)': ['ba*.example.com', false],
    'a wildcard not in the leftmost label is refused': ['foo.*.example.com', false],
    'a wildcard over a single label is refused': ['*.com', false],
    'a bare wildcard is refused': ['*', false],
    'an underscore is refused': ['foo_bar.example.com', false],
    'an IPv4 literal is refused': ['8.8.8.8', false],
    'a leading period is refused': ['.example.com', false],
    'a trailing period is refused': ['example.com.', false],
  };
  for (const [name, [value, ok]] of Object.entries(table)) {
    it(name, () => assert.equal(parseSanDnsName(value) !== undefined, ok));
  }
});

describe('host name matching (RFC 6125 §6.4)', () => {
  it('an exact SAN matches itself, case-insensitively', () => {
    fc.assert(fc.property(host, (h) => matchesHostName(parseSanDnsName(h.toUpperCase())!, h)));
  });
  it('a wildcard matches exactly the hosts one label below its base', () => {
    fc.assert(
      fc.property(host, label, fc.array(label, { maxLength: 2 }), (base, first, more) => {
        const candidate = [...more, first, base].join('.');
        fc.pre(isValidDnsName(candidate));
        return matchesHostName(parseSanDnsName(`*.${base}`)!, candidate) === (more.length === 0);
      }),
    );
  });
  it('a wildcard never matches its own base', () => {
    fc.assert(fc.property(host, (base) => !matchesHostName(parseSanDnsName(`*.${base}`)!, base)));
  });
});

describe('DNS name constraints (RFC 5280 §4.2.1.10)', () => {
  it('a name is within a subtree iff it equals it or ends with "." + subtree', () => {
    assert.ok(isWithinDnsSubtree('a.example.com', 'example.com'));
    assert.ok(!isWithinDnsSubtree('notexample.com', 'example.com'));
    assert.ok(isWithinDnsSubtree('anything.test', ''));
  });
  it('a permitted wildcard stays in the subtree for every name it can stand for', () => {
    fc.assert(
      fc.property(host, label, host, (base, x, subtree) => {
        const pattern = parseSanDnsName(`*.${base}`)!;
        fc.pre(isValidDnsName(`${x}.${base}`));
        // "all" holding means each concrete match is inside; "any" failing means none is.
        if (patternWithinSubtree(pattern, subtree, 'all'))
          assert.ok(isWithinDnsSubtree(`${x}.${base}`, subtree));
        if (isWithinDnsSubtree(`${x}.${base}`, subtree))
          assert.ok(patternWithinSubtree(pattern, subtree, 'any'));
      }),
    );
  });
  it('an excluded subtree one label below a wildcard base catches the wildcard (CVE-2025-61727)', () => {
    assert.ok(
      patternWithinSubtree({ kind: 'wildcard', base: 'example.com' }, 'bar.example.com', 'any'),
    );
    assert.ok(
      !patternWithinSubtree({ kind: 'wildcard', base: 'example.com' }, 'foo.example.com', 'all'),
    );
  });
});
