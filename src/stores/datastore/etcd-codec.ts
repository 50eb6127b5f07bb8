/** The JSON gateway's encodings: base64 keys and values, int64s as strings, prefix ranges. */
import type { DatastoreEntry } from '../../ops/shared/ports.js';

/** etcd's range_end for "every key with this prefix": the prefix with its last byte incremented. */
export function prefixRangeEnd(prefix: string): string {
  const bytes = Buffer.from(prefix);
  for (let i = bytes.length - 1; i >= 0; i--) {
    if ((bytes[i] ?? 0) < 0xff) {
      const end = bytes.subarray(0, i + 1);
      end[i] = (end[i] ?? 0) + 1;
      return end.toString('base64');
    }
  }
  return Buffer.from('\0').toString('base64');
}

/** A key-value as the gateway returns it. */
export interface RawKv {
  key?: string;
  value?: string;
  create_revision?: string;
  mod_revision?: string;
}

/** Decodes one gateway key-value (int64 strings, absent when zero). */
export function entryOf(kv: RawKv): DatastoreEntry {
  return {
    key: Buffer.from(kv.key ?? '', 'base64').toString('utf8'),
    value: new Uint8Array(Buffer.from(kv.value ?? '', 'base64')),
    createRevision: Number(kv.create_revision ?? 0),
    modRevision: Number(kv.mod_revision ?? 0),
  };
}
