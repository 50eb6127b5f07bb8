/**
 * The `kpki` executable (`dist/kpki.cjs`). It compiles the CLI bundle beside it
 * (`dist/kpki-main.cjs`) with a V8 code cache, so a warm start skips parsing and compiling the
 * bundle's functions, then runs it. Contracts:
 * - The cache is an optimisation only: every failure to read, trust or write it is ignored, and
 *   kpki behaves the same with an empty, stale, foreign or deleted cache.
 * - One file per kpki version, Node version, architecture and bundle hash, in `$KPKI_CACHE_DIR`,
 *   else `$XDG_CACHE_HOME/kpki`, else `~/.cache/kpki`. `KPKI_NO_CODE_CACHE=1` turns it off.
 * - Cached code runs with kpki's privileges, so it is used only from a real directory and a
 *   regular file owned by the invoking user and writable by nobody else (opened without following
 *   symlinks). An untrusted file in a trusted directory is never read, and is replaced (renamed
 *   over, so a symlink's target is never written); nothing is written into an untrusted directory.
 * - The cache is written once, at exit, by a run that had none (or had it rejected by V8): a
 *   private temporary file renamed into place, so concurrent runs never read a partial file.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';

declare const KPKI_VERSION: string;

const MAX_CACHE_BYTES = 64 * 1024 * 1024;

const bundle = join(__dirname, 'kpki-main.cjs');
const source = readFileSync(bundle, 'utf8');
const cacheFile = cachePath(source);
const cached = cacheFile === undefined ? undefined : readTrusted(cacheFile);
const script = new Script(
  `(function (exports, require, module, __filename, __dirname) {${source}\n})`,
  { filename: bundle, ...(cached !== undefined && { cachedData: cached }) },
);
if (cacheFile !== undefined && (cached === undefined || script.cachedDataRejected === true)) {
  process.once('exit', () => writeCache(cacheFile, script));
}
const run = script.runInThisContext() as (
  exports: unknown,
  require: NodeJS.Require,
  module: { exports: unknown },
  filename: string,
  dirname: string,
) => void;
const module_ = { exports: {} };
run(module_.exports, createRequire(bundle), module_, bundle, dirname(bundle));

/** The cache file for this bundle, or undefined when the cache is off or has no home. */
function cachePath(text: string): string | undefined {
  if (process.env.KPKI_NO_CODE_CACHE === '1') return undefined;
  const home = homedir();
  const dir =
    process.env.KPKI_CACHE_DIR ??
    (process.env.XDG_CACHE_HOME !== undefined && process.env.XDG_CACHE_HOME !== ''
      ? join(process.env.XDG_CACHE_HOME, 'kpki')
      : home === ''
        ? undefined
        : join(home, '.cache', 'kpki'));
  if (dir === undefined || dir === '') return undefined;
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
  const node = process.version.replace(/[^0-9A-Za-z.]/g, '');
  return join(dir, `kpki-${KPKI_VERSION}-node${node}-${process.arch}-${hash}.v8`);
}

/** Owned by us and writable by nobody else. */
function trusted(stats: Stats): boolean {
  const uid = process.geteuid?.() ?? stats.uid;
  return stats.uid === uid && (stats.mode & 0o022) === 0;
}

function trustedDir(dir: string): boolean {
  try {
    const stats = lstatSync(dir);
    return stats.isDirectory() && trusted(stats);
  } catch {
    return false;
  }
}

function readTrusted(file: string): Buffer | undefined {
  if (!trustedDir(dirname(file))) return undefined;
  let fd: number | undefined;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
    const stats = fstatSync(fd);
    if (!stats.isFile() || !trusted(stats) || stats.size > MAX_CACHE_BYTES) return undefined;
    return readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Writes the code V8 compiled during this run; removes this directory's older kpki entries. */
function writeCache(file: string, compiled: Script): void {
  const dir = dirname(file);
  const temp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!trustedDir(dir)) return;
    const data = compiled.createCachedData();
    const fd = openSync(
      temp,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      0o600,
    );
    try {
      writeSync(fd, data);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
    const name = file.slice(dir.length + 1);
    for (const entry of readdirSync(dir)) {
      if (entry !== name && /^kpki-.*\.v8$/.test(entry)) unlinkSync(join(dir, entry));
    }
  } catch {
    try {
      unlinkSync(temp);
    } catch {
      // Nothing was left behind.
    }
  }
}
