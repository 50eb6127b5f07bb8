/**
 * Reading an RKE cluster directory through the tree port: the cluster file (the spec), the state
 * file beside it, and the parsed bundle kpki works from. `desiredState` is the bundle of record
 * (what RKE deploys next); `currentState` is used when the desired one has no bundle.
 */
import { FileAccessError, ValidationError } from '../../errors.js';
import { rkeCatalogue, type RkeCatalogue } from '../../layouts/rke/catalogue.js';
import { loadBundle, type LoadedEntry } from '../../layouts/rke/bundle.js';
import type { RkeFiles } from '../../layouts/rke/files.js';
import { parseClusterYaml, type RkeSpec } from '../../layouts/rke/spec.js';
import {
  parseRkeState,
  type Bundle,
  type RkeState,
  type StateName,
} from '../../layouts/rke/state.js';
import type { SigningAuthority } from '../../pki/issue.js';
import type { TreeReader } from '../shared/ports.js';

/** Everything read from an RKE cluster directory. */
export interface RkeTree {
  readonly files: RkeFiles;
  readonly spec: RkeSpec;
  readonly catalogue: RkeCatalogue;
  readonly state: RkeState | undefined;
  /** The state whose bundle kpki reads. */
  readonly source: StateName | undefined;
  readonly bundle: Bundle;
  readonly loaded: ReadonlyMap<string, LoadedEntry>;
}

const decoder = new TextDecoder();

/**
 * Reads the cluster file and, when present, the state file.
 * @throws FileAccessError `NO_CLUSTER_FILE` when the cluster file is missing; InvalidInputError from
 *   the spec and state parsers.
 */
export async function readRkeTree(reader: TreeReader, files: RkeFiles): Promise<RkeTree> {
  const specBytes = await reader.read(files.clusterFile);
  if (specBytes === undefined) {
    throw new FileAccessError(
      'NO_CLUSTER_FILE',
      `cluster file "${files.clusterFile}" not found in "${reader.root}"`,
      { hint: 'pass --config path/to/cluster.yml' },
    );
  }
  const spec = parseClusterYaml(decoder.decode(specBytes), files.clusterFile);
  const catalogue = rkeCatalogue(spec);
  const stateBytes = await reader.read(files.stateFile);
  const state =
    stateBytes === undefined
      ? undefined
      : parseRkeState(decoder.decode(stateBytes), files.stateFile);
  const source = state === undefined ? undefined : pickSource(state);
  const bundle = (source === undefined ? undefined : state?.bundles[source]) ?? {};
  return {
    files,
    spec,
    catalogue,
    state,
    source,
    bundle,
    loaded: loadBundle(bundle, `${files.stateFile}: ${source ?? 'desiredState'}`),
  };
}

function pickSource(state: RkeState): StateName | undefined {
  const desired = state.bundles.desiredState;
  if (desired !== undefined && Object.keys(desired).length > 0) return 'desiredState';
  return state.bundles.currentState === undefined ? undefined : 'currentState';
}

/**
 * The tree with a state that has certificates.
 * @throws FileAccessError `NO_STATE` when there is no state file or no certificates in it.
 */
export function requireState(tree: RkeTree): RkeTree & { state: RkeState; source: StateName } {
  if (
    tree.state === undefined ||
    tree.source === undefined ||
    Object.keys(tree.bundle).length === 0
  ) {
    throw new FileAccessError(
      'NO_STATE',
      `no certificates in "${tree.files.stateFile}" beside "${tree.files.clusterFile}"`,
      {
        hint: `create them with: kpki init --layout rke --config ${tree.files.clusterFile}`,
      },
    );
  }
  return tree as RkeTree & { state: RkeState; source: StateName };
}

/**
 * Refuses to change a state whose entries do not parse or whose keys do not match: writing it
 * back would hide the damage. Lists every problem at once.
 * Entries named in `repairs` (the ones the caller re-issues from scratch) may be broken.
 * @throws ValidationError `BROKEN_STATE`.
 */
export function requireSoundBundle(tree: RkeTree, repairs: ReadonlySet<string> = new Set()): void {
  const problems = [...tree.loaded.entries()]
    .filter(([name]) => !repairs.has(name))
    .flatMap(([, entry]) => entry.problems);
  if (problems.length > 0) {
    throw new ValidationError(
      'BROKEN_STATE',
      `"${tree.files.stateFile}" has entries kpki cannot use: ${problems.join('; ')}`,
      {
        hint: 'run kpki check --layout rke to see every problem; restore the file from a backup or an etcd snapshot',
      },
    );
  }
}

/** The CAs of the tree that have both certificate and key, by catalogue name. */
export function existingAuthorities(tree: RkeTree): Map<string, SigningAuthority> {
  const authorities = new Map<string, SigningAuthority>();
  for (const ca of tree.catalogue.cas) {
    const loaded = tree.loaded.get(ca.name);
    if (loaded?.cert && loaded.key)
      authorities.set(ca.name, { certificate: loaded.cert, key: loaded.key });
  }
  return authorities;
}
