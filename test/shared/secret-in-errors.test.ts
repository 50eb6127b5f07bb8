/**
 * No secret text in any error (issue #13, hole 3): every secret-bearing format, damaged at the
 * secret, is fed to kpki, and all its output (text and -o json, stdout and stderr) is searched
 * for any 8-character window of the secret. Parser errors name file, line and column only.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kpki, tempDir } from '../support/tools.js';

/** Every 8-character window of `secret` that appears in `text`. */
export function secretWindows(secret: string, text: string): string[] {
  const found: string[] = [];
  for (let i = 0; i + 8 <= secret.length; i++) {
    const window = secret.slice(i, i + 8);
    if (text.includes(window)) found.push(window);
  }
  return found;
}

function assertNoSecret(secret: string, outputs: readonly string[]): void {
  assert.ok(secret.length >= 16, 'the secret under test is long enough to mean something');
  for (const output of outputs) assert.deepEqual(secretWindows(secret, output), [], output);
}

const KUBEADM_CONFIG =
  'apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\n---\napiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\nnodeRegistration: { name: n1 }\nlocalAPIEndpoint: { advertiseAddress: 10.0.0.9 }\n';

describe('no secret in an error', () => {
  it('kubeadm: a damaged client-key-data line in admin.conf (check text and -o json)', () => {
    const dir = tempDir();
    const config = join(tempDir(), 'kubeadm.yaml');
    writeFileSync(config, KUBEADM_CONFIG);
    assert.equal(kpki(['init', '--dir', dir, '--config', config]).status, 0);
    const path = join(dir, 'admin.conf');
    const text = readFileSync(path, 'utf8');
    const secret = /client-key-data: (\S+)/.exec(text)?.[1] ?? '';
    writeFileSync(path, text.replace(`client-key-data: ${secret}`, `client-key-data: "${secret}`));
    const outputs: string[] = [];
    for (const output of [[], ['-o', 'json']]) {
      const result = kpki(['check', '--dir', dir, ...output]);
      assert.notEqual(result.status, 0);
      outputs.push(result.stdout, result.stderr);
    }
    assert.match(outputs.join('\n'), /admin\.conf.*line \d+, column \d+/);
    assertNoSecret(secret, outputs);
  });

  it('rke2: a damaged token line in config.yaml (stderr and error.message)', () => {
    const secret = 'K10verysecrettokenvalue0123456789abcdef';
    const config = join(tempDir(), 'config.yaml');
    writeFileSync(config, `node-name: cp1\ntoken: "${secret}\nwrite-kubeconfig-mode: "0600"\n`);
    const outputs: string[] = [];
    for (const output of [[], ['-o', 'json']]) {
      const args = ['init', '--layout', 'rke2', '--dir', tempDir(), '--config', config, ...output];
      const result = kpki(args);
      assert.equal(result.status, 3, result.stderr);
      outputs.push(result.stdout, result.stderr);
    }
    assert.match(outputs.join('\n'), /config\.yaml.*line \d+, column \d+/);
    assertNoSecret(secret, outputs);
  });

  it('kubeadm: a damaged bootstrap token in the --config file', () => {
    const secret = 'abcdef.0123456789abcdef';
    const config = join(tempDir(), 'kubeadm.yaml');
    writeFileSync(
      config,
      `${KUBEADM_CONFIG}bootstrapTokens:\n- token: [${secret}\n`.replace(
        'kind: InitConfiguration\n',
        'kind: InitConfiguration\n',
      ),
    );
    const result = kpki(['init', '--dir', tempDir(), '--config', config]);
    assert.equal(result.status, 3, result.stderr);
    assertNoSecret(secret, [result.stdout, result.stderr]);
  });
});
