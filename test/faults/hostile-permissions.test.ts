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
import { KPKI, hashTree, kpki, run, tempDir } from '../support/tools.js';
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

  it('a pre-existing 0777 pki directory is refused (INSECURE_DIR, nothing written) unless --allow-insecure-dir', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'pki/etcd'), { recursive: true });
    chmodSync(join(dir, 'pki'), 0o777);
    chmodSync(join(dir, 'pki/etcd'), 0o777);
    const refused = kpki(['init', '--dir', dir, '--config', config]);
    assert.equal(refused.status, 1, refused.stderr);
    assert.match(
      refused.stderr,
      /\[INSECURE_DIR\] the directory "[^"]*\/pki" is writable by group or others \(mode 777\)/,
    );
    assert.match(refused.stderr, /--allow-insecure-dir/);
    assert.deepEqual(readdirSync(join(dir, 'pki')), ['etcd']);
    assert.deepEqual(readdirSync(join(dir, 'pki/etcd')), []);
    assert.equal(existsSync(join(dir, 'admin.conf')), false);
    const allowed = kpki(['init', '--dir', dir, '--config', config, '--allow-insecure-dir']);
    assert.equal(allowed.status, 0, allowed.stderr);
    assert.equal(existsSync(join(dir, 'pki/apiserver.key')), true);
    // Allowed means left as the user set it: kpki does not change a mode it was told to accept.
    assert.equal(lstatSync(join(dir, 'pki')).mode & 0o777, 0o777);
  });

  it('check reports a tree root or pki directory writable by others (exit 3); renew refuses it', () => {
    for (const loose of ['.', 'pki', 'pki/etcd']) {
      const dir = initTree(config);
      chmodSync(join(dir, loose), 0o775);
      const check = kpki(['check', '--dir', dir]);
      assert.equal(check.status, 3, `${loose}: ${check.stderr}`);
      assert.match(
        check.stderr,
        /\[check\] directory "[^"]*" is writable by group or others \(mode 775/,
      );
      const json = kpki(['check', '--dir', dir, '-o', 'json']);
      assert.equal(json.status, 3);
      const before = hashTree(dir);
      const renew = kpki(['renew', 'all', '--dir', dir, '--config', config]);
      assert.equal(renew.status, 1, renew.stderr);
      assert.match(renew.stderr, /\[INSECURE_DIR\]/);
      assert.equal(hashTree(dir), before, `${loose}: renew changed the tree`);
    }
  });

  it('rke2: a group-writable server/tls is a check problem and rotate refuses it', (t) => {
    const dir = tempDir('kpki-rke2-', t);
    assert.equal(kpki(['init', '--layout', 'rke2', '--dir', dir, '--node-name', 'cp1']).status, 0);
    chmodSync(join(dir, 'server/tls'), 0o770);
    const check = kpki(['check', '--dir', dir]);
    assert.equal(check.status, 3, check.stderr);
    assert.match(check.stderr, /server\/tls" is writable by group or others/);
    const before = hashTree(dir);
    const rotate = kpki(['rotate', '--dir', dir]);
    assert.match(rotate.stderr, /\[INSECURE_DIR\].*server\/tls/);
    assert.equal(hashTree(dir), before);
    assert.equal(kpki(['rotate', '--dir', dir, '--allow-insecure-dir']).status, 0);
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
