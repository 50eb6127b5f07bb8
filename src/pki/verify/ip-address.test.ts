import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  formatIpAddress,
  isValidIpConstraint,
  isWithinIpSubnet,
  parseIpAddress,
} from './ip-address.js';

describe('IP address parsing', () => {
  const table: Record<string, [string, number[] | undefined]> = {
    'dotted IPv4': ['10.96.0.1', [10, 96, 0, 1]],
    'IPv4 with a leading zero is refused (ambiguous octal)': ['010.0.0.1', undefined],
    'IPv4 out of range is refused': ['256.0.0.1', undefined],
    'IPv6 loopback': ['::1', [...new Array<number>(15).fill(0), 1]],
    'IPv6 with embedded IPv4': [
      '::ffff:1.2.3.4',
      [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4],
    ],
    'two :: are refused': ['1::2::3', undefined],
    'a host name is not an address': ['example.com', undefined],
  };
  for (const [name, [text, bytes]] of Object.entries(table)) {
    it(name, () => assert.deepEqual(parseIpAddress(text) && [...parseIpAddress(text)!], bytes));
  }
  it('IPv4 round-trips through formatIpAddress', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (b) =>
        assert.deepEqual(parseIpAddress(formatIpAddress(b)), b),
      ),
    );
  });
  it('IPv6 round-trips through formatIpAddress', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (b) =>
        assert.deepEqual(parseIpAddress(formatIpAddress(b)), b),
      ),
    );
  });
});

describe('IP name constraints', () => {
  const net = Uint8Array.from([192, 0, 2, 0, 255, 255, 255, 0]);
  it('an address in the subnet matches, one outside does not', () => {
    assert.ok(isWithinIpSubnet(Uint8Array.from([192, 0, 2, 9]), net));
    assert.ok(!isWithinIpSubnet(Uint8Array.from([192, 0, 3, 9]), net));
  });
  it('an IPv6 address never matches an IPv4 constraint', () => {
    assert.ok(!isWithinIpSubnet(new Uint8Array(16), net));
  });
  it('a non-contiguous mask or wrong length is a malformed constraint', () => {
    assert.ok(isValidIpConstraint(net));
    assert.ok(!isValidIpConstraint(Uint8Array.from([192, 0, 2, 0, 255, 0, 255, 0])));
    assert.ok(!isValidIpConstraint(Uint8Array.from([192, 0, 2, 0])));
  });
});
