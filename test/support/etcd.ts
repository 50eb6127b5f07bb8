// Real etcd for integration tests: TLS material issued by kpki's own pki/, members on free
// loopback ports with client-cert auth on clients and peers, temp data dirs, stopped afterwards.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { generatePrivateKey, encodePrivateKey } from '../../src/pki/keys.js';
import { issueCertificate } from '../../src/pki/issue.js';
import { tempDir } from './tools.js';

export const ETCD = process.env.KPKI_ETCD ?? '/usr/bin/etcd';

/**
 * Whether etcd tests can run. With CI set, a missing etcd is an error (the test must fail, not
 * skip); elsewhere the reason is returned for `{ skip }`.
 */
export function etcdSkipReason(): string | false {
  if (existsSync(ETCD)) return false;
  if (process.env.CI)
    throw new Error(`etcd is required in CI but ${ETCD} is missing (apt-get install etcd-server)`);
  return `${ETCD} is missing: apt-get install etcd-server`;
}

/** PEM files for the CA, the members (server + peer) and a client. */
export interface EtcdPki {
  readonly dir: string;
  readonly ca: string;
  readonly memberCert: string;
  readonly memberKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
}

/** Issues an etcd CA, a member certificate (127.0.0.1, both EKUs) and a client certificate with kpki's pki/. */
export async function issueEtcdPki(): Promise<EtcdPki> {
  const dir = tempDir('kpki-etcd-pki-');
  const now = new Date();
  const notAfter = new Date(now.getTime() + 86_400_000);
  const caKey = await generatePrivateKey('ECDSA-P256');
  const ca = await issueCertificate(
    {
      subject: { cn: 'etcd-test-ca' },
      isCA: true,
      keyUsage: ['digitalSignature', 'keyEncipherment', 'keyCertSign'],
      extKeyUsage: [],
      notBefore: now,
      notAfter,
      serialHex: '01',
    },
    caKey.keyObject,
    { selfSigned: caKey },
  );
  const authority = { certificate: ca, key: caKey };
  const leaf = async (cn: string, server: boolean, serial: string): Promise<[string, string]> => {
    const key = await generatePrivateKey('ECDSA-P256');
    const cert = await issueCertificate(
      {
        subject: { cn },
        isCA: false,
        keyUsage: ['digitalSignature', 'keyEncipherment'],
        extKeyUsage: server ? ['serverAuth', 'clientAuth'] : ['clientAuth'],
        notBefore: now,
        notAfter,
        serialHex: serial,
        ...(server && { altNames: { dns: ['localhost'], ip: ['127.0.0.1'] } }),
      },
      key.keyObject,
      authority,
    );
    return [cert.pem, encodePrivateKey(key)];
  };
  const [memberCert, memberKey] = await leaf('etcd-member', true, '02');
  const [clientCert, clientKey] = await leaf('kpki-client', false, '03');
  const files = { ca: ca.pem, memberCert, memberKey, clientCert, clientKey };
  for (const [name, pem] of Object.entries(files))
    writeFileSync(join(dir, `${name}.pem`), pem, { mode: 0o600 });
  return {
    dir,
    ca: join(dir, 'ca.pem'),
    memberCert: join(dir, 'memberCert.pem'),
    memberKey: join(dir, 'memberKey.pem'),
    clientCert: join(dir, 'clientCert.pem'),
    clientKey: join(dir, 'clientKey.pem'),
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** One running member. */
export interface EtcdMember {
  readonly name: string;
  readonly clientUrl: string;
  process: ChildProcess | undefined;
  stop(): Promise<void>;
}

/** A running cluster: its client URLs as a kpki --datastore value, and a stop for everything. */
export interface EtcdCluster {
  readonly members: EtcdMember[];
  readonly url: string;
  readonly pki: EtcdPki;
  stop(): Promise<void>;
}

/** Starts `size` members on loopback with mutual TLS everywhere and waits until all are healthy. */
export async function startEtcdCluster(size: number, pki?: EtcdPki): Promise<EtcdCluster> {
  const tls = pki ?? (await issueEtcdPki());
  const base = tempDir('kpki-etcd-data-');
  const ports = await Promise.all(Array.from({ length: size * 2 }, freePort));
  const names = Array.from({ length: size }, (_, i) => `m${i}`);
  const peer = (i: number): string => `https://127.0.0.1:${ports[2 * i + 1] ?? 0}`;
  const initial = names.map((n, i) => `${n}=${peer(i)}`).join(',');
  const members = names.map((name, i) =>
    startMember(
      name,
      `https://127.0.0.1:${ports[2 * i] ?? 0}`,
      peer(i),
      initial,
      join(base, name),
      tls,
    ),
  );
  const cluster: EtcdCluster = {
    members,
    pki: tls,
    url: members.map((m) => m.clientUrl).join(','),
    stop: async () => void (await Promise.all(members.map((m) => m.stop()))),
  };
  try {
    await Promise.all(members.map((m) => waitHealthy(m, tls)));
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}

function startMember(
  name: string,
  clientUrl: string,
  peerUrl: string,
  initial: string,
  dataDir: string,
  tls: EtcdPki,
): EtcdMember {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const args = [
    '--name',
    name,
    '--data-dir',
    dataDir,
    '--listen-client-urls',
    clientUrl,
    '--advertise-client-urls',
    clientUrl,
    '--listen-peer-urls',
    peerUrl,
    '--initial-advertise-peer-urls',
    peerUrl,
    '--initial-cluster',
    initial,
    '--initial-cluster-state',
    'new',
    '--initial-cluster-token',
    'kpki-test',
    '--cert-file',
    tls.memberCert,
    '--key-file',
    tls.memberKey,
    '--trusted-ca-file',
    tls.ca,
    '--client-cert-auth',
    '--peer-cert-file',
    tls.memberCert,
    '--peer-key-file',
    tls.memberKey,
    '--peer-trusted-ca-file',
    tls.ca,
    '--peer-client-cert-auth',
    '--log-level',
    'error',
    '--logger',
    'zap',
  ];
  const child = spawn(ETCD, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ETCD_UNSUPPORTED_ARCH: process.arch === 'x64' ? '' : process.arch },
  });
  const member: EtcdMember = {
    name,
    clientUrl,
    process: child,
    stop: async () => {
      const running = member.process;
      member.process = undefined;
      if (!running || running.exitCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGTERM');
      await Promise.race([exited, sleep(5000).then(() => running.kill('SIGKILL'))]);
    },
  };
  return member;
}

async function waitHealthy(member: EtcdMember, tls: EtcdPki): Promise<void> {
  const { readFileSync } = await import('node:fs');
  const options = {
    ca: readFileSync(tls.ca),
    cert: readFileSync(tls.clientCert),
    key: readFileSync(tls.clientKey),
  };
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (member.process?.exitCode !== null)
      throw new Error(`etcd ${member.name} exited with ${String(member.process?.exitCode)}`);
    const healthy = await new Promise<boolean>((resolve) => {
      const req = https.get(`${member.clientUrl}/health`, { ...options, timeout: 1000 }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve(body.includes('"health":"true"')));
      });
      req.on('error', () => resolve(false));
      req.on('timeout', () => req.destroy());
    });
    if (healthy) return;
    await sleep(100);
  }
  throw new Error(`etcd ${member.name} did not become healthy at ${member.clientUrl}`);
}
