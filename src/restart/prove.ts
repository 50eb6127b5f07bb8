/**
 * `kpki prove`: is the cluster serving what is on disk? A TLS handshake to every serving
 * certificate's endpoint compares the served leaf (serial and fingerprint) with the file and checks
 * that the tree's CA signed it; every client certificate kpki can exercise is used (a
 * SelfSubjectReview per kubeconfig, etcd's /health with the API server's etcd client certificate).
 */
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readKubeconfig } from '../layouts/kubeconfig.js';
import { httpsCall, probeTls, type ClientCredentials } from './tls-probe.js';

/** ok: serves the file (or the credential works); old: serves another certificate. */
export type ProofVerdict = 'ok' | 'old' | 'untrusted' | 'unreachable' | 'refused' | 'missing';

/** One row of the proof table. */
export interface ProofRow {
  readonly component: string;
  /** Catalogue name of the certificate or kubeconfig. */
  readonly name: string;
  readonly kind: 'serving' | 'client';
  readonly endpoint: string;
  readonly expectedSerial: string;
  /** What the endpoint served (serving rows) or '-' (client rows). */
  readonly servedSerial: string;
  readonly verdict: ProofVerdict;
  readonly detail: string;
}

/** A serving certificate to prove: files relative to the tree root, and where it is served. */
export interface ServingTarget {
  readonly component: string;
  readonly name: string;
  readonly certPath: string;
  readonly caPath: string;
  readonly host: string;
  readonly port: number;
  readonly sni: string | undefined;
}

/** A kubeconfig whose embedded credentials must authenticate as `expectUser`. */
export interface KubeconfigTarget {
  readonly component: string;
  readonly name: string;
  readonly path: string;
  readonly expectUser: string;
  /** Replaces the kubeconfig's server (host:port), e.g. when it names a load balancer. */
  readonly server: { host: string; port: number } | undefined;
}

/** A client certificate etcd must accept on `/health`. */
export interface EtcdClientTarget {
  readonly component: string;
  readonly name: string;
  readonly certPath: string;
  readonly keyPath: string;
  readonly host: string;
  readonly port: number;
}

/** Everything one proof checks. */
export interface ProofTargets {
  readonly root: string;
  readonly serving: readonly ServingTarget[];
  readonly kubeconfigs: readonly KubeconfigTarget[];
  readonly etcdClients: readonly EtcdClientTarget[];
}

/** Runs every check (concurrently) and returns the rows in target order. Never throws for a check. */
export async function prove(targets: ProofTargets, timeoutMs = 5000): Promise<ProofRow[]> {
  const read = (path: string): Promise<string | undefined> =>
    readFile(join(targets.root, path), 'utf8').catch(() => undefined);
  return Promise.all([
    ...targets.serving.map((t) => proveServing(t, read, timeoutMs)),
    ...targets.kubeconfigs.map((t) => proveKubeconfig(t, read, timeoutMs)),
    ...targets.etcdClients.map((t) => proveEtcdClient(t, read, timeoutMs)),
  ]);
}

/** True when every row proved. */
export function proofPassed(rows: readonly ProofRow[]): boolean {
  return rows.every((row) => row.verdict === 'ok');
}

type Read = (path: string) => Promise<string | undefined>;

function firstCert(pem: string | undefined): X509Certificate | undefined {
  const block = pem?.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/)?.[0];
  try {
    return block === undefined ? undefined : new X509Certificate(block);
  } catch {
    return undefined;
  }
}

function reason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]?.slice(0, 200) ?? '';
}

async function proveServing(t: ServingTarget, read: Read, timeoutMs: number): Promise<ProofRow> {
  const endpoint = `${t.host}:${t.port}`;
  const base = { component: t.component, name: t.name, kind: 'serving' as const, endpoint };
  const file = firstCert(await read(t.certPath));
  if (!file)
    return {
      ...base,
      expectedSerial: '-',
      servedSerial: '-',
      verdict: 'missing',
      detail: t.certPath,
    };
  const expectedSerial = file.serialNumber;
  try {
    const served = await probeTls(t.host, t.port, t.sni, timeoutMs);
    const servedSerial = served.leaf.serialNumber;
    if (served.leaf.fingerprint256 !== file.fingerprint256)
      return { ...base, expectedSerial, servedSerial, verdict: 'old', detail: 'restart it' };
    const ca = firstCert(await read(t.caPath));
    const signed = ca !== undefined && served.leaf.verify(ca.publicKey);
    return {
      ...base,
      expectedSerial,
      servedSerial,
      verdict: signed ? 'ok' : 'untrusted',
      detail: signed
        ? `chain: ${[served.leaf, ...served.chain].map((c) => c.subject.replace(/\n/g, ',')).join(' <- ')}`
        : `not signed by ${t.caPath}`,
    };
  } catch (error) {
    return {
      ...base,
      expectedSerial,
      servedSerial: '-',
      verdict: 'unreachable',
      detail: reason(error),
    };
  }
}

async function proveKubeconfig(
  t: KubeconfigTarget,
  read: Read,
  timeoutMs: number,
): Promise<ProofRow> {
  const text = await read(t.path);
  const base = { component: t.component, name: t.name, kind: 'client' as const, servedSerial: '-' };
  if (text === undefined)
    return { ...base, endpoint: '-', expectedSerial: '-', verdict: 'missing', detail: t.path };
  let creds;
  try {
    creds = readKubeconfig(text, t.path);
  } catch (error) {
    return {
      ...base,
      endpoint: '-',
      expectedSerial: '-',
      verdict: 'missing',
      detail: reason(error),
    };
  }
  const cert = firstCert(creds.certPem);
  const server = t.server ?? hostPort(creds.server);
  const endpoint = server ? `${server.host}:${server.port}` : '-';
  if (!cert || creds.keyPem === undefined || !server)
    return {
      ...base,
      endpoint,
      expectedSerial: '-',
      verdict: 'missing',
      detail: 'no embedded credentials or server',
    };
  const expectedSerial = cert.serialNumber;
  try {
    const answer = await httpsCall(
      { ...server, path: '/apis/authentication.k8s.io/v1/selfsubjectreviews', method: 'POST' },
      { cert: creds.certPem ?? '', key: creds.keyPem },
      JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
      timeoutMs,
    );
    const user = reviewedUser(answer.body);
    const ok = answer.status === 201 && user === t.expectUser;
    return {
      ...base,
      endpoint,
      expectedSerial,
      verdict: ok ? 'ok' : 'refused',
      detail: ok ? `authenticated as ${user}` : `HTTP ${answer.status}${user ? ` as ${user}` : ''}`,
    };
  } catch (error) {
    return { ...base, endpoint, expectedSerial, verdict: 'unreachable', detail: reason(error) };
  }
}

async function proveEtcdClient(
  t: EtcdClientTarget,
  read: Read,
  timeoutMs: number,
): Promise<ProofRow> {
  const endpoint = `${t.host}:${t.port}`;
  const base = {
    component: t.component,
    name: t.name,
    kind: 'client' as const,
    endpoint,
    servedSerial: '-',
  };
  const certPem = await read(t.certPath);
  const keyPem = await read(t.keyPath);
  const cert = firstCert(certPem);
  if (!cert || keyPem === undefined || certPem === undefined)
    return { ...base, expectedSerial: '-', verdict: 'missing', detail: t.certPath };
  const client: ClientCredentials = { cert: certPem, key: keyPem };
  try {
    const answer = await httpsCall(
      { host: t.host, port: t.port, path: '/health' },
      client,
      undefined,
      timeoutMs,
    );
    const ok = answer.status === 200 && answer.body.includes('"health":"true"');
    return {
      ...base,
      expectedSerial: cert.serialNumber,
      verdict: ok ? 'ok' : 'refused',
      detail: ok ? 'etcd /health accepted it' : `HTTP ${answer.status}`,
    };
  } catch (error) {
    // A refused client certificate ends the handshake with a TLS alert; no socket is unreachable.
    const code = (error as { code?: unknown }).code;
    const down =
      typeof code === 'string' && /^E(CONNREFUSED|HOSTUNREACH|NETUNREACH|TIMEDOUT)$/.test(code);
    return {
      ...base,
      expectedSerial: cert.serialNumber,
      verdict: down ? 'unreachable' : 'refused',
      detail: reason(error),
    };
  }
}

function reviewedUser(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { status?: { userInfo?: { username?: string } } };
    return parsed.status?.userInfo?.username;
  } catch {
    return undefined;
  }
}

/** `https://host:port` → host and port (443 when absent); undefined when not a URL. */
export function hostPort(url: string | undefined): { host: string; port: number } | undefined {
  if (url === undefined) return undefined;
  try {
    const parsed = new URL(url);
    const host = parsed.hostname.replace(/^\[|\]$/g, '');
    return { host, port: parsed.port === '' ? 443 : Number(parsed.port) };
  } catch {
    return undefined;
  }
}

/** The proof as a table: component, name, endpoint, expected serial, served serial, verdict. */
export function formatProof(rows: readonly ProofRow[]): string {
  const head = ['COMPONENT', 'NAME', 'ENDPOINT', 'EXPECTED SERIAL', 'SERVED SERIAL', 'VERDICT'];
  const table = [
    head,
    ...rows.map((r) => [
      r.component,
      r.name,
      r.endpoint,
      r.expectedSerial,
      r.servedSerial,
      r.verdict,
    ]),
  ];
  const widths = head.map((_, i) => Math.max(...table.map((line) => (line[i] ?? '').length)));
  const lines = table.map((line) =>
    line
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
  const failed = rows.filter((r) => r.verdict !== 'ok');
  for (const r of failed)
    lines.push(`${r.verdict}: ${r.component} ${r.name} at ${r.endpoint}: ${r.detail}`);
  lines.push(
    failed.length === 0
      ? `proved: ${rows.length} checks, every component serves and accepts what is on disk`
      : `NOT proved: ${failed.length} of ${rows.length} checks failed`,
  );
  return `${lines.join('\n')}\n`;
}
