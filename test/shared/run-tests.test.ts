/**
 * scripts/run-tests.mjs: stops at once without test data, runs tests in a temporary directory
 * of its own, fails naming what the tests left there, and removes what killed runs left.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir, type TestEnd } from '../support/temp-dir.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** The environment without node:test's marker, which would make the inner runner a child. */
function cleanEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

function runTests(
  t: TestEnd,
  fixture: string,
  env: NodeJS.ProcessEnv = {},
): { status: number | null; stdout: string; stderr: string; tmp: string } {
  const tmp = tempDir('kpki-runner-', t);
  const child = spawnSync(
    process.execPath,
    ['scripts/run-tests.mjs', `test/support/fixtures/${fixture}`],
    { cwd: ROOT, encoding: 'utf8', env: cleanEnv({ TMPDIR: tmp, ...env }) },
  );
  return { status: child.status, stdout: child.stdout, stderr: child.stderr, tmp };
}

const runDirs = (tmp: string): string[] =>
  readdirSync(tmp).filter((name) => name.startsWith('kpki-testrun-'));

describe('scripts/run-tests.mjs', () => {
  it('stops before starting any test with one message naming KPKI_TESTDATA', (t) => {
    const run = runTests(t, 'cleans-temp.ts', { KPKI_TESTDATA: '/nonexistent/testdata' });
    assert.equal(run.status, 1);
    assert.equal(run.stdout, '');
    assert.equal(run.stderr.trim().split('\n').length, 1);
    assert.match(run.stderr, /test data not found at "\/nonexistent\/testdata": set KPKI_TESTDATA/);
  });

  it('passes a clean run and removes its own temporary directory', (t) => {
    const run = runTests(t, 'cleans-temp.ts');
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^1 passed, 0 failed, 0 skipped$/m);
    assert.deepEqual(runDirs(run.tmp), []);
  });

  it('fails a run whose tests leave a temporary tree, naming it, and removes it', (t) => {
    const run = runTests(t, 'leaves-temp.ts');
    assert.equal(run.status, 1);
    assert.match(run.stdout, /^1 passed, 0 failed, 0 skipped$/m);
    assert.match(run.stderr, /left 1 temporary entries behind[^\n]*\n {2}kpki-forgotten-\w+$/m);
    assert.deepEqual(runDirs(run.tmp), []);
  });

  it('removes the directories of killed runs at the next start, not those of live ones', (t) => {
    const tmp = tempDir('kpki-runner-', t);
    const dead = spawnSync('true').pid;
    const stale = join(tmp, `kpki-testrun-${dead}-AbCdEf`);
    const live = join(tmp, `kpki-testrun-${process.pid}-AbCdEf`);
    for (const dir of [stale, live]) {
      mkdirSync(join(dir, 'tmp', 'kpki-tree', 'pki'), { recursive: true });
      writeFileSync(join(dir, 'tmp', 'kpki-tree', 'pki', 'ca.key'), 'not a key');
    }
    const child = spawnSync(
      process.execPath,
      ['scripts/run-tests.mjs', 'test/support/fixtures/cleans-temp.ts'],
      { cwd: ROOT, encoding: 'utf8', env: cleanEnv({ TMPDIR: tmp }) },
    );
    assert.equal(child.status, 0, child.stderr);
    assert.match(child.stdout, /removed 1 temporary directories of killed runs/);
    assert.ok(!existsSync(stale));
    assert.ok(existsSync(live));
    assert.deepEqual(runDirs(tmp), [`kpki-testrun-${process.pid}-AbCdEf`]);
  });
});
