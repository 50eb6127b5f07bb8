/**
 * Commits the fixed six-file change of store-kill.test.ts to the tree named by argv[2]: four
 * replacements (one in a directory it shares with a new file) and two new files, one in a new
 * directory. Exits 0 when the commit is in place.
 */
import { openTreeStore } from '../../src/stores/fs-tree-store.js';
import { STORE_KILL_CHANGE } from './store-kill-change.js';

const dir = process.argv[2];
if (dir === undefined) throw new Error('usage: store-commit-script <tree>');
const store = await openTreeStore(dir);
await store.exclusive(() => store.commit(STORE_KILL_CHANGE, 'renew'));
