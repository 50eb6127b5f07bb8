/**
 * Hostile permissions (kube-bench CIS 1.1.13–1.1.21, checked as `stat %a` within the allowed
 * mask): keys and kubeconfigs end 0600, certificates at most 0644, directories not writable by
 * group or others, and a symlink planted in the tree never carries a write outside it.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { KPKI, kpki, run, tempDir } from '../support/tools.js';
import { initTree, writeKubeadmConfig } from './fault-commands.js';

/** Every path below `dir` (`.kpki/` excluded) whose `stat %a` exceeds its CIS mask. */
function modeViolations(dir: string): string[] {
  const out: string[] = [];
  const visit = (d: string): void => {
    for (const name of readdirSync(d)) {
      if (d === dir && name === '.kpki') continue;
      const path = join(d, name);
      const mode = Number.parseInt(run('stat', ['-c', '%a', path]).stdout.trim(), 8);
      const info = lstatSync(path);
      const allowed = info.isDirectory() ? 0o755 : /\.(key|conf)$/.test(name) ? 0o600 : 0o644;
      if ((mode & ~allowed) !== 0) out.push(`${path.slice(dir.length + 1)} ${mode.toString(8)}`);
      if (info.isDirectory()) visit(path);
    }
  };
  visit(dir);
  return out;
}

describe('hostile permissions', () => {
  let config: string;
  before(() => {
    config = writeKubeadmConfig();
  });

  it('under umask 000, init and renew still write keys 0600, certificates 0644, directories 0755', () => {
    const dir = tempDir();
    for (const command of [['init'], ['renew', 'all']]) {
      const result = run('sh', [
        '-c',
        'umask 000 && exec "$@"',
        'sh',
        process.execPath,
        KPKI,
        ...command,
        '--dir',
        dir,
        '--config',
        config,
      ]);
      assert.equal(result.status, 0, result.stderr);
      assert.deepEqual(modeViolations(dir), []);
    }
    assert.equal(lstatSync(join(dir, '.kpki')).mode & 0o777, 0o700);
  });

  it('a pre-existing 0777 pki directory is tightened to drop group and other write', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'pki/etcd'), { recursive: true });
    chmodSync(join(dir, 'pki'), 0o777);
    chmodSync(join(dir, 'pki/etcd'), 0o777);
    assert.equal(kpki(['init', '--dir', dir, '--config', config]).status, 0);
    assert.deepEqual(modeViolations(dir), []);
    assert.equal(lstatSync(join(dir, 'pki')).mode & 0o777, 0o755);
  });

  it('a 0644 key that renew replaces ends 0600', () => {
    const dir = initTree(config);
    chmodSync(join(dir, 'pki/apiserver.key'), 0o644);
    chmodSync(join(dir, 'admin.conf'), 0o644);
    assert.equal(kpki(['renew', 'all', '--dir', dir, '--config', config]).status, 0);
    assert.deepEqual(modeViolations(dir), []);
  });

  it('a symlink planted where a key will be written is replaced, never written through', () => {
    const outside = tempDir();
    const victim = join(outside, 'victim.key');
    writeFileSync(victim, 'precious', { mode: 0o644 });
    const dangling = join(outside, 'created-through-link');
    const dir = tempDir();
    mkdirSync(join(dir, 'pki/etcd'), { recursive: true });
    symlinkSync(dangling, join(dir, 'pki/apiserver.key'));
    symlinkSync(victim, join(dir, 'pki/etcd/peer.key'));
    const result = kpki(['init', '--dir', dir, '--config', config]);
    assert.equal(readFileSync(victim, 'utf8'), 'precious');
    assert.equal(lstatSync(victim).mode & 0o777, 0o644);
    assert.equal(existsSync(dangling), false);
    // Either init refuses the links (the key "exists") or it replaces them with regular 0600 files.
    if (result.status === 0) {
      for (const key of ['pki/apiserver.key', 'pki/etcd/peer.key'])
        assert.equal(lstatSync(join(dir, key)).isSymbolicLink(), false);
      assert.deepEqual(modeViolations(dir), []);
    } else {
      assert.match(result.stderr, /^error: \[[A-Z_]+\] /m);
    }
    rmSync(dir, { recursive: true, force: true });
  });
});
