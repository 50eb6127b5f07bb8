/**
 * The launcher's V8 code cache (src/cli/launch.ts): written once, reused, and never trusted when
 * someone else could have written it. kpki's output is the same in every case.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { KPKI } from '../support/tools.js';
import { tempDir } from '../support/temp-dir.js';

function kpkiWith(env: Record<string, string>, args = ['--help']): string {
  const result = spawnSync(process.execPath, [KPKI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stderr, '');
  return result.stdout;
}

const entries = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.v8'));

describe('the code cache', () => {
  const plain = kpkiWith({ KPKI_NO_CODE_CACHE: '1' });

  it('is written once, private, and reused with the same output', (t) => {
    const dir = join(tempDir('kpki-cc-', t), 'cache');
    assert.equal(kpkiWith({ KPKI_CACHE_DIR: dir }), plain);
    const [file] = entries(dir);
    assert.ok(file !== undefined && /^kpki-.+-node.+\.v8$/.test(file), String(file));
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(statSync(join(dir, file)).mode & 0o777, 0o600);
    const first = statSync(join(dir, file)).mtimeMs;
    assert.equal(kpkiWith({ KPKI_CACHE_DIR: dir }), plain);
    assert.equal(statSync(join(dir, file)).mtimeMs, first, 'a used cache is not rewritten');
    assert.deepEqual(entries(dir), [file]);
  });

  it('is off with KPKI_NO_CODE_CACHE=1', (t) => {
    const dir = join(tempDir('kpki-cc-', t), 'cache');
    kpkiWith({ KPKI_CACHE_DIR: dir, KPKI_NO_CODE_CACHE: '1' });
    assert.equal(existsSync(dir), false);
  });

  it('replaces a damaged cache, and removes entries of other builds', (t) => {
    const dir = join(tempDir('kpki-cc-', t), 'cache');
    kpkiWith({ KPKI_CACHE_DIR: dir });
    const [file] = entries(dir);
    writeFileSync(join(dir, file!), 'not V8 code', { mode: 0o600 });
    writeFileSync(join(dir, 'kpki-0.0.0-nodev1-x64-0000.v8'), 'old', { mode: 0o600 });
    assert.equal(kpkiWith({ KPKI_CACHE_DIR: dir }), plain);
    assert.deepEqual(entries(dir), [file]);
    assert.notEqual(readFileSync(join(dir, file!), 'utf8'), 'not V8 code');
  });

  it('never runs a cache file others may write, and replaces it with a private one', (t) => {
    const dir = join(tempDir('kpki-cc-', t), 'cache');
    kpkiWith({ KPKI_CACHE_DIR: dir });
    const [file] = entries(dir);
    const path = join(dir, file!);
    writeFileSync(path, 'planted');
    chmodSync(path, 0o666);
    assert.equal(kpkiWith({ KPKI_CACHE_DIR: dir }), plain);
    assert.notEqual(readFileSync(path, 'utf8'), 'planted');
    assert.equal(statSync(path).mode & 0o777, 0o600);
  });

  it('ignores a directory others may write, and writes nothing into it', (t) => {
    const dir = join(tempDir('kpki-cc-', t), 'cache');
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    assert.equal(kpkiWith({ KPKI_CACHE_DIR: dir }), plain);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('does not follow a symlink at the cache file', (t) => {
    const work = tempDir('kpki-cc-', t);
    const dir = join(work, 'cache');
    kpkiWith({ KPKI_CACHE_DIR: dir });
    const [file] = entries(dir);
    const target = join(work, 'elsewhere');
    writeFileSync(target, 'target', { mode: 0o600 });
    const path = join(dir, file!);
    spawnSync('rm', [path]);
    symlinkSync(target, path);
    assert.equal(kpkiWith({ KPKI_CACHE_DIR: dir }), plain);
    assert.equal(readFileSync(target, 'utf8'), 'target', 'the link target is untouched');
  });
});
