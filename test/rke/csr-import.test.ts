import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KpkiError, ValidationError } from '../../src/errors.js';
import { parseCertificate } from '../../src/pki/certificate.js';
import { parseCsr } from '../../src/pki/csr.js';
import {
  issueCertificate,
  type CertificateTemplate,
  type SigningAuthority,
} from '../../src/pki/issue.js';
import { encodePrivateKey, generatePrivateKey, parsePrivateKey } from '../../src/pki/keys.js';
import { toRkeConfig } from '../../src/layouts/rke/rke-config.js';
import { checkRkeState } from '../../src/ops/rke/check.js';
import { applyRkeCsr, CSR_FILE_MODE } from '../../src/ops/rke/csr.js';
import { applyRkeImport } from '../../src/ops/rke/import.js';
import { openTreeStore } from '../../src/stores/fs-tree-store.js';
import {
  CLUSTER_YML,
  context,
  FILES,
  hashDir,
  initialisedCluster,
  keyPool,
  readState,
} from './helpers.js';
import { keyPairSync } from '../support/key-pair.js';
import { tempDirAsync } from '../support/temp-dir.js';

async function clusterDir(yml = CLUSTER_YML): Promise<string> {
  const dir = await tempDirAsync('kpki-rke-csr-');
  await writeFile(join(dir, 'cluster.yml'), yml);
  return dir;
}

async function generateCsrs(
  dir: string,
  certDir: string,
): Promise<Awaited<ReturnType<typeof applyRkeCsr>>> {
  return applyRkeCsr(await context(dir), { files: FILES, out: await openTreeStore(certDir) });
}

describe('kpki csr generate --cert-dir (RKE generate-csr)', () => {
  it('writes <name>-csr.pem and <name>-key.pem (0640) for every certificate an external CA signs, and reuses them', async () => {
    const dir = await clusterDir();
    const certDir = join(dir, 'cluster_certs');
    await (await import('node:fs/promises')).mkdir(certDir);
    const first = await generateCsrs(dir, certDir);
    const names = [
      'kube-admin',
      'kube-apiserver',
      'kube-apiserver-proxy-client',
      'kube-controller-manager',
      'kube-etcd-10-0-0-10',
      'kube-etcd-203-0-113-11',
      'kube-kubelet-10-0-0-10',
      'kube-kubelet-203-0-113-11',
      'kube-kubelet-worker-1-example-test',
      'kube-node',
      'kube-proxy',
      'kube-scheduler',
    ];
    const files = (await readdir(certDir)).filter((f) => f !== '.kpki').sort();
    assert.deepEqual(files, names.flatMap((n) => [`${n}-csr.pem`, `${n}-key.pem`]).sort());
    for (const file of files)
      assert.equal((await stat(join(certDir, file))).mode & 0o777, CSR_FILE_MODE, file);
    assert.ok(first.items.every((item) => item.action === 'create'));
    execFileSync(
      'openssl',
      ['req', '-verify', '-noout', '-in', join(certDir, 'kube-apiserver-csr.pem')],
      { stdio: 'pipe' },
    );
    const api = await parseCsr(
      await readFile(join(certDir, 'kube-apiserver-csr.pem'), 'utf8'),
      'api',
    );
    assert.ok(
      api.altNames.dns.includes('api.example.test') && api.altNames.ip.includes('fd00:43::1'),
    );
    const node = await parseCsr(await readFile(join(certDir, 'kube-node-csr.pem'), 'utf8'), 'node');
    assert.deepEqual(node.subject, { cn: 'system:node', o: ['system:nodes'] });
    const eku = execFileSync(
      'openssl',
      ['req', '-noout', '-text', '-in', join(certDir, 'kube-etcd-10-0-0-10-csr.pem')],
      { encoding: 'utf8' },
    );
    assert.match(eku, /TLS Web Client Authentication, TLS Web Server Authentication/);

    const hash = await hashDir(certDir);
    const again = await generateCsrs(dir, certDir);
    assert.ok(again.items.every((item) => item.action === 'reuse') && again.result === undefined);
    assert.equal(await hashDir(certDir), hash);

    await writeFile(
      join(dir, 'cluster.yml'),
      CLUSTER_YML.replace('sans: [api.example.test, 198.51.100.7]', 'sans: [api2.example.test]'),
    );
    const keyBefore = await readFile(join(certDir, 'kube-apiserver-key.pem'), 'utf8');
    const changed = await generateCsrs(dir, certDir);
    assert.deepEqual(
      changed.items.filter((item) => item.action !== 'reuse').map((item) => item.name),
      ['kube-apiserver'],
    );
    assert.equal(
      await readFile(join(certDir, 'kube-apiserver-key.pem'), 'utf8'),
      keyBefore,
      'key reused',
    );
    assert.ok(
      (
        await parseCsr(await readFile(join(certDir, 'kube-apiserver-csr.pem'), 'utf8'), 'api')
      ).altNames.dns.includes('api2.example.test'),
    );
  });

  for (const [sentence, key, code] of [
    [
      'an encrypted key in the directory is an error',
      keyPairSync('rsa', { modulusLength: 1024 })
        .privateKey.export({
          type: 'pkcs1',
          format: 'pem',
          cipher: 'aes-256-cbc',
          passphrase: 'pw',
        })
        .toString(),
      'ENCRYPTED_KEY',
    ],
    [
      'an EC key in the directory is an error',
      keyPairSync('ec', { namedCurve: 'prime256v1' })
        .privateKey.export({ type: 'sec1', format: 'pem' })
        .toString(),
      'WRONG_KEY_TYPE',
    ],
  ] as const) {
    it(sentence, async () => {
      const dir = await clusterDir();
      const certDir = await tempDirAsync('kpki-rke-certs-');
      await writeFile(join(certDir, 'kube-proxy-key.pem'), key);
      const hash = await hashDir(certDir);
      await assert.rejects(
        generateCsrs(dir, certDir),
        (error: unknown) => error instanceof KpkiError && error.code === code,
      );
      assert.equal(await hashDir(certDir), hash);
    });
  }
});

/** A valid custom certificate directory: the bundle of a kpki-initialised cluster, as RKE's file names, without the CA key. */
async function customDir(): Promise<{ certDir: string; ca: SigningAuthority }> {
  const source = await initialisedCluster();
  const bundle = (await readState(source)).desiredState.certificatesBundle;
  const certDir = await tempDirAsync('kpki-rke-custom-');
  for (const [name, entry] of Object.entries(bundle)) {
    if (name !== 'kube-service-account-token')
      await writeFile(join(certDir, `${name}.pem`), entry.certificatePEM ?? '');
    if (name !== 'kube-ca') await writeFile(join(certDir, `${name}-key.pem`), entry.keyPEM ?? '');
  }
  const ca = {
    certificate: parseCertificate(bundle['kube-ca']?.certificatePEM ?? '', 'ca'),
    key: parsePrivateKey(bundle['kube-ca']?.keyPEM ?? '', 'ca'),
  };
  return { certDir, ca };
}

const NOW = new Date('2026-06-01T00:00:00Z');
const template = (over: Partial<CertificateTemplate>): CertificateTemplate => ({
  subject: { cn: 'system:kube-scheduler' },
  isCA: false,
  keyUsage: ['digitalSignature', 'keyEncipherment'],
  extKeyUsage: ['clientAuth'],
  notBefore: new Date('2026-01-01T00:00:00Z'),
  notAfter: new Date('2030-01-01T00:00:00Z'),
  serialHex: '1234',
  ...over,
});

async function reissue(
  certDir: string,
  name: string,
  ca: SigningAuthority,
  over: Partial<CertificateTemplate>,
  keyIndex = 0,
): Promise<void> {
  const key = (await keyPool())[keyIndex];
  if (!key) throw new Error('no key');
  const cert = await issueCertificate(template(over), key.keyObject, ca);
  await writeFile(join(certDir, `${name}.pem`), cert.pem);
  await writeFile(join(certDir, `${name}-key.pem`), encodePrivateKey(key));
}

/** Each kind of bad custom certificate and the problem the import must name. */
const BAD: Record<
  string,
  { spoil: (dir: string, ca: SigningAuthority) => Promise<void>; problem: RegExp }
> = {
  'a certificate from another CA with the same name (RKE only compares issuer CNs)': {
    spoil: async (dir) => {
      const other = await generatePrivateKey('RSA-2048');
      const fake = await issueCertificate(
        template({
          subject: { cn: 'kube-ca' },
          isCA: true,
          keyUsage: ['digitalSignature', 'keyEncipherment', 'keyCertSign'],
          extKeyUsage: [],
        }),
        other.keyObject,
        { selfSigned: other },
      );
      await reissue(dir, 'kube-scheduler', { certificate: fake, key: other }, {}, 1);
    },
    problem: /kube-scheduler\.pem is not signed by kube-ca\.pem/,
  },
  'a key that does not match its certificate': {
    spoil: async (dir) =>
      writeFile(
        join(dir, 'kube-scheduler-key.pem'),
        await readFile(join(dir, 'kube-proxy-key.pem')),
      ),
    problem: /kube-scheduler-key\.pem does not match kube-scheduler\.pem/,
  },
  'an apiserver certificate without the SANs the cluster needs': {
    spoil: (dir, ca) =>
      reissue(dir, 'kube-apiserver', ca, {
        subject: { cn: 'kube-apiserver' },
        extKeyUsage: ['clientAuth', 'serverAuth'],
        altNames: { dns: ['localhost'], ip: ['127.0.0.1'] },
      }),
    problem: /kube-apiserver\.pem lacks SANs the cluster file needs: cp-1, api\.example\.test/,
  },
  'an etcd certificate without serverAuth': {
    spoil: (dir, ca) => reissue(dir, 'kube-etcd-10-0-0-10', ca, { subject: { cn: 'kube-etcd' } }),
    problem: /kube-etcd-10-0-0-10\.pem lacks extended key usage serverAuth/,
  },
  'an expired certificate': {
    spoil: (dir, ca) =>
      reissue(dir, 'kube-controller-manager', ca, {
        subject: { cn: 'system:kube-controller-manager' },
        notAfter: new Date('2026-02-01T00:00:00Z'),
      }),
    problem: /kube-controller-manager\.pem expired on 2026-02-01/,
  },
  'a node certificate without the system:nodes group': {
    spoil: (dir, ca) => reissue(dir, 'kube-node', ca, { subject: { cn: 'system:node' } }),
    problem: /kube-node\.pem lacks O "system:nodes"/,
  },
  'an encrypted key': {
    spoil: async (dir) => {
      const key = parsePrivateKey(await readFile(join(dir, 'kube-proxy-key.pem'), 'utf8'), 'k');
      await writeFile(
        join(dir, 'kube-proxy-key.pem'),
        key.keyObject.export({
          type: 'pkcs1',
          format: 'pem',
          cipher: 'aes-256-cbc',
          passphrase: 'pw',
        }),
      );
    },
    problem: /kube-proxy-key\.pem" is encrypted/,
  },
  'an EC key': {
    spoil: (dir) =>
      writeFile(
        join(dir, 'kube-admin-key.pem'),
        keyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({
          type: 'sec1',
          format: 'pem',
        }),
      ),
    problem: /kube-admin-key\.pem is ECDSA-P256; RKE reads only RSA keys/,
  },
  'a missing etcd certificate': {
    spoil: (dir) => rm(join(dir, 'kube-etcd-203-0-113-11.pem')),
    problem: /kube-etcd-203-0-113-11\.pem is missing/,
  },
};

async function importInto(
  certDir: string,
): Promise<{ target: string; run: () => Promise<unknown> }> {
  const target = await clusterDir();
  const ctx = await context(target, NOW);
  const run = (): Promise<unknown> =>
    ctx.tree.exclusive(async () =>
      applyRkeImport(ctx, {
        files: FILES,
        certDir: await openTreeStore(certDir),
        rkeConfig: toRkeConfig(CLUSTER_YML),
      }),
    );
  return { target, run };
}

describe('kpki rke import --cert-dir', () => {
  it('a valid directory becomes the state: check finds no problem, the CA is external, the SA key needs no companion certificate', async () => {
    const { certDir } = await customDir();
    const { target, run } = await importInto(certDir);
    await run();
    const bundle = (await readState(target)).desiredState.certificatesBundle;
    assert.equal(
      bundle['kube-apiserver']?.certificatePEM,
      await readFile(join(certDir, 'kube-apiserver.pem'), 'utf8'),
    );
    assert.equal(
      bundle['kube-service-account-token']?.keyPEM,
      await readFile(join(certDir, 'kube-service-account-token-key.pem'), 'utf8'),
    );
    assert.equal(bundle['kube-ca']?.keyPEM, '');
    const report = await checkRkeState(await context(target, NOW), FILES);
    assert.deepEqual(
      [...report.certificates, ...report.authorities]
        .filter((row) => row.problems.length > 0 || row.missing)
        .map((row) => `${row.name}: ${row.problems.join('; ')}`),
      [],
    );
    assert.ok(report.authorities.find((row) => row.name === 'kube-ca')?.externallyManaged);
  });

  for (const [sentence, { spoil, problem }] of Object.entries(BAD)) {
    it(`refuses ${sentence}, changing nothing`, async () => {
      const { certDir, ca } = await customDir();
      await spoil(certDir, ca);
      const { target, run } = await importInto(certDir);
      const hash = await hashDir(target);
      await assert.rejects(run(), (error: unknown) => {
        assert.ok(error instanceof ValidationError, String(error));
        assert.equal(error.code, 'CUSTOM_CERTS_INVALID');
        assert.match(error.message, problem);
        return true;
      });
      assert.equal(await hashDir(target), hash);
    });
  }

  it('reports every problem at once', async () => {
    const { certDir, ca } = await customDir();
    for (const { spoil } of Object.values(BAD)) await spoil(certDir, ca);
    const { run } = await importInto(certDir);
    await assert.rejects(run(), (error: unknown) => {
      assert.ok(error instanceof ValidationError);
      for (const { problem } of Object.values(BAD)) assert.match(error.message, problem);
      return true;
    });
  });
});
