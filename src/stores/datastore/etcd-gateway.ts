/**
 * A thin client for etcd v3's JSON gateway (`POST /v3/kv/range` …) over node:https with mutual
 * TLS (dependencies.md §3: no gRPC stack, we control retries). Each call tries the endpoint that
 * last answered first and fails over across the others; after a whole round fails it backs off
 * (100 ms, 200 ms, 400 ms…) up to a bounded number of rounds. Only failures that say "this member
 * cannot serve now" are retried: refused/reset connections, timeouts, HTTP 502–504 and gRPC
 * Unavailable/DeadlineExceeded. TLS and authentication failures are configuration errors and stop
 * at once.
 */
import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { OperationError } from '../../errors.js';

/** Client TLS material (PEM). All optional: `http://` endpoints need none. */
export interface EtcdTls {
  readonly ca?: Uint8Array;
  readonly cert?: Uint8Array;
  readonly key?: Uint8Array;
}

/** Options of {@link EtcdGateway}. */
export interface EtcdGatewayOptions {
  readonly tls?: EtcdTls;
  /** Whole rounds over the endpoint list before giving up; default 3. */
  readonly rounds?: number;
  /** First backoff between rounds; doubled each round. Default 100 ms. */
  readonly backoffMs?: number;
  /** Per-request timeout; default 5 s. */
  readonly timeoutMs?: number;
}

/** A gateway response and whether it took more than one attempt (a write may have landed twice). */
export interface GatewayReply {
  readonly body: Record<string, unknown>;
  readonly retried: boolean;
}

/** Raised for one attempt; `retryable` says whether another member may do better. */
class AttemptError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

const RETRYABLE_SOCKET = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'EAI_AGAIN',
]);
const RETRYABLE_GRPC = new Set([4, 14]);

/** Calls etcd's JSON gateway on a list of endpoints with failover and bounded retries. */
export class EtcdGateway {
  private preferred = 0;
  private readonly agent: http.Agent;
  private readonly rounds: number;
  private readonly backoffMs: number;
  private readonly timeoutMs: number;

  /** @param endpoints base URLs, all `https:` or all `http:`. */
  constructor(
    readonly endpoints: readonly URL[],
    options: EtcdGatewayOptions = {},
  ) {
    const tls = options.tls ?? {};
    this.agent =
      endpoints[0]?.protocol === 'https:'
        ? new https.Agent({
            keepAlive: true,
            ...(tls.ca && { ca: Buffer.from(tls.ca) }),
            ...(tls.cert && { cert: Buffer.from(tls.cert) }),
            ...(tls.key && { key: Buffer.from(tls.key) }),
          })
        : new http.Agent({ keepAlive: true });
    this.rounds = options.rounds ?? 3;
    this.backoffMs = options.backoffMs ?? 100;
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  /**
   * POSTs `body` to `path` (e.g. `/v3/kv/range`) and returns the JSON reply.
   * @throws OperationError `DATASTORE_UNAVAILABLE` when every attempt failed or a failure is not
   *   retryable; the message names the endpoints and the last reason, never the request body.
   */
  async call(path: string, body: unknown): Promise<GatewayReply> {
    let attempts = 0;
    let last: AttemptError | undefined;
    for (let round = 0; round < this.rounds; round++) {
      if (round > 0) await sleep(this.backoffMs * 2 ** (round - 1) * (0.75 + Math.random() / 2));
      for (let i = 0; i < this.endpoints.length; i++) {
        const index = (this.preferred + i) % this.endpoints.length;
        attempts++;
        try {
          const reply = await this.once(this.endpoints[index] as URL, path, body);
          this.preferred = index;
          return { body: reply, retried: attempts > 1 };
        } catch (error) {
          last =
            error instanceof AttemptError
              ? error
              : new AttemptError(String(error), false, { cause: error });
          if (!last.retryable) throw this.unavailable(last);
        }
      }
    }
    throw this.unavailable(last);
  }

  /**
   * Opens a streaming POST (the watch) on the first endpoint that answers, in failover order.
   * Resolves with the response once the status is known.
   * @throws OperationError `DATASTORE_UNAVAILABLE` as {@link call}.
   */
  async stream(path: string, body: unknown, signal: AbortSignal): Promise<http.IncomingMessage> {
    let last: AttemptError | undefined;
    for (let i = 0; i < this.endpoints.length; i++) {
      const index = (this.preferred + i) % this.endpoints.length;
      try {
        const response = await this.request(
          this.endpoints[index] as URL,
          path,
          body,
          signal,
          false,
        );
        this.preferred = index;
        return response;
      } catch (error) {
        last =
          error instanceof AttemptError
            ? error
            : new AttemptError(String(error), false, { cause: error });
        if (!last.retryable) break;
      }
    }
    throw this.unavailable(last);
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }

  private async once(endpoint: URL, path: string, body: unknown): Promise<Record<string, unknown>> {
    const response = await this.request(endpoint, path, body, undefined, true);
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new AttemptError(
        `${endpoint.origin} answered HTTP ${response.statusCode ?? 0} with no JSON`,
        isRetryableStatus(response.statusCode),
      );
    }
    const code = typeof parsed.code === 'number' ? parsed.code : undefined;
    if (code !== undefined && code !== 0) {
      const message =
        typeof parsed.message === 'string'
          ? parsed.message
          : typeof parsed.error === 'string'
            ? parsed.error
            : 'error';
      throw new AttemptError(
        `${endpoint.origin}: ${message} (grpc code ${code})`,
        RETRYABLE_GRPC.has(code),
      );
    }
    if ((response.statusCode ?? 0) >= 300)
      throw new AttemptError(
        `${endpoint.origin} answered HTTP ${response.statusCode ?? 0}`,
        isRetryableStatus(response.statusCode),
      );
    return parsed;
  }

  private request(
    endpoint: URL,
    path: string,
    body: unknown,
    signal: AbortSignal | undefined,
    timed: boolean,
  ): Promise<http.IncomingMessage> {
    const payload = Buffer.from(JSON.stringify(body));
    const target = new URL(path, endpoint);
    const send = target.protocol === 'https:' ? https.request : http.request;
    return new Promise((resolve, reject) => {
      const req = send(
        target,
        {
          method: 'POST',
          agent: this.agent,
          headers: { 'content-type': 'application/json', 'content-length': payload.length },
          ...(signal && { signal }),
          ...(timed && { timeout: this.timeoutMs }),
        },
        resolve,
      );
      req.on('timeout', () =>
        req.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })),
      );
      req.on('error', (error: NodeJS.ErrnoException) => reject(classify(endpoint, error)));
      req.end(payload);
    });
  }

  private unavailable(last: AttemptError | undefined): OperationError {
    const where = this.endpoints.map((e) => e.origin).join(',');
    return new OperationError(
      'DATASTORE_UNAVAILABLE',
      `etcd at ${where} did not answer: ${last?.message ?? 'no endpoints'}`,
      {
        hint: 'check that etcd runs, the endpoints are right, and --datastore-cafile/--datastore-certfile/--datastore-keyfile match it',
      },
    );
  }
}

function isRetryableStatus(status: number | undefined): boolean {
  return status === 502 || status === 503 || status === 504;
}

function classify(endpoint: URL, error: NodeJS.ErrnoException): AttemptError {
  const code = error.code ?? '';
  if (error.name === 'AbortError') return new AttemptError('aborted', false);
  const retryable = RETRYABLE_SOCKET.has(code) || error.message === 'socket hang up';
  return new AttemptError(
    `${endpoint.origin}: ${code || error.message}${retryable ? '' : ` (${error.message})`}`,
    retryable,
  );
}
