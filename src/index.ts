/** kpki library API. */
export * from './errors.js';
export type { Datastore, DatastoreEntry, DatastoreEvent } from './ops/shared/ports.js';
export { openDatastore, parseDatastoreUrl } from './stores/datastore/open-datastore.js';
export { saveBootstrap } from './ops/rke2/bootstrap/save.js';
export { restoreBootstrap } from './ops/rke2/bootstrap/restore.js';
export { rotateBootstrapToken } from './ops/rke2/bootstrap/token-rotate.js';
export { writeRotatedCaRecord, type RotatedCaFile } from './ops/rke2/bootstrap/rotate-ca.js';
