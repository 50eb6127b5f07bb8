/**
 * kpki as a library (`import { kubeadm, openNodeContext } from 'kpki'`, ESM only, Node ≥ 20.19).
 *
 * The three layouts are namespaces — {@link kubeadm}, {@link rke2} (K3s included) and {@link rke} —
 * each holding its catalogue (which CAs, certificates, keys and kubeconfigs exist, as data and
 * pure functions of the layout's spec) and its use cases. A use case that changes files is a
 * plan, a plain value that writes nothing (what `--dry-run` prints), and an apply that executes it
 * in one all-or-nothing commit through the {@link TreeStore} of its {@link OpsContext}, keeping the
 * replaced files as a backup. The context's ports are injected: {@link openNodeContext} gives the
 * real ones for a directory, {@link MemoryTreeStore} a tree in memory.
 *
 * Everything here throws {@link KpkiError} subclasses with a stable `code` and never prints or exits.
 * Key bytes and tokens never appear in messages or causes.
 */

/** The kubeadm layout: catalogue, spec, config parser, init, check, renew, CSRs, rotate-ca. */
export * as kubeadm from './ops/kubeadm/index.js';
/** The RKE2/K3s layout: catalogue, spec, init, check, renew, rotate, rotate-ca, tokens, datastore. */
export * as rke2 from './ops/rke2/index.js';
/** The RKE1 layout: catalogue, cluster.yml and cluster.rkestate, init, check, rotate, CSRs. */
export * as rke from './ops/rke/index.js';

/** Error classes with stable codes and exit codes; `describeError` for a one-line message. */
export * from './errors.js';

/** The ports use cases talk through (tree, clock, keys, randomness, datastore) and file modes. */
export * from './ops/shared/ports.js';
/** The plan shape every use case returns and `restartOrder`. */
export * from './ops/shared/plan.js';
/** CA hierarchy generation (`ca generate`) from a layout's hierarchy spec. */
export {
  generateHierarchy,
  type CaGenerateParams,
  type GivenCa,
} from './ops/shared/ca-generate.js';
/** Catalogue entry shapes shared by the layouts, and the check report. */
export * from './layouts/catalogue.js';
export * from './layouts/check-report.js';
export type { HierarchyCa, HierarchySpec } from './layouts/hierarchy.js';

/** The transactional tree on disk (journal, lock, backups) and the same contract in memory. */
export { openTreeStore, type TreeStoreOptions } from './stores/fs-tree-store.js';
export {
  MemoryTreeStore,
  type MemoryFile,
  type MemoryTreeStoreOptions,
} from './stores/memory-tree-store.js';
/** The real small ports, and all of them at once for a directory. */
export { externalFiles, nodeKeyGenerator, nodeRandom, systemClock } from './stores/node-ports.js';
export { openNodeContext } from './stores/node-context.js';
/** The cluster datastore (embedded file store or etcd) behind the `Datastore` port. */
export {
  openDatastore,
  parseDatastoreUrl,
  type DatastoreLocation,
  type OpenDatastoreOptions,
} from './stores/datastore/open-datastore.js';

/** RFC 5280 path validation with RFC 6125 name checks, as `kpki verify` runs it. Pure. */
export * from './pki/verify/index.js';
/** Key and certificate types the ports and catalogues mention. */
export type { KeyAlgorithm, PrivateKey } from './pki/keys.js';
export type { RandomBytes } from './pki/serial.js';
export type { Certificate, ExtKeyUsageName, KeyUsageName } from './pki/certificate.js';

/**
 * The RKE2 bootstrap record operations, also in {@link rke2}; kept at the top level, where the
 * first versions of the library exported them.
 */
export { saveBootstrap } from './ops/rke2/bootstrap/save.js';
export { restoreBootstrap } from './ops/rke2/bootstrap/restore.js';
export { rotateBootstrapToken } from './ops/rke2/bootstrap/token-rotate.js';
export { writeRotatedCaRecord, type RotatedCaFile } from './ops/rke2/bootstrap/rotate-ca.js';
