/**
 * Live TLS probes: a handshake that returns what the peer serves, and HTTPS requests with a client
 * certificate. The server is never trusted by the handshake itself (OpenSSL, unlike Go, wants a
 * self-signed anchor, and under a custom root the tree's CA is an intermediate); callers check the
 * served chain against the tree's files themselves.
 */
import { X509Certificate } from 'node:crypto';
import { request } from 'node:https';
import { connect, type PeerCertificate, type DetailedPeerCertificate } from 'node:tls';

/** What one handshake saw: the leaf and the certificates the server sent after it. */
export interface Served {
  readonly leaf: X509Certificate;
  readonly chain: readonly X509Certificate[];
}

/** A client certificate and key (PEM) to present. */
export interface ClientCredentials {
  readonly cert: string;
  readonly key: string;
}

/**
 * Connects to `host:port` with `sni` (none for an IP-only certificate) and resolves to the served
 * certificates; rejects with the socket's error or a timeout.
 */
export function probeTls(
  host: string,
  port: number,
  sni: string | undefined,
  timeoutMs = 5000,
  client?: ClientCredentials,
): Promise<Served> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host,
      port,
      ...(sni !== undefined && { servername: sni }),
      rejectUnauthorized: false,
      ...(client && { cert: client.cert, key: client.key }),
      timeout: timeoutMs,
    });
    socket.once('secureConnect', () => {
      const peer = socket.getPeerCertificate(true);
      socket.destroy();
      if (!peer.raw) return reject(new Error('the server sent no certificate'));
      resolve({ leaf: new X509Certificate(peer.raw), chain: chainAfter(peer) });
    });
    socket.once('timeout', () => socket.destroy(new Error(`no TLS answer within ${timeoutMs} ms`)));
    socket.once('error', reject);
  });
}

function chainAfter(peer: DetailedPeerCertificate): X509Certificate[] {
  const out: X509Certificate[] = [];
  let current: PeerCertificate & Partial<DetailedPeerCertificate> = peer;
  // Node links the last certificate to itself; stop at a repeat.
  while (current.issuerCertificate && current.issuerCertificate !== current) {
    current = current.issuerCertificate;
    out.push(new X509Certificate(current.raw));
    if (out.length > 8) break;
  }
  return out;
}

/** The status and body of one HTTPS request. */
export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

/**
 * One HTTPS request to `host:port` with optional client credentials and JSON body; the server's
 * certificate is not verified (see the module comment). Rejects on a socket error or timeout.
 */
export function httpsCall(
  target: { host: string; port: number; path: string; method?: string; sni?: string | undefined },
  client: ClientCredentials | undefined,
  body?: string,
  timeoutMs = 5000,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.host,
        port: target.port,
        path: target.path,
        method: target.method ?? 'GET',
        timeout: timeoutMs,
        rejectUnauthorized: false,
        agent: false,
        ...(target.sni !== undefined && { servername: target.sni }),
        ...(client && { cert: client.cert, key: client.key }),
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk.slice(0, 65536)));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
