import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../support/temp-dir.js';

const FIXTURE = join(import.meta.dirname, '../support/fixtures/temp-dirs.ts');

describe('test temporary directories (test/support/temp-dir.ts)', () => {
  it('removes a directory when the test that owns it ends', async (t) => {
    let dir = '';
    await t.test('owner', (inner) => {
      dir = tempDir('kpki-owned-', inner);
      writeFileSync(join(dir, 'ca.key'), 'not a key');
    });
    assert.ok(dir !== '' && !existsSync(dir), `${dir} is still there`);
  });

  it('removes them when a test fails and, without an owner, when the process exits', (t) => {
    const tmp = tempDir('kpki-tmp-', t);
    const child = spawnSync(process.execPath, ['--import', 'tsx', FIXTURE], {
      encoding: 'utf8',
      env: { ...process.env, TMPDIR: tmp, NODE_TEST_CONTEXT: undefined },
    });
    assert.equal(child.status, 1, 'the fixture has one failing test');
    assert.match(child.stdout, /planned failure/);
    // tsx keeps its transform cache in TMPDIR; the rest must be gone.
    assert.deepEqual(
      readdirSync(tmp).filter((name) => !name.startsWith('tsx-')),
      [],
    );
  });
});
