import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodePem, encodePem } from './pem.js';
import { InvalidInputError } from '../errors.js';

const der = new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x05]);
const good = encodePem('CERTIFICATE', der);

describe('decodePem', () => {
  it('round-trips a block and keeps text outside blocks out', () => {
    const blocks = decodePem(
      `junk before\n${good}junk after\n${encodePem('EC PARAMETERS', der)}`,
      'f.pem',
    );
    assert.deepEqual(
      blocks.map((b) => b.type),
      ['CERTIFICATE', 'EC PARAMETERS'],
    );
    assert.deepEqual([...(blocks[0]?.der ?? [])], [...der]);
  });

  it('reads CRLF line endings', () => {
    assert.equal(decodePem(good.replace(/\n/g, '\r\n'), 'f.pem').length, 1);
  });

  const bad: Record<string, string> = {
    'a block with no END line (truncated file)': good.split('\n').slice(0, 2).join('\n'),
    'a block with invalid base64': good.replace(/^MAMCAQU=$/m, 'MA*CAQU='),
    'an END line of another type': good.replace('END CERTIFICATE', 'END PRIVATE KEY'),
    'an empty block': '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n',
  };
  for (const [name, text] of Object.entries(bad)) {
    it(`rejects ${name} with BAD_PEM naming the source`, () => {
      assert.throws(
        () => decodePem(text, 'pki/ca.crt'),
        (error: unknown) =>
          error instanceof InvalidInputError &&
          error.code === 'BAD_PEM' &&
          error.message.includes('pki/ca.crt'),
      );
    });
  }

  it('rejects oversized input before parsing it', () => {
    assert.throws(() => decodePem('x'.repeat(5 * 1024 * 1024), 'big.pem'), /too large/);
  });
});
