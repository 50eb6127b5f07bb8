/** The real ports in one call: what a program needs to run a use case against a tree on disk. */
import { openTreeStore, type TreeStoreOptions } from './fs-tree-store.js';
import { externalFiles, nodeKeyGenerator, nodeRandom, systemClock } from './node-ports.js';
import type { OpsContext } from '../ops/shared/ports.js';

/**
 * Opens the tree at `root` (which must exist; a transaction a killed kpki left is finished or
 * undone first, see {@link openTreeStore}) with the system clock, asynchronous OpenSSL key
 * generation, secure random bytes and a reader for files outside the tree. Nothing is written
 * until an apply commits.
 * @throws FileAccessError `NO_TREE` when `root` is not a directory.
 */
export async function openNodeContext(
  root: string,
  options: TreeStoreOptions = {},
): Promise<OpsContext> {
  return {
    tree: await openTreeStore(root, options),
    clock: systemClock,
    keys: nodeKeyGenerator,
    random: nodeRandom,
    external: externalFiles,
  };
}
