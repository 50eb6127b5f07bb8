/**
 * Restores are validated like inputs (issue #13, hole 5): `rollback` writes every file with the
 * mode the layout's catalogue gives it, whatever a tampered manifest says (never setuid, setgid,
 * sticky or group/other write), and refuses a backup naming a path outside the catalogue's files
 * before anything is written.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { hashTree, kpki, tempDir } from '../support/tools.js';
import { initTree, writeKubeadmConfig } from './fault-commands.js';

interface Manifest {
  operation: string;
  createdAt: string;
  files: { path: string; existed: boolean; mode: number }[];
}

/** The newest backup's directory and its manifest, for tampering. */
function newestBackup(dir: string): { path: string; manifest: Manifest } {
  const root = join(dir, '.kpki/backups');
  const id = readdirSync(root).sort().at(-1) ?? '';
  const path = join(root, id);
  return {
    path,
    manifest: JSON.parse(readFileSync(join(path, 'manifest.json'), 'utf8')) as Manifest,
  };
}

function saveManifest(path: string, manifest: Manifest): void {
  writeFileSync(join(path, 'manifest.json'), JSON.stringify(manifest), { mode: 0o600 });
}

describe('rollback of a tampered backup', () => {
  let config: string;
  before(() => {
    config = writeKubeadmConfig();
  });

  it('kubeadm: modes come from the catalogue (0600 keys and kubeconfigs, 0644 certificates), never a manifest 7777', () => {
    const dir = initTree(config);
    assert.equal(kpki(['renew', 'all', '--dir', dir, '--config', config]).status, 0);
    const { path, manifest } = newestBackup(dir);
    for (const file of manifest.files) file.mode = 0o7777;
    saveManifest(path, manifest);
    const result = kpki(['rollback', '--dir', dir]);
    assert.equal(result.status, 0, result.stderr);
    const mode = (file: string): number => lstatSync(join(dir, file)).mode & 0o7777;
    assert.equal(mode('pki/apiserver.key'), 0o600);
    assert.equal(mode('pki/apiserver.crt'), 0o644);
    assert.equal(mode('admin.conf'), 0o600);
    for (const file of manifest.files.filter((f) => f.existed))
      assert.equal(mode(file.path) & 0o7022, 0, `${file.path} ${mode(file.path).toString(8)}`);
  });

  for (const [name, path] of Object.entries({
    'a path outside the catalogue': 'pki/evil.sh',
    'a file beside the tree root': 'cron-job',
    'a path with ..': 'pki/../../escape',
  })) {
    it(`kubeadm: a backup naming ${name} is refused, nothing written`, () => {
      const dir = initTree(config);
      assert.equal(kpki(['renew', 'all', '--dir', dir, '--config', config]).status, 0);
      const backup = newestBackup(dir);
      backup.manifest.files.push({ path, existed: true, mode: 0o4755 });
      const copy = join(backup.path, 'files', path);
      if (!path.includes('..')) {
        mkdirSync(dirname(copy), { recursive: true, mode: 0o700 });
        writeFileSync(copy, '#!/bin/sh\necho owned\n', { mode: 0o700 });
      }
      saveManifest(backup.path, backup.manifest);
      const before = hashTree(dir);
      for (const args of [['--dry-run'], []]) {
        const result = kpki(['rollback', '--dir', dir, ...args]);
        assert.equal(result.status, 3, result.stderr);
        assert.match(result.stderr, /^error: \[(BAD_BACKUP|BAD_PATH)\] /m);
        assert.doesNotMatch(result.stderr, /INTERNAL|\n\s+at /);
      }
      assert.equal(hashTree(dir), before);
    });
  }

  it('rke2: rotate then rollback (its server/tls-<unix> copy removed) still works', (t) => {
    const dir = tempDir('kpki-rke2-', t);
    assert.equal(kpki(['init', '--layout', 'rke2', '--dir', dir, '--node-name', 'cp1']).status, 0);
    const before = hashTree(dir);
    assert.equal(kpki(['rotate', '--dir', dir]).status, 0);
    const result = kpki(['rollback', '--dir', dir]);
    assert.equal(result.status, 0, result.stderr);
    // The copy's files are gone; its directories stay, as every rollback leaves created dirs.
    for (const name of readdirSync(join(dir, 'server')).filter((n) => n.startsWith('tls-'))) {
      const copy = join(dir, 'server', name);
      assert.deepEqual(
        readdirSync(copy, { recursive: true }).filter((f) =>
          lstatSync(join(copy, String(f))).isFile(),
        ),
        [],
      );
      rmSync(copy, { recursive: true });
    }
    assert.equal(hashTree(dir), before);
  });
});
