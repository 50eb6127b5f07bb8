/** kpki library API. */
export * from './errors.js';
export type { Datastore, DatastoreEntry, DatastoreEvent } from './ops/ports.js';
export { openDatastore, parseDatastoreUrl } from './stores/datastore/open-datastore.js';
export { saveBootstrap } from './ops/bootstrap-save.js';
export { restoreBootstrap } from './ops/bootstrap-restore.js';
export { rotateBootstrapToken } from './ops/bootstrap-token-rotate.js';
export { writeRotatedCaRecord, type RotatedCaFile } from './ops/bootstrap-rotate-ca.js';
