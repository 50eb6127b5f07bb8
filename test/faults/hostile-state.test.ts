/**
 * Hostile state (issue #13, holes 1 and 2): a planted journal, pending record or `.kpki` never
 * makes kpki delete, rename or write anything outside the tree, even on `kpki check`, and a
 * state directory another user owns or can write is refused before any write. The unprivileged
 * variant plants as `nobody` into a world-writable tree root, as a local user could.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  chmodSync,
  chownSync,
  existsSync,
  readFileSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { KPKI, kpki, run, tempDir } from '../support/tools.js';
import { initTree, writeKubeadmConfig } from './fault-commands.js';

const NOBODY = 65534;

/** An outside directory with a victim file, both readable, that no kpki command may touch. */
function victim(): { dir: string; file: string } {
  const dir = tempDir('kpki-victim-');
  const file = join(dir, 'v');
  writeFileSync(file, 'precious');
  return { dir, file };
}

function record(fields: Partial<Record<string, unknown>>): string {
  return JSON.stringify({
    txid: 'abc-123',
    backupId: 'b1',
    renames: [],
    deletes: [],
    createdDirs: [],
    ...fields,
  });
}

function assertRefused(result: { status: number; stderr: string }, code: RegExp): void {
  assert.notEqual(result.status, 0, 'the command must not succeed');
  assert.match(result.stderr, code);
  assert.doesNotMatch(result.stderr, /INTERNAL|\n\s+at /);
}

describe('hostile state', () => {
  let config: string;
  before(() => {
    config = writeKubeadmConfig();
  });

  it('a journal deleting through an in-tree symlink is refused by check; the victim stays', () => {
    const dir = initTree(config);
    const v = victim();
    symlinkSync(v.dir, join(dir, 'r'));
    writeFileSync(join(dir, '.kpki/journal.json'), record({ deletes: ['r/v'] }), { mode: 0o600 });
    assertRefused(kpki(['check', '--dir', dir]), /\[UNSAFE_PATH\].*"r\/v".*"r"/);
    assert.equal(readFileSync(v.file, 'utf8'), 'precious');
  });

  it('a journal renaming through a symlink is refused; nothing outside is replaced', () => {
    const dir = initTree(config);
    const v = victim();
    writeFileSync(join(v.dir, '.v.kpki-tmp-abc-123'), 'attacker');
    symlinkSync(v.dir, join(dir, 'r'));
    const renames = [{ tmp: 'r/.v.kpki-tmp-abc-123', target: 'r/v' }];
    writeFileSync(join(dir, '.kpki/journal.json'), record({ renames }), { mode: 0o600 });
    assertRefused(kpki(['renew', 'all', '--dir', dir, '--config', config]), /\[UNSAFE_PATH\]/);
    assert.equal(readFileSync(v.file, 'utf8'), 'precious');
  });

  it('a pending record removing temps through a symlink is refused', () => {
    const dir = initTree(config);
    const v = victim();
    writeFileSync(join(v.dir, '.v.kpki-tmp-abc-123'), 'keep');
    symlinkSync(v.dir, join(dir, 'r'));
    const renames = [{ tmp: 'r/.v.kpki-tmp-abc-123', target: 'r/v' }];
    writeFileSync(join(dir, '.kpki/pending.json'), record({ renames, createdDirs: ['r'] }), {
      mode: 0o600,
    });
    assertRefused(kpki(['check', '--dir', dir]), /\[UNSAFE_PATH\]/);
    assert.equal(readFileSync(join(v.dir, '.v.kpki-tmp-abc-123'), 'utf8'), 'keep');
  });

  it('a .kpki/backups symlink is refused before renew writes any backup outside the tree', () => {
    const dir = initTree(config);
    const outside = tempDir('kpki-outside-');
    run('rm', ['-rf', join(dir, '.kpki/backups')]);
    symlinkSync(outside, join(dir, '.kpki/backups'));
    assertRefused(
      kpki(['renew', 'all', '--dir', dir, '--config', config]),
      /\[UNSAFE_STATE\].*backups.*symbolic link/,
    );
    assert.deepEqual(readdirSync(outside), []);
  });

  it('a .kpki symlink is refused, and nothing is created through it', () => {
    const dir = initTree(config);
    const outside = tempDir('kpki-outside-');
    run('rm', ['-rf', join(dir, '.kpki')]);
    symlinkSync(outside, join(dir, '.kpki'));
    assertRefused(kpki(['renew', 'all', '--dir', dir, '--config', config]), /\[UNSAFE_STATE\]/);
    assert.deepEqual(readdirSync(outside), []);
  });

  it('a .kpki owned by another user or writable by group is refused', () => {
    for (const spoil of [
      (path: string) => chownSync(path, NOBODY, NOBODY),
      (path: string) => chmodSync(path, 0o770),
    ]) {
      const dir = initTree(config);
      spoil(join(dir, '.kpki'));
      assertRefused(
        kpki(['renew', 'all', '--dir', dir, '--config', config]),
        /\[UNSAFE_STATE\].*\.kpki/,
      );
    }
  });

  it('unprivileged: nobody replaces .kpki in a world-writable root; root kpki check refuses', () => {
    const dir = initTree(config);
    chmodSync(dir, 0o777);
    const v = victim();
    chmodSync(v.dir, 0o755);
    // What a local user can do without any privilege: move kpki's state aside and plant its own.
    const plant = [
      `mv ${dir}/.kpki ${dir}/old-state`,
      `mkdir -m 0700 ${dir}/.kpki`,
      `ln -s / ${dir}/r`,
      `printf '%s' '${record({ deletes: [`r${v.file}`] })}' > ${dir}/.kpki/journal.json`,
    ].join(' && ');
    const planted = run('setpriv', [
      `--reuid=${NOBODY}`,
      `--regid=${NOBODY}`,
      '--clear-groups',
      'sh',
      '-c',
      plant,
    ]);
    assert.equal(planted.status, 0, planted.stderr);
    assertRefused(kpki(['check', '--dir', dir]), /\[UNSAFE_STATE\].*owned by uid 65534/);
    assert.equal(readFileSync(v.file, 'utf8'), 'precious');
    // The check as nobody itself (its own .kpki) still cannot follow the link out of the tree.
    const asNobody = run('setpriv', [
      `--reuid=${NOBODY}`,
      `--regid=${NOBODY}`,
      '--clear-groups',
      process.execPath,
      KPKI,
      'check',
      '--dir',
      dir,
    ]);
    assert.notEqual(asNobody.status, 0);
    assert.match(asNobody.stderr, /\[UNSAFE_PATH\]/);
    assert.equal(existsSync(v.file), true);
  });
});
