/**
 * The files in deploy/ checked by the real tools: `promtool check rules` and `promtool test rules`
 * (Debian's prometheus package) on the alert rules, `systemd-analyze verify` on the units.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KPKI, tempDir } from '../support/tools.js';

const RULES = 'deploy/prometheus/kpki-rules.yaml';
const RULES_TEST = 'deploy/prometheus/kpki-rules.test.yaml';
const UNITS = ['kpki-serve.service', 'kpki-renew.service', 'kpki-renew.timer'];

function have(tool: string): boolean {
  const found = spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
  // Under CI a missing tool is a failure, not a skip (.ci/run installs it).
  if (!found && process.env['CI'] !== undefined) assert.fail(`${tool} is not installed`);
  return found;
}

function tool(cmd: string, args: readonly string[]): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('deploy/ files', () => {
  it('the alert rules pass promtool check rules', { skip: !have('promtool') }, () => {
    const r = tool('promtool', ['check', 'rules', RULES]);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /SUCCESS: 6 rules found/);
  });

  it('the alert rules pass their promtool unit tests', { skip: !have('promtool') }, () => {
    const r = tool('promtool', ['test', 'rules', RULES_TEST]);
    assert.equal(r.status, 0, r.out);
  });

  it(
    'promtool test rules fails when an alert is expected that the rules do not raise',
    {
      skip: !have('promtool'),
    },
    () => {
      const dir = tempDir('kpki-rules-');
      copyFileSync(RULES, join(dir, 'kpki-rules.yaml'));
      const broken = readFileSync(RULES_TEST, 'utf8').replace(
        "values: '259200x30'",
        "values: '31536000x30'",
      );
      writeFileSync(join(dir, 'broken.test.yaml'), broken);
      const r = tool('promtool', ['test', 'rules', join(dir, 'broken.test.yaml')]);
      assert.notEqual(r.status, 0, r.out);
    },
  );

  it('the systemd units pass systemd-analyze verify', { skip: !have('systemd-analyze') }, () => {
    // The units name /usr/local/bin/kpki, where an install puts it; verify checks it is executable,
    // so the copy verified here names this build's binary instead.
    const dir = tempDir('kpki-units-');
    for (const unit of UNITS) {
      const text = readFileSync(join('deploy/systemd', unit), 'utf8');
      writeFileSync(join(dir, unit), text.replaceAll('/usr/local/bin/kpki', KPKI));
    }
    const r = tool('systemd-analyze', ['verify', ...UNITS.map((unit) => join(dir, unit))]);
    assert.equal(r.status, 0, r.out);
  });
});
