/** `check`'s view of loose directory permissions, as kube-bench reports them (CIS 1.1.x). */
import { posix } from 'node:path';
import { insecureDirectories } from '../stores/state-guard.js';

/**
 * A problem line for the tree root and every existing directory on the way to `files`
 * (tree-relative) that group or others can write. Read-only.
 */
export async function insecureDirProblems(
  root: string,
  files: Iterable<string>,
): Promise<string[]> {
  const dirs = [...new Set([...files].map((file) => posix.dirname(file)))];
  return (await insecureDirectories(root, dirs)).map(
    ({ path, mode }) =>
      `directory "${path}" is writable by group or others (mode ${mode.toString(8)}; at most 755): anyone who can write there can replace a key or certificate, and kpki refuses to write there without --allow-insecure-dir`,
  );
}
