/**
 * Trust checks for kpki's own state (`.kpki/`, its backups, lock and records) and for every path
 * read back from it. kpki runs as root: a state directory another user can write, or a symlink
 * anywhere on a recorded path, would let that user steer recovery, backups or rollback outside the
 * tree. Every check uses lstat, so no symlink is ever followed.
 */
import { lstat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Stats } from 'node:fs';
import { FileAccessError } from '../errors.js';

/** Whether a state path is a directory or a regular file. */
export type StateKind = 'directory' | 'file';

/**
 * What is wrong with `info` as kpki state of `kind`, or undefined when it is trusted: the right
 * type (never a symlink), owned by the invoking user or root, not writable by group or others.
 */
export function stateProblem(info: Stats, kind: StateKind): string | undefined {
  if (info.isSymbolicLink()) return 'is a symbolic link';
  if (kind === 'directory' ? !info.isDirectory() : !info.isFile()) return `is not a ${kind}`;
  const uid = process.getuid?.();
  if (uid !== undefined && info.uid !== uid && info.uid !== 0)
    return `is owned by uid ${info.uid}, not by uid ${uid} or root`;
  if ((info.mode & 0o022) !== 0)
    return `is writable by group or others (mode ${(info.mode & 0o7777).toString(8)})`;
  return undefined;
}

/**
 * Refuses a state path that exists and is not trusted (see {@link stateProblem}); a missing path
 * is fine (kpki creates it). Touches nothing.
 * @throws FileAccessError `UNSAFE_STATE` naming the path and what is wrong.
 */
export async function assertTrustedState(path: string, kind: StateKind): Promise<void> {
  const info = await lstat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  const problem = info && stateProblem(info, kind);
  if (problem !== undefined)
    throw new FileAccessError(
      'UNSAFE_STATE',
      `kpki's state "${path}" ${problem}; refusing to use it`,
      {
        hint: `inspect "${path}"; if kpki did not make it, move it away and run the command again`,
      },
    );
}

/**
 * Refuses a tree-relative path (already syntax-checked) when any existing component below `root`
 * is a symbolic link, the last one included unless `lastMayBeLink` (a rename target or an unlink
 * replaces a final link; it never writes through it). Missing components end the walk.
 * @throws FileAccessError `UNSAFE_PATH`.
 */
export async function assertNoLinkOnPath(
  root: string,
  path: string,
  lastMayBeLink = false,
): Promise<void> {
  const parts = path.split('/');
  let current = root;
  for (const [index, part] of parts.entries()) {
    current = join(current, part);
    const info = await lstat(current).catch(() => undefined);
    if (!info) return;
    const last = index === parts.length - 1;
    if (info.isSymbolicLink() && !(last && lastMayBeLink))
      throw new FileAccessError(
        'UNSAFE_PATH',
        `"${path}" in the tree "${root}" passes through the symbolic link "${relative(root, current)}"; refusing to follow it`,
      );
    if (!last && !info.isDirectory()) return;
  }
}

/**
 * The directories among `root` and every existing directory from it down to each of `dirs`
 * (tree-relative, syntax-checked) that group or others can write, with their modes: whoever can
 * write there can swap a key or certificate under kpki (kube-bench, CIS 1.1.x, wants them at most
 * 0755). Symlinks and missing components end a walk. Read-only.
 */
export async function insecureDirectories(
  root: string,
  dirs: readonly string[],
): Promise<{ readonly path: string; readonly mode: number }[]> {
  const seen = new Set<string>();
  const found: { path: string; mode: number }[] = [];
  const visit = async (path: string): Promise<boolean> => {
    if (seen.has(path)) return true;
    seen.add(path);
    const info = await lstat(path).catch(() => undefined);
    if (!info?.isDirectory()) return false;
    if ((info.mode & 0o022) !== 0) found.push({ path, mode: info.mode & 0o7777 });
    return true;
  };
  await visit(root);
  for (const dir of dirs) {
    let current = root;
    for (const part of dir.split('/').filter((p) => p !== '' && p !== '.')) {
      current = join(current, part);
      if (!(await visit(current))) break;
    }
  }
  return found;
}

/**
 * Refuses a commit into an insecure directory (see {@link insecureDirectories}) unless `allow`.
 * @throws FileAccessError `INSECURE_DIR` naming the first such directory and its mode.
 */
export async function assertSecureDirectories(
  root: string,
  dirs: readonly string[],
  allow: boolean,
): Promise<void> {
  if (allow) return;
  const [first] = await insecureDirectories(root, dirs);
  if (first)
    throw new FileAccessError(
      'INSECURE_DIR',
      `the directory "${first.path}" is writable by group or others (mode ${first.mode.toString(8)}); anyone who can write there can replace a key or certificate`,
      {
        hint: `chmod go-w "${first.path}" and run the command again, or pass --allow-insecure-dir`,
      },
    );
}
