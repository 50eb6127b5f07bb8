/**
 * The RKE2/K3s layout as a library namespace (`import { rke2 } from 'kpki'`): its catalogue and
 * spec (a server data dir's certificates, keys and kubeconfigs, from an `Rke2Spec` or config.yaml)
 * and its use cases as plan → apply (init, renew, rotate, rotate-ca, sa-key) or single calls
 * (check, join tokens, cross-sign, the bootstrap record in the cluster datastore).
 * Re-exported whole, so a renamed or added use case appears here without an edit.
 */
export * from '../../layouts/rke2/spec.js';
export * from '../../layouts/rke2/catalogue.js';
export * from '../../layouts/rke2/hierarchy.js';
export * from '../../layouts/rke2/check-output.js';
export * from './init.js';
export * from './check.js';
export * from './renew.js';
export * from './rotate.js';
export * from './rotate-ca.js';
export * from './cross-sign.js';
export * from './sa-key.js';
export * from './token.js';
export * from './bootstrap/save.js';
export * from './bootstrap/restore.js';
export * from './bootstrap/token-rotate.js';
export * from './bootstrap/rotate-ca.js';
