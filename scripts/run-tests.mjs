// Runs every *.test.ts under src/ and test/ with node's own test runner through tsx.
// Node 20's --test does not expand globs, so the files are listed here.
//
// Before the run: the test data must exist (one message naming KPKI_TESTDATA, not an ENOENT per
// test), and temporary trees of earlier runs that were killed are removed. During the run TMPDIR
// points at a directory of this run's own, so whatever the tests create lands in it; tests remove
// their trees themselves (test/support/temp-dir.ts), and the run fails, naming them, if any are
// left. The directory is removed at the end either way: the trees hold private keys.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// test/faults (kill injection at every syscall) takes minutes: `npm run test:faults` runs it;
// test/e2e needs the peers `npm run peers` builds and starts control planes: `npm run test:e2e`.
const SLOW = ['test/faults', 'test/e2e'];
// Test files run in parallel processes. Most of a file's time is spent waiting on child processes
// (the CLI, openssl, kubectl, etcd), so more files than cores keeps both cores busy; node's default
// is cores - 1 (one file at a time on two cores). KPKI_TEST_CONCURRENCY overrides it.
const CONCURRENCY = Number(
  process.env.KPKI_TEST_CONCURRENCY ?? Math.max(4, availableParallelism() * 2),
);
// This run's temporary directory: <tmp>/kpki-testrun-<pid>-XXXXXX.
const RUN_PREFIX = 'kpki-testrun-';

function collect(dir, out, skipSlow = true) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (skipSlow && SLOW.includes(path)) continue;
    if (statSync(path).isDirectory()) collect(path, out, skipSlow);
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

function requireTestData() {
  const root = resolve(import.meta.dirname, '..');
  const dir = resolve(process.env.KPKI_TESTDATA ?? join(root, '..', 'shared', 'testdata'));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    console.error(
      `test data not found at "${dir}": set KPKI_TESTDATA to the directory holding ` +
        'x509-limbo/, wycheproof/, chain-rollover/ and real/ (default ../shared/testdata from ' +
        'the project root)',
    );
    process.exit(1);
  }
  return dir;
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** Removes the run directories of earlier runs whose process is gone (killed before cleaning). */
function removeStaleRuns(base) {
  const stale = readdirSync(base).filter((name) => {
    const pid = Number(new RegExp(`^${RUN_PREFIX}(\\d+)-`).exec(name)?.[1]);
    return Number.isInteger(pid) && pid !== process.pid && !alive(pid);
  });
  for (const name of stale) removeTree(join(base, name));
  if (stale.length > 0) console.log(`removed ${stale.length} temporary directories of killed runs`);
}

function removeTree(dir) {
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {
    spawnSync('chmod', ['-R', 'u+rwx', dir]);
    rmSync(dir, { recursive: true, force: true });
  }
}

// Arguments name files or directories (`npm run test:faults` passes test/faults: every file in it).
const only = process.argv
  .slice(2)
  .flatMap((arg) =>
    statSync(arg).isDirectory() ? collect(arg.replace(/\/$/, ''), [], false).sort() : [arg],
  );
const files = only.length > 0 ? only : [...collect('src', []), ...collect('test', [])].sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const testdata = requireTestData();
const base = tmpdir();
removeStaleRuns(base);
const runDir = mkdtempSync(join(base, `${RUN_PREFIX}${process.pid}-`));
const testTmp = join(runDir, 'tmp');
mkdirSync(testTmp);
// Traversable, not listable: the fault suite's unprivileged cases run as `nobody` in trees below
// it; each tree is still a 0700 mkdtemp of its own unless a test opens it on purpose.
chmodSync(runDir, 0o711);
chmodSync(testTmp, 0o711);
// tsx keeps its transform cache in <tmpdir>/tsx-<uid>: share the usual one, or every run
// would start cold. A symlink, so removing the run directory leaves the cache alone.
const tsxCache = `tsx-${process.getuid?.() ?? 'user'}`;
mkdirSync(join(base, tsxCache), { recursive: true });
symlinkSync(join(base, tsxCache), join(testTmp, tsxCache));
// kpki's V8 code cache (src/cli/launch.ts) for this run, written once here before the tests: a
// cache that never changes during the run keeps every kpki process's syscalls the same from run
// to run, which the fault suite's counted kill points rely on.
const codeCache = join(runDir, 'code-cache');
if (existsSync('dist/kpki.cjs'))
  spawnSync(process.execPath, ['dist/kpki.cjs', '--help'], {
    stdio: 'ignore',
    env: { ...process.env, KPKI_CACHE_DIR: codeCache },
  });

// spec for people, TAP to a file for the closing 'N passed, N failed' line that CI reads.
const tap = join(runDir, 'report.tap');
const started = Date.now();
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${CONCURRENCY}`,
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tap}`,
    ...files,
  ],
  {
    stdio: 'inherit',
    env: {
      ...process.env,
      KPKI_TEST: '1',
      KPKI_TESTDATA: testdata,
      TMPDIR: testTmp,
      KPKI_CACHE_DIR: codeCache,
    },
  },
);
const seconds = ((Date.now() - started) / 1000).toFixed(0);
const report = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
const count = (key) => Number(report.match(new RegExp(`^# ${key} (\\d+)$`, 'm'))?.[1] ?? 0);
const left = readdirSync(testTmp).filter((name) => name !== tsxCache);
removeTree(runDir);
console.log(`${files.length} files in ${seconds} s, ${CONCURRENCY} at a time`);
console.log(
  `${count('pass')} passed, ${count('fail')} failed, ${count('skipped') + count('todo')} skipped`,
);
if (left.length > 0) {
  console.error(
    `the tests left ${left.length} temporary entries behind (now removed; a test must remove ` +
      `what it creates, see test/support/temp-dir.ts):\n  ${left.sort().join('\n  ')}`,
  );
  process.exit(1);
}
process.exit(result.status ?? 1);
