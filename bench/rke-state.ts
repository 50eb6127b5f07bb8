/**
 * A generated RKE1 `cluster.rkestate` of many nodes, in RKE's own format (reference/rke.md §4):
 * `desiredState` and `currentState`, each with `rkeConfig` and a `certificatesBundle` of
 * CertificatePKI entries (`certificatePEM`, `keyPEM`, `name`, `commonName`, `ouName`, env names
 * and paths). Every node has a kubelet serving certificate (`kube-kubelet-<addr>`); the first three
 * are etcd and control-plane nodes. To keep generation in seconds, leaf keys come from a pool of
 * eight RSA-2048 keys: a check parses and verifies certificates and does not care that keys repeat.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { encodePrivateKey, generatePrivateKey, type PrivateKey } from '../src/pki/keys.js';
import { issueCertificate, type SigningAuthority } from '../src/pki/issue.js';
import { randomSerial } from '../src/pki/serial.js';

const NOT_BEFORE = new Date('2026-01-01T00:00:00Z');
const CA_NOT_AFTER = new Date('2036-01-01T00:00:00Z');
const LEAF_NOT_AFTER = new Date('2036-01-01T00:00:00Z');

interface Spec {
  name: string;
  cn: string;
  o?: string;
  ca: 'kube-ca' | 'kube-apiserver-requestheader-ca';
  dns?: string[];
  ip?: string[];
  server?: boolean;
}

async function makeCa(cn: string): Promise<SigningAuthority> {
  const key = await generatePrivateKey('RSA-2048');
  const certificate = await issueCertificate(
    {
      subject: { cn },
      isCA: true,
      keyUsage: ['digitalSignature', 'keyEncipherment', 'keyCertSign'],
      extKeyUsage: [],
      notBefore: NOT_BEFORE,
      notAfter: CA_NOT_AFTER,
      serialHex: randomSerial(randomBytes),
    },
    key.keyObject,
    { selfSigned: key },
  );
  return { certificate, key };
}

function entry(
  name: string,
  cn: string,
  o: string | undefined,
  certPem: string,
  keyPem: string,
): Record<string, string> {
  const env = name.toUpperCase().replace(/[-.]/g, '_');
  return {
    certificatePEM: certPem,
    keyPEM: keyPem,
    config: '',
    name,
    commonName: cn,
    ouName: o ?? '',
    envName: env,
    path: `/etc/kubernetes/ssl/${name}.pem`,
    keyEnvName: `${env}_KEY`,
    keyPath: `/etc/kubernetes/ssl/${name}-key.pem`,
    configEnvName: '',
    configPath: '',
  };
}

function specs(addresses: readonly string[]): Spec[] {
  const cp = addresses.slice(0, 3);
  return [
    {
      name: 'kube-apiserver',
      cn: 'kube-apiserver',
      ca: 'kube-ca',
      dns: [
        'localhost',
        'kubernetes',
        'kubernetes.default',
        'kubernetes.default.svc',
        'kubernetes.default.svc.cluster.local',
      ],
      ip: ['127.0.0.1', '10.43.0.1', ...cp],
      server: true,
    },
    { name: 'kube-controller-manager', cn: 'system:kube-controller-manager', ca: 'kube-ca' },
    { name: 'kube-scheduler', cn: 'system:kube-scheduler', ca: 'kube-ca' },
    { name: 'kube-proxy', cn: 'system:kube-proxy', ca: 'kube-ca' },
    { name: 'kube-node', cn: 'system:node', o: 'system:nodes', ca: 'kube-ca' },
    { name: 'kube-admin', cn: 'kube-admin', o: 'system:masters', ca: 'kube-ca' },
    { name: 'kube-service-account-token', cn: 'kube-service-account-token', ca: 'kube-ca' },
    {
      name: 'kube-apiserver-proxy-client',
      cn: 'system:kube-apiserver-proxy-client',
      ca: 'kube-apiserver-requestheader-ca',
    },
    ...cp.map(
      (a): Spec => ({
        name: `kube-etcd-${a.replace(/\./g, '-')}`,
        cn: `kube-etcd-${a.replace(/\./g, '-')}`,
        ca: 'kube-ca',
        dns: [
          'localhost',
          'kubernetes',
          'kubernetes.default',
          'kubernetes.default.svc',
          'kubernetes.default.svc.cluster.local',
        ],
        ip: ['127.0.0.1', '10.43.0.1', ...cp],
        server: true,
      }),
    ),
    ...addresses.map(
      (a): Spec => ({
        name: `kube-kubelet-${a.replace(/\./g, '-')}`,
        cn: `system:node:node-${a.replace(/\./g, '-')}`,
        o: 'system:nodes',
        ca: 'kube-ca',
        dns: [`node-${a.replace(/\./g, '-')}`],
        ip: [a],
        server: true,
      }),
    ),
  ];
}

/** The `cluster.yml` that goes with the state: the same nodes, kubelet serving certificates on. */
export function clusterYaml(nodes: number): string {
  const lines = Array.from(
    { length: nodes },
    (_, i) =>
      `- address: ${address(i)}\n  user: rancher\n  role: [${i < 3 ? 'controlplane, etcd, worker' : 'worker'}]`,
  );
  return `nodes:\n${lines.join('\n')}\nservices:\n  kubelet:\n    generate_serving_certificate: true\n`;
}

function address(i: number): string {
  return `10.${((i + 1) >> 16) & 255}.${((i + 1) >> 8) & 255}.${(i + 1) & 255}`;
}

/** Writes the state of `nodes` nodes to `path`; returns how many certificates it holds. */
export async function writeRkeState(path: string, nodes: number): Promise<number> {
  const addresses = Array.from({ length: nodes }, (_, i) => address(i));
  const [kubeCa, headerCa] = await Promise.all([
    makeCa('kube-ca'),
    makeCa('kube-apiserver-requestheader-ca'),
  ]);
  const pool: PrivateKey[] = await Promise.all(
    Array.from({ length: 8 }, () => generatePrivateKey('RSA-2048')),
  );
  const poolPems = pool.map(encodePrivateKey);
  const cas = { 'kube-ca': kubeCa, 'kube-apiserver-requestheader-ca': headerCa };
  const bundle: Record<string, Record<string, string>> = {
    'kube-ca': entry(
      'kube-ca',
      'kube-ca',
      undefined,
      kubeCa.certificate.pem,
      encodePrivateKey(kubeCa.key),
    ),
    'kube-apiserver-requestheader-ca': entry(
      'kube-apiserver-requestheader-ca',
      'kube-apiserver-requestheader-ca',
      undefined,
      headerCa.certificate.pem,
      encodePrivateKey(headerCa.key),
    ),
  };
  await Promise.all(
    specs(addresses).map(async (spec, i) => {
      const cert = await issueCertificate(
        {
          subject: spec.o === undefined ? { cn: spec.cn } : { cn: spec.cn, o: [spec.o] },
          altNames: { dns: spec.dns ?? [], ip: spec.ip ?? [] },
          isCA: false,
          keyUsage: ['digitalSignature', 'keyEncipherment'],
          extKeyUsage: spec.server ? ['serverAuth', 'clientAuth'] : ['clientAuth'],
          notBefore: NOT_BEFORE,
          notAfter: LEAF_NOT_AFTER,
          serialHex: randomSerial(randomBytes),
        },
        pool[i % pool.length]!.keyObject,
        cas[spec.ca],
      );
      bundle[spec.name] = entry(spec.name, spec.cn, spec.o, cert.pem, poolPems[i % pool.length]!);
    }),
  );
  const rkeConfig = {
    nodes: addresses.map((address, i) => ({
      address,
      role: i < 3 ? ['controlplane', 'etcd', 'worker'] : ['worker'],
      user: 'rancher',
    })),
    services: { kubelet: { generateServingCertificate: true } },
  };
  const state = { rkeConfig, certificatesBundle: bundle };
  writeFileSync(path, JSON.stringify({ desiredState: state, currentState: state }, null, 2), {
    mode: 0o600,
  });
  return 2 * Object.keys(bundle).length;
}
