import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInputError } from '../../errors.js';
import { normalizeToken } from './token.js';

describe('normalizeToken: one rule for --token and the token file', () => {
  for (const [name, value] of Object.entries({
    'an empty value': '',
    'spaces only': '   ',
    'a newline only (an empty token file)': '\n',
    'tabs and newlines': '\t \n',
  }))
    it(`refuses ${name} as invalid input (BAD_TOKEN) naming the source`, () => {
      assert.throws(
        () => normalizeToken(value, '--token'),
        (e: unknown) =>
          e instanceof InvalidInputError && e.code === 'BAD_TOKEN' && /--token/.test(e.message),
      );
    });

  it('drops the trailing newline of a file and keeps the token', () => {
    assert.equal(normalizeToken('K10abc::server:s3cret\n', 'file'), 'K10abc::server:s3cret');
  });
});
