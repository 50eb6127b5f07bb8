// Two data dirs standing for two RKE2 servers sharing one real etcd (mutual TLS, certificates
// issued by kpki): save on one → rotate (the datastore half of rotate-ca) → restore on both,
// concurrent rotations with one winner, token rotation, and bad input that changes nothing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConflictError } from '../../src/errors.js';
import { decodeBootstrapRecord } from '../../src/layouts/bootstrap-record.js';
import { writeRotatedCaRecord } from '../../src/ops/rke2/bootstrap/rotate-ca.js';
import { decryptBootstrap } from '../../src/pki/bootstrap-crypto.js';
import { openDatastore } from '../../src/stores/datastore/open-datastore.js';
import { etcdSkipReason, startEtcdCluster, type EtcdCluster } from '../support/etcd.js';
import { caPair } from '../support/ca-pair.js';
import { hashTree, kpki, tempDir } from '../support/tools.js';

const skip = etcdSkipReason();
const TOKEN = `K10${'ab'.repeat(32)}::server:first-secret-pw`;
const NEW_TOKEN = 'second-secret-pw';
const random = (n: number): Uint8Array => new Uint8Array(randomBytes(n));
const FILES = [
  'tls/server-ca.crt',
  'tls/server-ca.key',
  'tls/client-ca.crt',
  'tls/client-ca.key',
  'tls/request-header-ca.crt',
  'tls/request-header-ca.key',
  'tls/etcd/server-ca.crt',
  'tls/etcd/server-ca.key',
  'tls/etcd/peer-ca.crt',
  'tls/etcd/peer-ca.key',
  'tls/service.key',
  'cred/passwd',
  'cred/ipsec.psk',
];

/** Real CA pairs and a real service key (restore checks them), random bytes for the rest. */
function contentOf(file: string): string {
  if (file.endsWith('.key') && !file.endsWith('service.key')) return '';
  if (file.endsWith('.crt')) {
    const pair = caPair(file.replace(/[^a-z0-9-]/g, '-'));
    pairs.set(file.replace(/\.crt$/, '.key'), pair.key);
    return pair.cert;
  }
  if (file.endsWith('service.key')) return caPair('sa').key;
  return `${file}\n${randomBytes(24).toString('base64')}\n`;
}
const pairs = new Map<string, string>();
const rotated = { one: caPair('rotated-one'), two: caPair('rotated-two') };

function makeServer(): string {
  const dir = tempDir('kpki-rke2-');
  for (const file of FILES) {
    mkdirSync(join(dir, 'server', file, '..'), { recursive: true });
    writeFileSync(join(dir, 'server', file), pairs.get(file) ?? contentOf(file), {
      mode: 0o600,
    });
    utimesSync(join(dir, 'server', file), 1_700_000_000, 1_700_000_000);
  }
  return dir;
}

describe('bootstrap record on etcd across two servers', { skip }, () => {
  let cluster: EtcdCluster;
  let tls: string[];
  const run = (args: string[], token = TOKEN): ReturnType<typeof kpki> => {
    const result = kpki([...args, '--token', token, '--datastore', cluster.url, ...tls]);
    for (const secret of [TOKEN, 'first-secret-pw', NEW_TOKEN])
      assert.ok(!(result.stdout + result.stderr).includes(secret), 'a token was printed');
    return result;
  };
  const store = () =>
    openDatastore(cluster.url, {
      defaultDir: '/x',
      caFile: cluster.pki.ca,
      certFile: cluster.pki.clientCert,
      keyFile: cluster.pki.clientKey,
    });
  before(async () => {
    cluster = await startEtcdCluster(1);
    tls = [
      '--datastore-cafile',
      cluster.pki.ca,
      '--datastore-certfile',
      cluster.pki.clientCert,
      '--datastore-keyfile',
      cluster.pki.clientKey,
    ];
  });
  after(async () => cluster?.stop());

  const serverA = makeServer();
  const serverB = tempDir('kpki-rke2-');

  it('save on server A creates the record; a second save without --override is refused', () => {
    const saved = run(['bootstrap', 'save', '--dir', serverA]);
    assert.equal(saved.status, 0, saved.stderr);
    assert.match(saved.stdout, /created "\/bootstrap\/[0-9a-f]{12}"/);
    const again = run(['bootstrap', 'save', '--dir', serverA]);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /\[RECORD_EXISTS\]/);
  });

  it("restore on the empty server B writes every file with the record's mode and mtime", () => {
    const restored = run(['bootstrap', 'restore', '--dir', serverB]);
    assert.equal(restored.status, 0, restored.stderr);
    for (const file of FILES) {
      const path = join(serverB, 'server', file);
      assert.deepEqual(readFileSync(path), readFileSync(join(serverA, 'server', file)), file);
      assert.equal(statSync(path).mode & 0o777, 0o600);
      assert.equal(Math.floor(statSync(path).mtimeMs / 1000), 1_700_000_000);
    }
    assert.equal(statSync(join(serverB, 'server', 'tls')).mode & 0o777, 0o700);
    assert.match(run(['bootstrap', 'restore', '--dir', serverB]).stdout, /nothing written/);
  });

  it('two concurrent rotations: exactly one wins, the loser changes nothing, the record is whole', async () => {
    const ds = await store();
    const rotation = (tag: 'one' | 'two') => [
      {
        field: 'ServerCA',
        content: Buffer.from(rotated[tag].cert),
        timestampNs: 1_800_000_000_000_000_000n,
      },
      {
        field: 'ServerCAKey',
        content: Buffer.from(rotated[tag].key),
        timestampNs: 1_800_000_000_000_000_000n,
      },
    ];
    const outcomes = await Promise.allSettled([
      writeRotatedCaRecord(ds, TOKEN, rotation('one'), random),
      writeRotatedCaRecord(ds, TOKEN, rotation('two'), random),
    ]);
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    assert.equal(won.length, 1);
    assert.ok(
      lost[0]!.reason instanceof ConflictError && lost[0]!.reason.code === 'RECORD_CHANGED',
    );
    const winner = outcomes[0].status === 'fulfilled' ? 'one' : 'two';
    const entry = (await ds.list('/bootstrap/'))[0]!;
    const record = decodeBootstrapRecord(
      await decryptBootstrap('first-secret-pw', entry.value, entry.key),
      entry.key,
    );
    assert.equal(Buffer.from(record.get('ServerCA')!.content).toString(), rotated[winner].cert);
    assert.equal(Buffer.from(record.get('ServerCAKey')!.content).toString(), rotated[winner].key);
    assert.equal(record.size, FILES.length);
    await ds.close();
  });

  it('restore on both servers picks up the rotation', () => {
    for (const dir of [serverA, serverB]) {
      const restored = run(['bootstrap', 'restore', '--dir', dir]);
      assert.equal(restored.status, 0, restored.stderr);
      const ca = readFileSync(join(dir, 'server/tls/server-ca.crt'), 'utf8');
      assert.ok(ca === rotated.one.cert || ca === rotated.two.cert, 'the rotated CA');
    }
    assert.deepEqual(
      readFileSync(join(serverA, 'server/tls/server-ca.key')),
      readFileSync(join(serverB, 'server/tls/server-ca.key')),
    );
  });

  it('refuses to overwrite a disk file newer than the record, names it, changes nothing; --force backs up and writes', () => {
    const path = join(serverB, 'server/tls/client-ca.crt');
    writeFileSync(path, 'locally rotated, not saved');
    const before = hashTree(serverB, true);
    const refused = run(['bootstrap', 'restore', '--dir', serverB]);
    assert.equal(refused.status, 1);
    assert.match(
      refused.stderr,
      /\[DISK_NEWER\].*server\/tls\/client-ca\.crt" newer than datastore/,
    );
    assert.equal(hashTree(serverB, true), before);
    const forced = run(['bootstrap', 'restore', '--dir', serverB, '--force']);
    assert.equal(forced.status, 0, forced.stderr);
    assert.deepEqual(readFileSync(path), readFileSync(join(serverA, 'server/tls/client-ca.crt')));
    const rolled = kpki(['rollback', '--dir', serverB]);
    assert.equal(rolled.status, 0, rolled.stderr);
    assert.equal(readFileSync(path, 'utf8'), 'locally rotated, not saved');
  });

  it('bad tokens and a corrupted record give typed errors and change nothing', async () => {
    const before = hashTree(serverB, true);
    const cases: [string, RegExp, number][] = [
      ['', /\[BAD_TOKEN\] the server token is empty/, 3],
      ['abcdef.0123456789abcdef', /\[BAD_TOKEN\] failed to normalize server token/, 3],
      [`K10${'ab'.repeat(32)}::server:wrong-pw`, /\[DIFFERENT_TOKEN\]/, 1],
    ];
    for (const [token, message, status] of cases) {
      const result = run(['bootstrap', 'restore', '--dir', serverB], token);
      assert.equal(result.status, status, result.stderr);
      assert.match(result.stderr, message);
    }
    const ds = await store();
    const entry = (await ds.list('/bootstrap/'))[0]!;
    // Same key, other token's ciphertext: decryption must say "wrong token" and nothing else.
    const foreign = (await import('../../src/pki/bootstrap-crypto.js')).encryptBootstrap(
      'someone-else',
      Buffer.from('{}'),
      random,
    );
    await ds.put(entry.key, await foreign);
    const wrong = run(['bootstrap', 'restore', '--dir', serverB]);
    assert.equal(wrong.status, 3);
    assert.match(
      wrong.stderr,
      /\[WRONG_TOKEN\] cannot decrypt bootstrap record "\/bootstrap\/[0-9a-f]{12}": wrong token\n/,
    );
    await ds.put(entry.key, Buffer.from('not a record'));
    const corrupt = run(['bootstrap', 'restore', '--dir', serverB]);
    assert.equal(corrupt.status, 3);
    assert.match(corrupt.stderr, /\[CORRUPT_RECORD\]/);
    await ds.put(entry.key, entry.value);
    await ds.close();
    assert.equal(hashTree(serverB, true), before);
  });

  it('token rotate moves the record to the new token; the old token no longer finds it', () => {
    const rotated = kpki([
      'token',
      'rotate',
      '--token',
      TOKEN,
      '--new-token',
      NEW_TOKEN,
      '--datastore',
      cluster.url,
      ...tls,
    ]);
    assert.equal(rotated.status, 0, rotated.stderr);
    assert.ok(!(rotated.stdout + rotated.stderr).includes('secret-pw'));
    assert.match(run(['bootstrap', 'restore', '--dir', serverA]).stderr, /\[DIFFERENT_TOKEN\]/);
    const fresh = tempDir('kpki-rke2-');
    assert.equal(run(['bootstrap', 'restore', '--dir', fresh], NEW_TOKEN).status, 0);
    assert.deepEqual(
      readFileSync(join(fresh, 'server/tls/service.key')),
      readFileSync(join(serverA, 'server/tls/service.key')),
    );
  });
});
