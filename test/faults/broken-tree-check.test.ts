/**
 * `check` never stays green on a broken tree (issue #13, hole 7): a missing leaf is exit 3, and a
 * certificate that cannot be read is a problem, not an OK row.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kpki } from '../support/tools.js';
import { tempDir } from '../support/temp-dir.js';
import { initTree, writeKubeadmConfig } from './fault-commands.js';

describe('check on a broken tree', () => {
  let config: string;
  before(() => {
    config = writeKubeadmConfig();
  });

  it('kubeadm: pki/apiserver.crt deleted is a !MISSING! row and exit 3', () => {
    const dir = initTree(config);
    rmSync(join(dir, 'pki/apiserver.crt'));
    const result = kpki(['check', '--dir', dir]);
    assert.match(result.stdout, /!MISSING! apiserver/);
    assert.equal(result.status, 3, result.stderr);
  });

  it('kubeadm: a missing kubeconfig is exit 3 too', () => {
    const dir = initTree(config);
    rmSync(join(dir, 'scheduler.conf'));
    assert.equal(kpki(['check', '--dir', dir]).status, 3);
  });

  it('kubeadm: no super-admin.conf (a joined control-plane node, or kubeadm < 1.29) is listed, not broken', () => {
    const dir = initTree(config);
    rmSync(join(dir, 'super-admin.conf'));
    const result = kpki(['check', '--dir', dir]);
    assert.match(result.stdout, /!MISSING! super-admin\.conf/);
    assert.equal(result.status, 0, result.stderr);
  });

  it('kubeadm: an empty CA certificate is a problem and exit 3', () => {
    const dir = initTree(config);
    writeFileSync(join(dir, 'pki/front-proxy-ca.crt'), '');
    const result = kpki(['check', '--dir', dir, '-o', 'json']);
    assert.equal(result.status, 3, result.stderr);
  });

  it('a healthy tree is still exit 0', () => {
    assert.equal(kpki(['check', '--dir', initTree(config)]).status, 0);
  });

  for (const [name, damage] of Object.entries({
    'client-ca.crt empty': (d: string) => writeFileSync(join(d, 'server/tls/client-ca.crt'), ''),
    'server-ca.key empty': (d: string) => writeFileSync(join(d, 'server/tls/server-ca.key'), ''),
    'server-ca.crt missing': (d: string) => rmSync(join(d, 'server/tls/server-ca.crt')),
    'server-ca.crt garbage': (d: string) =>
      writeFileSync(join(d, 'server/tls/server-ca.crt'), 'garbage\n'),
  })) {
    it(`rke2: ${name} is reported and check exits non-zero`, (t) => {
      const dir = tempDir('kpki-rke2-', t);
      assert.equal(
        kpki(['init', '--layout', 'rke2', '--dir', dir, '--node-name', 'cp1']).status,
        0,
      );
      assert.equal(kpki(['check', '--dir', dir]).status, 0, 'healthy before the damage');
      damage(dir);
      const result = kpki(['check', '--dir', dir]);
      assert.notEqual(result.status, 0, result.stdout);
      assert.match(result.stderr, /CA "[a-z-]+"/);
      assert.doesNotMatch(result.stderr, /INTERNAL/);
    });
  }
});
