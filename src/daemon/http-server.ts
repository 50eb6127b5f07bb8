/**
 * The HTTP side of `kpki serve`: /metrics (Prometheus text format from the kpki registry),
 * /healthz (the process answers) and /readyz (every tree has completed one check). Loopback by
 * default; nothing secret is ever served — metrics carry names, serials and dates only.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** What the server reads; the daemon owns and updates it. */
export interface ServeState {
  readonly registry: Registry;
  /** True once every configured tree has been checked at least once. */
  ready(): boolean;
  /** The report page for `/`, or undefined while none exists yet. */
  page?(): string | undefined;
}

/** A listening server and how to stop it. */
export interface RunningServer {
  readonly server: Server;
  /** `host:port` actually bound (port 0 picks a free one). */
  readonly address: string;
  close(): Promise<void>;
}

/** Default listen address: loopback, the exporter's default port. */
export const DEFAULT_LISTEN = '127.0.0.1:9793';

/**
 * Starts listening on `listen` (`host:port`).
 * @throws the listen error (EADDRINUSE, EACCES) unchanged.
 */
export async function startHttpServer(state: ServeState, listen: string): Promise<RunningServer> {
  const colon = listen.lastIndexOf(':');
  const host = listen.slice(0, colon).replace(/^\[|\]$/g, '');
  const port = Number(listen.slice(colon + 1));
  const server = createServer((request, response) => {
    void respond(state, request.method ?? 'GET', (request.url ?? '/').split('?')[0] ?? '/')
      .then(({ status, type, body }) => {
        response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
        response.end(body);
      })
      .catch(() => {
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end('internal error\n');
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  const shown = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  return {
    server,
    address: `${shown}:${bound.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface Reply {
  readonly status: number;
  readonly type: string;
  readonly body: string;
}

async function respond(state: ServeState, method: string, path: string): Promise<Reply> {
  const text = 'text/plain; charset=utf-8';
  if (method !== 'GET' && method !== 'HEAD') return { status: 405, type: text, body: 'GET only\n' };
  switch (path) {
    case '/metrics':
      return {
        status: 200,
        type: state.registry.contentType,
        body: await state.registry.metrics(),
      };
    case '/healthz':
      return { status: 200, type: text, body: 'ok\n' };
    case '/readyz':
      return state.ready()
        ? { status: 200, type: text, body: 'ready\n' }
        : { status: 503, type: text, body: 'not checked yet\n' };
    case '/': {
      const page = state.page?.();
      return page === undefined
        ? { status: 503, type: text, body: 'no report yet\n' }
        : { status: 200, type: 'text/html; charset=utf-8', body: page };
    }
    default:
      return { status: 404, type: text, body: 'not found\n' };
  }
}
