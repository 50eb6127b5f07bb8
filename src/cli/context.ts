/** Opening the tree and the real ports for a command. */
import { openTreeStore } from '../stores/fs-tree-store.js';
import { externalFiles, nodeKeyGenerator, nodeRandom, systemClock } from '../stores/node-ports.js';
import type { OpsContext } from '../ops/shared/ports.js';

/**
 * Opens the tree at `dir` with the system clock, OpenSSL key generation and secure randomness;
 * `allowInsecureDir` lets commits go into directories group or others can write.
 * @throws FileAccessError `NO_TREE` when `dir` is not a directory.
 */
export async function openContext(dir: string, allowInsecureDir = false): Promise<OpsContext> {
  const tree = await openTreeStore(dir, { allowInsecureDir });
  return {
    tree,
    clock: systemClock,
    keys: nodeKeyGenerator,
    random: nodeRandom,
    external: externalFiles,
  };
}
