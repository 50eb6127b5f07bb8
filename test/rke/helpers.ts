/**
 * Test helpers for the RKE layout: copies of the real states in a temp directory, a fake key
 * generator handing out a pool of keys made once, a fixed clock, directory hashes and real
 * `openssl verify -x509_strict`.
 */
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmod, cp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generatePrivateKey, type PrivateKey } from '../../src/pki/keys.js';
import { openTreeStore } from '../../src/stores/fs-tree-store.js';
import { nodeRandom } from '../../src/stores/node-ports.js';
import type { KeyGenerator, OpsContext } from '../../src/ops/shared/ports.js';
import { rkeFiles } from '../../src/layouts/rke/files.js';
import { toRkeConfig } from '../../src/layouts/rke/rke-config.js';
import { applyRkeInit, planRkeInit } from '../../src/ops/rke/init.js';
import { tempDirAsync } from '../support/temp-dir.js';
import { testdata } from '../support/testdata.js';

/** The six real RKE1 states. */
export const REAL = [
  'rke1-adylimmo-rke',
  'rke1-bn089-RKE',
  'rke1-hopoffbaby-rkeexamples',
  'rke1-natitomattis-rke-playroom',
  'rke1-rancher-rke',
  'rke1-tactful-ai-on-prem',
] as const;
export const REAL_DIR = testdata('real');
export const FILES = rkeFiles('cluster.yml');

let pool: Promise<PrivateKey[]> | undefined;

/** Sixteen RSA-2048 keys (a whole new cluster needs 15), generated once per test file. */
export function keyPool(): Promise<PrivateKey[]> {
  pool ??= Promise.all(Array.from({ length: 16 }, () => generatePrivateKey('RSA-2048')));
  return pool;
}

/** A key generator that cycles through the pool and counts what it handed out. */
export async function fakeKeys(): Promise<KeyGenerator & { handed: number }> {
  const keys = await keyPool();
  const generator = {
    handed: 0,
    generate: (): Promise<PrivateKey> =>
      Promise.resolve(keys[generator.handed++ % keys.length] as PrivateKey),
  };
  return generator;
}

/** A temp directory holding a writable copy of a real fixture. */
export async function copyFixture(name: string): Promise<string> {
  const dir = await tempDirAsync('kpki-rke-');
  await cp(join(REAL_DIR, name), dir, { recursive: true });
  for (const file of await readdir(dir)) await chmod(join(dir, file), 0o600);
  await chmod(dir, 0o700);
  return dir;
}

/**
 * A copy of a real fixture with a cluster.yml: the committed one, or — for rke1-rancher-rke,
 * which has none — the state's own desired rkeConfig (the spec reader takes camelCase too).
 */
export async function fixtureWithCluster(name: string): Promise<string> {
  const dir = await copyFixture(name);
  const files = await readdir(dir);
  if (!files.includes('cluster.yml')) {
    const state = JSON.parse(await readFile(join(dir, 'cluster.rkestate'), 'utf8')) as {
      desiredState: { rkeConfig: unknown };
    };
    await writeFile(join(dir, 'cluster.yml'), JSON.stringify(state.desiredState.rkeConfig));
  }
  return dir;
}

/** An OpsContext over the real tree store at `dir` with fake keys and a fixed clock. */
export async function context(
  dir: string,
  now = new Date('2026-06-01T00:00:00Z'),
): Promise<OpsContext & { keys: KeyGenerator & { handed: number } }> {
  return {
    tree: await openTreeStore(dir),
    clock: { now: () => now },
    keys: await fakeKeys(),
    random: nodeRandom,
  };
}

/**
 * SHA-256 over every file (path, mode, content) under `dir`, kpki's own directory included. Empty
 * directories do not count: taking the tree lock leaves an empty `.kpki/` behind.
 */
export async function hashDir(dir: string): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (path: string): Promise<void> => {
    for (const entry of (await readdir(path, { withFileTypes: true })).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) {
        await walk(full);
        continue;
      }
      hash.update(`${full} ${(await stat(full)).mode}\n`);
      hash.update(await readFile(full));
    }
  };
  await walk(dir);
  return hash.digest('hex');
}

/** The parsed state file. */
export async function readState(dir: string): Promise<StateJson> {
  return JSON.parse(await readFile(join(dir, 'cluster.rkestate'), 'utf8')) as StateJson;
}

type EntryJson = Record<string, string>;
/** The JSON shape tests look at. */
export interface StateJson {
  desiredState: {
    certificatesBundle: Record<string, EntryJson>;
    rkeConfig?: unknown;
    [k: string]: unknown;
  };
  currentState: { certificatesBundle?: Record<string, EntryJson>; [k: string]: unknown };
}

/**
 * Runs `openssl verify -x509_strict` for `leafPem` against `caPem`. RKE ≤ v1.2 wrote CAs without
 * a subject key id, which strict mode rejects whatever the leaf; for such a CA (`caLacksSkid`) the
 * only error allowed is that one, at depth 1, and the plain verification must pass.
 * @throws when openssl rejects the chain (its output is in the error).
 */
export async function opensslVerify(
  caPem: string,
  leafPem: string,
  caLacksSkid = false,
): Promise<void> {
  const dir = await tempDirAsync('kpki-verify-');
  await writeFile(join(dir, 'ca.pem'), caPem);
  await writeFile(join(dir, 'leaf.pem'), leafPem);
  const args = ['verify', '-x509_strict', '-CAfile', join(dir, 'ca.pem'), join(dir, 'leaf.pem')];
  if (!caLacksSkid) {
    execFileSync('openssl', args, { stdio: 'pipe' });
    return;
  }
  const result = spawnSync('openssl', args, { encoding: 'utf8' });
  const errors = `${result.stdout}${result.stderr}`
    .split('\n')
    .filter((line) => /^error \d+ at/.test(line));
  if (
    errors.length !== 1 ||
    !/error 86 at 1 depth lookup: Missing Subject Key Identifier/.test(errors[0] ?? '')
  ) {
    throw new Error(`openssl -x509_strict: ${result.stdout}${result.stderr}`);
  }
  execFileSync(
    'openssl',
    args.filter((arg) => arg !== '-x509_strict'),
    { stdio: 'pipe' },
  );
}

/** Names of entries whose content differs between two bundles (added and removed included). */
export function changedEntries(
  before: Record<string, EntryJson> | undefined,
  after: Record<string, EntryJson> | undefined,
): string[] {
  const names = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  return [...names]
    .filter((name) => JSON.stringify(before?.[name]) !== JSON.stringify(after?.[name]))
    .sort();
}

/** A cluster with everything the spec reader knows: internal addresses, overrides, dual-stack, serving certs, extra SANs. */
export const CLUSTER_YML = `cluster_name: prod
nodes:
  - address: 203.0.113.10
    internal_address: 10.0.0.10
    hostname_override: cp-1
    role: [controlplane, etcd]
  - address: 203.0.113.11
    role: [etcd]
  - address: worker-1.example.test
    role: [worker]
services:
  kube-api:
    service_cluster_ip_range: 10.43.0.0/16,fd00:43::/112
  kubelet:
    cluster_domain: corp.local
    generate_serving_certificate: true
authentication:
  sans: [api.example.test, 198.51.100.7]
`;

/** A temp cluster directory with CLUSTER_YML, initialised by kpki. */
export async function initialisedCluster(yml = CLUSTER_YML): Promise<string> {
  const dir = await tempDirAsync('kpki-rke-init-');
  await writeFile(join(dir, 'cluster.yml'), yml);
  const ctx = await context(dir);
  await ctx.tree.exclusive(async () =>
    applyRkeInit(ctx, await planRkeInit(ctx, { files: FILES, rkeConfig: toRkeConfig(yml) })),
  );
  return dir;
}
