import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInputError, describeError, ExitCode } from './errors.js';

describe('errors', () => {
  it('chains causes into one line and keeps the exit code', () => {
    const error = new InvalidInputError('BAD_PEM', 'cannot read "pki/ca.crt"', {
      cause: new Error('truncated PEM block'),
    });
    assert.equal(describeError(error), 'cannot read "pki/ca.crt": truncated PEM block');
    assert.equal(error.exitCode, ExitCode.invalid);
    assert.equal(error.code, 'BAD_PEM');
  });
});
