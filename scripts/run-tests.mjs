// Runs every *.test.ts under src/ and test/ with node's own test runner through tsx.
// Node 20's --test does not expand globs, so the files are listed here.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

// test/faults (kill injection at every syscall) takes minutes: `npm run test:faults` runs it;
// test/e2e needs the peers `npm run peers` builds and starts control planes: `npm run test:e2e`.
const SLOW = ['test/faults', 'test/e2e'];

function collect(dir, out, skipSlow = true) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (skipSlow && SLOW.includes(path)) continue;
    if (statSync(path).isDirectory()) collect(path, out, skipSlow);
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

// Arguments name files or directories (`npm run test:faults` passes test/faults: every file in it).
const only = process.argv.slice(2).flatMap((arg) => (statSync(arg).isDirectory() ? collect(arg.replace(/\/$/, ''), [], false).sort() : [arg]));
const files = only.length > 0 ? only : [...collect('src', []), ...collect('test', [])].sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
// spec for people, TAP to a file for the closing 'N passed, N failed' line that CI reads.
const tap = join(mkdtempSync(join(tmpdir(), 'kpki-test-')), 'report.tap');
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...files],
  { stdio: 'inherit', env: { ...process.env, KPKI_TEST: '1' } },
);
const report = readFileSync(tap, 'utf8');
const count = (key) => Number(report.match(new RegExp(`^# ${key} (\\d+)$`, 'm'))?.[1] ?? 0);
console.log(`${count('pass')} passed, ${count('fail')} failed, ${count('skipped') + count('todo')} skipped`);
process.exit(result.status ?? 1);
