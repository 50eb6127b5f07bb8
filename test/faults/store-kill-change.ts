/** The change set of the store kill test: the old tree it starts from and the six files it writes. */
import type { ChangeSet } from '../../src/ops/shared/ports.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Files of the old tree (path → content); `pki/etcd/` and `pki/new.key` do not exist in it. */
export const STORE_KILL_OLD: Readonly<Record<string, string>> = {
  'pki/ca.crt': 'old ca.crt',
  'pki/apiserver.crt': 'old apiserver.crt',
  'pki/apiserver.key': 'old apiserver.key',
  'admin.conf': 'old admin.conf',
};

/** The new set: every old file replaced, plus two new ones. */
export const STORE_KILL_CHANGE: ChangeSet = {
  writes: [
    { path: 'pki/ca.crt', data: bytes('new ca.crt'), mode: 0o644 },
    { path: 'pki/apiserver.crt', data: bytes('new apiserver.crt'), mode: 0o644 },
    { path: 'pki/apiserver.key', data: bytes('new apiserver.key'), mode: 0o600 },
    { path: 'admin.conf', data: bytes('new admin.conf'), mode: 0o600 },
    { path: 'pki/new.key', data: bytes('new new.key'), mode: 0o600 },
    { path: 'pki/etcd/peer.key', data: bytes('new peer.key'), mode: 0o600 },
  ],
  deletes: [],
};
