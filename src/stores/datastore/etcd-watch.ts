/**
 * etcd's watch over the JSON gateway: `POST /v3/watch {create_request}` streams one JSON object
 * per line (`{"result":{…,"events":[…]}}`). When the stream breaks, it is reopened on the next
 * endpoint from the revision after the last event seen, so no change is lost across a failover.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { DatastoreEvent } from '../../ops/shared/ports.js';
import { entryOf, prefixRangeEnd } from './etcd-codec.js';
import type { EtcdGateway } from './etcd-gateway.js';

interface WatchResult {
  result?: {
    header?: { revision?: string };
    events?: { type?: string; kv?: Record<string, string> }[];
    canceled?: boolean;
  };
  error?: unknown;
}

/** Consecutive failed reconnects after which the watch gives up. */
const MAX_RECONNECTS = 5;

/**
 * Yields changes under `prefix` made after the call until `signal` aborts.
 * @throws OperationError `DATASTORE_UNAVAILABLE` when no endpoint serves the watch several times running.
 */
export async function* watchEvents(
  gateway: EtcdGateway,
  prefix: string,
  signal: AbortSignal,
): AsyncIterable<DatastoreEvent> {
  let next: number | undefined;
  let failures = 0;
  while (!signal.aborted) {
    const request = {
      create_request: {
        key: Buffer.from(prefix).toString('base64'),
        range_end: prefixRangeEnd(prefix),
        ...(next !== undefined && { start_revision: String(next) }),
      },
    };
    try {
      const response = await gateway.stream('/v3/watch', request, signal);
      for await (const line of lines(response)) {
        const message = JSON.parse(line) as WatchResult;
        if (message.result?.header?.revision !== undefined && next === undefined)
          next = Number(message.result.header.revision) + 1;
        for (const event of message.result?.events ?? []) {
          const entry = entryOf(event.kv ?? {});
          next = entry.modRevision + 1;
          yield event.type === 'DELETE'
            ? { type: 'delete', key: entry.key, modRevision: entry.modRevision }
            : { type: 'put', key: entry.key, value: entry.value, modRevision: entry.modRevision };
        }
        failures = 0;
      }
    } catch (error) {
      if (signal.aborted) return;
      if (++failures > MAX_RECONNECTS) throw error;
      await sleep(100 * 2 ** failures, undefined, { signal }).catch(() => undefined);
    }
  }
}

async function* lines(stream: AsyncIterable<Buffer | string>): AsyncIterable<string> {
  let buffered = '';
  for await (const chunk of stream) {
    buffered += chunk.toString();
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line.length > 0) yield line;
      newline = buffered.indexOf('\n');
    }
  }
}
