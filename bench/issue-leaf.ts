/**
 * issue-leaf-p256: leaf certificates per second in one process, each with a fresh P-256 key,
 * signed by a P-256 CA, certificate and key PEM-encoded (what a signer hands back or writes),
 * against the ceiling measured in the same run: node:crypto P-256 key generations plus signatures
 * per second with both cores busy (the same number of each, the same concurrency).
 */
import { generateKeyPair, randomBytes, sign, type KeyObject } from 'node:crypto';
import { generatePrivateKey, encodePrivateKey } from '../src/pki/keys.js';
import { issueCertificate, type SigningAuthority } from '../src/pki/issue.js';
import { randomSerial } from '../src/pki/serial.js';
import { alternate, median, type BenchLine } from './measure.js';

const CONCURRENCY = 64;

async function pool(count: number, task: (i: number) => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) await task(next++);
    }),
  );
  return count / (Number(process.hrtime.bigint() - start) / 1e9);
}

function newEcKey(): Promise<KeyObject> {
  return new Promise((resolve, reject) =>
    generateKeyPair('ec', { namedCurve: 'prime256v1' }, (error, _pub, priv) =>
      error ? reject(error) : resolve(priv),
    ),
  );
}

function signAsync(data: Buffer, key: KeyObject): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    sign('sha256', data, key, (error, signature) => (error ? reject(error) : resolve(signature))),
  );
}

async function makeCa(): Promise<SigningAuthority> {
  const key = await generatePrivateKey('ECDSA-P256');
  const template = {
    subject: { cn: 'kubernetes' },
    isCA: true,
    keyUsage: ['digitalSignature', 'keyEncipherment', 'keyCertSign'] as const,
    extKeyUsage: [],
    notBefore: new Date('2026-01-01T00:00:00Z'),
    notAfter: new Date('2036-01-01T00:00:00Z'),
    serialHex: randomSerial(randomBytes),
  };
  return {
    key,
    certificate: await issueCertificate(
      { ...template, keyUsage: [...template.keyUsage] },
      key.keyObject,
      { selfSigned: key },
    ),
  };
}

/** Runs the benchmark: `count` certificates per run. */
export async function benchIssueLeaf(count: number, runs: number): Promise<BenchLine> {
  const ca = await makeCa();
  // A TBS-sized payload (a kubelet serving certificate is about 450 bytes to sign).
  const payload = randomBytes(450);
  const ceiling = (): Promise<number> =>
    pool(count, async () => {
      const key = await newEcKey();
      await signAsync(payload, ca.key.keyObject);
      void key;
    });
  const kpki = (): Promise<number> =>
    pool(count, async (i) => {
      const key = await generatePrivateKey('ECDSA-P256');
      const cert = await issueCertificate(
        {
          subject: { cn: `system:node:worker-${i}`, o: ['system:nodes'] },
          altNames: {
            dns: [`worker-${i}`, `worker-${i}.cluster.local`],
            ip: [`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`],
          },
          isCA: false,
          keyUsage: ['digitalSignature'],
          extKeyUsage: ['serverAuth'],
          notBefore: new Date('2026-01-01T00:00:00Z'),
          notAfter: new Date('2027-01-01T00:00:00Z'),
          serialHex: randomSerial(randomBytes),
        },
        key.keyObject,
        ca,
      );
      if (cert.pem.length === 0 || encodePrivateKey(key).length === 0) throw new Error('empty PEM');
    });
  const { a, b } = await alternate(runs, kpki, ceiling);
  return {
    name: 'issue-leaf-p256',
    kpki: median(a),
    peer: median(b),
    unit: 'certs/s',
    target: 0.5,
    rule: 'ge',
  };
}
