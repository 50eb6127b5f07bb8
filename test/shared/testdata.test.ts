import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { TESTDATA, testdata } from '../support/testdata.js';
import { existsSync } from 'node:fs';

const HELPER = join(import.meta.dirname, '../support/testdata.ts');

describe('test data location (test/support/testdata.ts)', () => {
  it('finds the conformance data and the real artifacts', () => {
    for (const dir of ['x509-limbo', 'wycheproof', 'chain-rollover', 'real']) {
      assert.ok(existsSync(testdata(dir)), `${dir} missing under ${TESTDATA}`);
    }
  });

  it('takes the directory from KPKI_TESTDATA and names the variable when it is missing', () => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', HELPER], {
      encoding: 'utf8',
      env: { ...process.env, KPKI_TESTDATA: '/nonexistent/testdata' },
    });
    assert.notEqual(child.status, 0);
    assert.match(
      child.stderr,
      /test data not found at "\/nonexistent\/testdata": set KPKI_TESTDATA/,
    );
  });
});
