import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { randomSerial } from './serial.js';

describe('randomSerial', () => {
  it('is always in [1, 2^63 − 1] whatever the random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), (bytes) => {
        const value = BigInt(`0x${randomSerial(() => Uint8Array.from(bytes))}`);
        return value >= 1n && value <= 0x7fffffffffffffffn;
      }),
    );
  });

  it('maps all-zero bytes to 1 and the top values by rejection', () => {
    assert.equal(
      randomSerial(() => new Uint8Array(8)),
      '1',
    );
    const draws = [
      Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
      Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 2]),
    ];
    assert.equal(
      randomSerial(() => draws.shift() ?? new Uint8Array(8)),
      '3',
    );
  });
});
