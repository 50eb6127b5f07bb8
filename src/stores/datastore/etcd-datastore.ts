/**
 * The Datastore port on etcd v3 through its JSON gateway (dependencies.md §3): keys and values
 * base64, int64s as strings, compare-and-swap as a txn on `mod_revision`, create-if-absent as a
 * txn on `create_revision = 0`. A conditional write that needed a retry may have landed on the
 * first attempt; when its condition then fails, the key is read back and the write counts as done
 * if the key holds exactly our value (values are freshly encrypted, so equality means ours).
 */
import { OperationError } from '../../errors.js';
import type { Datastore, DatastoreEntry, DatastoreEvent } from '../../ops/shared/ports.js';
import type { EtcdGateway } from './etcd-gateway.js';
import { entryOf, prefixRangeEnd, type RawKv } from './etcd-codec.js';
import { watchEvents } from './etcd-watch.js';

const b64 = (value: string | Uint8Array): string => Buffer.from(value).toString('base64');

/** Wraps a gateway (which it owns and closes) as a Datastore. */
export function etcdDatastore(gateway: EtcdGateway): Datastore {
  return new EtcdDatastore(gateway);
}

class EtcdDatastore implements Datastore {
  readonly description: string;

  constructor(private readonly gateway: EtcdGateway) {
    this.description = gateway.endpoints.map((e) => e.origin).join(',');
  }

  async get(key: string): Promise<DatastoreEntry | undefined> {
    const { body } = await this.gateway.call('/v3/kv/range', { key: b64(key) });
    const kv = (body.kvs as RawKv[] | undefined)?.[0];
    return kv ? entryOf(kv) : undefined;
  }

  async list(prefix: string): Promise<DatastoreEntry[]> {
    const { body } = await this.gateway.call('/v3/kv/range', {
      key: b64(prefix),
      range_end: prefixRangeEnd(prefix),
      sort_order: 'ASCEND',
      sort_target: 'KEY',
    });
    return ((body.kvs as RawKv[] | undefined) ?? []).map(entryOf);
  }

  async put(key: string, value: Uint8Array): Promise<number> {
    return revisionOf(
      (await this.gateway.call('/v3/kv/put', { key: b64(key), value: b64(value) })).body,
    );
  }

  create(key: string, value: Uint8Array): Promise<number | undefined> {
    const compare = [{ key: b64(key), target: 'CREATE', result: 'EQUAL', create_revision: '0' }];
    return this.conditional(compare, [put(key, value)], () => this.holds(key, value));
  }

  compareAndSwap(key: string, value: Uint8Array, modRevision: number): Promise<number | undefined> {
    const compare = [
      { key: b64(key), target: 'MOD', result: 'EQUAL', mod_revision: String(modRevision) },
    ];
    return this.conditional(compare, [put(key, value)], () => this.holds(key, value));
  }

  move(
    from: string,
    fromRevision: number,
    to: string,
    value: Uint8Array,
  ): Promise<number | undefined> {
    const compare = [
      { key: b64(from), target: 'MOD', result: 'EQUAL', mod_revision: String(fromRevision) },
      { key: b64(to), target: 'CREATE', result: 'EQUAL', create_revision: '0' },
    ];
    const ops = [put(to, value), { request_delete_range: { key: b64(from) } }];
    return this.conditional(compare, ops, async () =>
      (await this.get(from)) === undefined ? this.holds(to, value) : undefined,
    );
  }

  async delete(key: string): Promise<boolean> {
    const { body } = await this.gateway.call('/v3/kv/deleterange', { key: b64(key) });
    return Number(body.deleted ?? 0) > 0;
  }

  watch(prefix: string, signal: AbortSignal): AsyncIterable<DatastoreEvent> {
    return watchEvents(this.gateway, prefix, signal);
  }

  close(): Promise<void> {
    this.gateway.close();
    return Promise.resolve();
  }

  private async conditional(
    compare: unknown[],
    success: unknown[],
    landed: () => Promise<number | undefined>,
  ): Promise<number | undefined> {
    const { body, retried } = await this.gateway.call('/v3/kv/txn', {
      compare,
      success,
      failure: [],
    });
    if (body.succeeded === true) return revisionOf(body);
    return retried ? landed() : undefined;
  }

  /** The key's modRevision when it holds exactly `value`. */
  private async holds(key: string, value: Uint8Array): Promise<number | undefined> {
    const entry = await this.get(key);
    return entry && Buffer.from(entry.value).equals(Buffer.from(value))
      ? entry.modRevision
      : undefined;
  }
}

function put(key: string, value: Uint8Array): unknown {
  return { request_put: { key: b64(key), value: b64(value) } };
}

function revisionOf(body: Record<string, unknown>): number {
  const revision = Number((body.header as { revision?: string } | undefined)?.revision);
  if (!Number.isSafeInteger(revision) || revision <= 0)
    throw new OperationError('DATASTORE_PROTOCOL', 'etcd answered without a revision');
  return revision;
}
