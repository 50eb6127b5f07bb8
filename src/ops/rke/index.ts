/**
 * The RKE1 layout as a library namespace (`import { rke } from 'kpki'`): its catalogue, cluster.yml
 * spec and cluster.rkestate codec, and its use cases (init, rotate and node-file export as plan →
 * apply, export's plan carrying the `out` tree its change is relative to; check, CSR generation
 * and certificate import as single calls) over the files named by
 * `rkeFiles(clusterFile)`. Re-exported whole, so a renamed or added use case appears here.
 */
export * from '../../layouts/rke/spec.js';
export * from '../../layouts/rke/files.js';
export * from '../../layouts/rke/state.js';
export * from '../../layouts/rke/catalogue.js';
export * from './init.js';
export * from './check.js';
export * from './rotate.js';
export * from './csr.js';
export * from './import.js';
export * from './export.js';
