/**
 * A small Kubernetes API client: JSON over HTTPS with the credentials of a kubeconfig (an embedded
 * or file-referenced client certificate, or a bearer token), verifying the server against the
 * kubeconfig's CA. Enough for the certificates API; nothing is cached between calls.
 */
import { request } from 'node:https';
import { OperationError, InvalidInputError } from '../errors.js';
import { readKubeconfig } from '../layouts/kubeconfig.js';
import { readInputText } from '../stores/bounded-read.js';

/** What one connection to the API server needs. */
export interface ApiCredentials {
  readonly server: string;
  readonly caPem: string | undefined;
  readonly certPem?: string;
  readonly keyPem?: string;
  readonly token?: string;
}

/** One API answer: the HTTP status and the parsed JSON body (undefined when empty or not JSON). */
export interface ApiResponse {
  readonly status: number;
  readonly body: unknown;
}

/** The most an API answer may be: a list of a few thousand CSRs fits with room to spare. */
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** A connection to one API server. */
export class KubeApi {
  constructor(
    private readonly credentials: ApiCredentials,
    private readonly timeoutMs = 30_000,
  ) {}

  /** The API server URL in use. */
  get server(): string {
    return this.credentials.server;
  }

  /**
   * One request. Resolves for every HTTP status (callers decide what a 404 or 409 means).
   * @throws OperationError `API_UNREACHABLE` when no answer comes (connection, TLS, timeout);
   *   `API_BAD_RESPONSE` when the answer is larger than any the client expects.
   */
  send(method: string, path: string, body?: unknown): Promise<ApiResponse> {
    const url = new URL(path, this.credentials.server);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const { caPem, certPem, keyPem, token } = this.credentials;
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method,
          timeout: this.timeoutMs,
          ...(caPem !== undefined && { ca: caPem }),
          ...(certPem !== undefined && keyPem !== undefined && { cert: certPem, key: keyPem }),
          headers: {
            accept: 'application/json',
            ...(payload !== undefined && { 'content-type': 'application/json' }),
            ...(token !== undefined && { authorization: `Bearer ${token}` }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_RESPONSE_BYTES) {
              req.destroy();
              reject(
                new OperationError(
                  'API_BAD_RESPONSE',
                  `the answer of ${this.credentials.server} to ${method} ${url.pathname} is over ${MAX_RESPONSE_BYTES} bytes`,
                ),
              );
            } else chunks.push(chunk);
          });
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown;
            try {
              parsed = text === '' ? undefined : JSON.parse(text);
            } catch {
              parsed = undefined;
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      req.on('error', (error) =>
        reject(
          new OperationError(
            'API_UNREACHABLE',
            `cannot reach the API server ${this.credentials.server} (${method} ${url.pathname})`,
            { cause: new Error(error.message) },
          ),
        ),
      );
      req.end(payload);
    });
  }
}

/**
 * Opens the API server of a kubeconfig's current context; `server` replaces its URL (a load
 * balancer or a local endpoint). File references are read relative to the working directory.
 * @throws InvalidInputError `BAD_KUBECONFIG` when it has no server or no usable credentials.
 */
export async function apiFromKubeconfig(
  path: string,
  server?: string,
  token?: string,
): Promise<KubeApi> {
  const credentials = readKubeconfig(await readInputText(path, 'config'), path);
  const url = server ?? credentials.server;
  if (url === undefined)
    throw new InvalidInputError('BAD_KUBECONFIG', `"${path}" names no server for its context`);
  const file = (name: string | undefined): Promise<string | undefined> =>
    name === undefined ? Promise.resolve(undefined) : readInputText(name, 'pem');
  const caPem = credentials.caPem ?? (await file(credentials.caFile));
  const certPem = credentials.certPem ?? (await file(credentials.certFile));
  const keyPem = credentials.keyPem ?? (await file(credentials.keyFile));
  if (token === undefined && (certPem === undefined || keyPem === undefined))
    throw new InvalidInputError(
      'BAD_KUBECONFIG',
      `"${path}" has no client certificate and key for its user "${credentials.userName}"`,
      { hint: 'give a kubeconfig with client credentials, or --token' },
    );
  return new KubeApi({
    server: url,
    caPem,
    ...(certPem !== undefined && keyPem !== undefined && { certPem, keyPem }),
    ...(token !== undefined && { token }),
  });
}
