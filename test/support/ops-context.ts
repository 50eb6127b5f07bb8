/**
 * Op-level unit tests without disk or processes: an {@link OpsContext} over a MemoryTreeStore with
 * a fixed clock, deterministic randomness and a key generator handing out pre-made keys, and the
 * check that a plan names exactly the files its apply changes.
 */
import assert from 'node:assert/strict';
import type { KeyAlgorithm, PrivateKey } from '../../src/pki/keys.js';
import { MemoryTreeStore, type MemoryFile } from '../../src/stores/memory-tree-store.js';
import { plannedPaths, type Apply, type Planned } from '../../src/ops/shared/plan.js';
import type { KeyGenerator, OpsContext } from '../../src/ops/shared/ports.js';
import { keyPairSync } from './key-pair.js';

const POOL_SIZE: Record<KeyAlgorithm, number> = {
  'RSA-2048': 32,
  'RSA-3072': 2,
  'RSA-4096': 2,
  'ECDSA-P256': 40,
  'ECDSA-P384': 4,
};
const pools = new Map<KeyAlgorithm, PrivateKey[]>();

function makeKey(algorithm: KeyAlgorithm): PrivateKey {
  switch (algorithm) {
    case 'RSA-2048':
    case 'RSA-3072':
    case 'RSA-4096':
      return {
        algorithm,
        keyObject: keyPairSync('rsa', { modulusLength: Number(algorithm.slice(4)) }).privateKey,
      };
    case 'ECDSA-P256':
      return { algorithm, keyObject: keyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey };
    case 'ECDSA-P384':
      return { algorithm, keyObject: keyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey };
  }
}

/**
 * The `index`-th pre-made key of an algorithm (cycling through a pool of POOL_SIZE), made on
 * first use and kept for the test process.
 */
export function pooledKey(algorithm: KeyAlgorithm, index: number): PrivateKey {
  let pool = pools.get(algorithm);
  if (!pool) {
    pool = [];
    pools.set(algorithm, pool);
  }
  const slot = index % POOL_SIZE[algorithm];
  let key = pool[slot];
  if (!key) {
    key = makeKey(algorithm);
    pool[slot] = key;
  }
  return key;
}

/** A key generator cycling through the pools; `handed` counts the keys it gave out. */
export interface FakeKeys extends KeyGenerator {
  handed: number;
}

/** A fresh {@link FakeKeys}, starting each pool at `offset`. */
export function fakeKeys(offset = 0): FakeKeys {
  const next = new Map<KeyAlgorithm, number>();
  const keys: FakeKeys = {
    handed: 0,
    generate(algorithm: KeyAlgorithm): Promise<PrivateKey> {
      const index = next.get(algorithm) ?? offset;
      next.set(algorithm, index + 1);
      keys.handed++;
      return Promise.resolve(pooledKey(algorithm, index));
    },
  };
  return keys;
}

/** A memory tree and a context over it. */
export interface MemoryOps {
  readonly store: MemoryTreeStore;
  readonly keys: FakeKeys;
  readonly ctx: OpsContext;
}

/** A context at `at` over `store` (a new empty memory tree by default). */
export function memoryOps(
  at: Date,
  store = new MemoryTreeStore({ now: () => at }),
  keys = fakeKeys(),
): MemoryOps {
  let counter = 0;
  return {
    store,
    keys,
    ctx: {
      tree: store,
      clock: { now: () => at },
      keys,
      random: (n) => new Uint8Array(n).map(() => (counter++ * 37 + 11) & 0xff),
    },
  };
}

/** The same files in a new store (another context, e.g. later, on the same tree). */
export function copyStore(store: MemoryTreeStore, at: Date): MemoryTreeStore {
  return new MemoryTreeStore({
    root: store.root,
    now: () => at,
    files: Object.fromEntries(store.snapshot()),
  });
}

/** Paths whose bytes or mode differ between two snapshots, or that exist in only one, sorted. */
export function changedPaths(
  before: ReadonlyMap<string, MemoryFile>,
  after: ReadonlyMap<string, MemoryFile>,
): string[] {
  const paths = new Set([...before.keys(), ...after.keys()]);
  return [...paths]
    .filter((path) => {
      const a = before.get(path);
      const b = after.get(path);
      return !a || !b || a.mode !== b.mode || !Buffer.from(a.data).equals(Buffer.from(b.data));
    })
    .sort();
}

/**
 * Applies `planned` and proves the dry run told the truth: the files the plan's items name are the
 * files of its change, and exactly the files that changed in the store. Returns apply's result.
 */
export async function applyAndProve<P extends Planned, R>(
  ops: MemoryOps,
  apply: Apply<P, R>,
  planned: P,
): Promise<R> {
  const before = ops.store.snapshot();
  const handed = ops.keys.handed;
  const result = await ops.store.exclusive(() => apply(ops.ctx, planned));
  assert.equal(ops.keys.handed, handed, 'apply generated keys: it must only execute the plan');
  const named = plannedPaths(planned.plan);
  assert.deepEqual(named, planned.change.paths(), 'plan items vs. the change apply commits');
  assert.deepEqual(changedPaths(before, ops.store.snapshot()), named, 'plan items vs. the store');
  return result;
}

/** Asserts `work` rejects with a KpkiError of `code` and that the store did not change. */
export async function assertRefused(
  store: MemoryTreeStore,
  work: () => Promise<unknown>,
  code: string,
): Promise<void> {
  const before = store.snapshot();
  await assert.rejects(
    () => store.exclusive(work),
    (error: unknown) => {
      assert.equal((error as { code?: unknown }).code, code, String(error));
      return true;
    },
  );
  assert.deepEqual(changedPaths(before, store.snapshot()), [], 'a refusal changed the store');
}
