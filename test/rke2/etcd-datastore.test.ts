// The Datastore port on a real etcd (Debian etcd-server) with client-cert auth and TLS material
// issued by kpki itself; a three-member cluster with one member stopped still serves kpki.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OperationError } from '../../src/errors.js';
import type { Datastore } from '../../src/ops/shared/ports.js';
import { openDatastore } from '../../src/stores/datastore/open-datastore.js';
import { datastoreContract } from '../support/datastore-contract.js';
import { etcdSkipReason, startEtcdCluster, type EtcdCluster } from '../support/etcd.js';

const skip = etcdSkipReason();
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

function open(cluster: EtcdCluster, url = cluster.url): Promise<Datastore> {
  return openDatastore(url, {
    defaultDir: '/nonexistent',
    caFile: cluster.pki.ca,
    certFile: cluster.pki.clientCert,
    keyFile: cluster.pki.clientKey,
  });
}

describe('etcd datastore: the port contract on one member', { skip }, () => {
  let cluster: EtcdCluster;
  let ds: Datastore;
  before(async () => {
    cluster = await startEtcdCluster(1);
    ds = await open(cluster);
  });
  after(async () => {
    await ds?.close();
    await cluster?.stop();
  });
  datastoreContract(() => ds, '/t/');

  it('refuses a client without a certificate at once, as a configuration error', async () => {
    const bare = await openDatastore(cluster.url, { defaultDir: '/x', caFile: cluster.pki.ca });
    const started = Date.now();
    await assert.rejects(
      bare.get('/k'),
      (e: unknown) => e instanceof OperationError && e.code === 'DATASTORE_UNAVAILABLE',
    );
    assert.ok(Date.now() - started < 3000, 'no retries for a TLS refusal');
    await bare.close();
  });

  it('gives up on unreachable endpoints after bounded retries with a clear error', async () => {
    const dead = await openDatastore('https://127.0.0.1:1,127.0.0.1:2', {
      defaultDir: '/x',
      caFile: cluster.pki.ca,
      certFile: cluster.pki.clientCert,
      keyFile: cluster.pki.clientKey,
    });
    await assert.rejects(
      dead.get('/k'),
      (e: unknown) =>
        e instanceof OperationError &&
        /127\.0\.0\.1:1,https:\/\/127\.0\.0\.1:2 did not answer/.test(e.message),
    );
    await dead.close();
  });
});

describe('etcd datastore: three members, one stopped', { skip }, () => {
  let cluster: EtcdCluster;
  before(async () => void (cluster = await startEtcdCluster(3)));
  after(async () => cluster?.stop());

  it('serves reads, creates and compare-and-swap through the remaining members', async () => {
    const ds = await open(cluster);
    const rev = await ds.put('/bootstrap/ha', bytes('before'));
    // Stop the member listed first: every call has to fail over.
    await cluster.members[0]!.stop();
    assert.equal(new TextDecoder().decode((await ds.get('/bootstrap/ha'))?.value), 'before');
    const next = await ds.compareAndSwap('/bootstrap/ha', bytes('after'), rev);
    assert.ok(next !== undefined && next > rev);
    assert.equal(await ds.compareAndSwap('/bootstrap/ha', bytes('stale'), rev), undefined);
    assert.ok((await ds.create('/bootstrap/new', bytes('n'))) !== undefined);
    const fresh = await open(cluster);
    assert.deepEqual(
      (await fresh.list('/bootstrap/')).map((e) => e.key),
      ['/bootstrap/ha', '/bootstrap/new'],
    );
    await fresh.close();
    await ds.close();
  });
});
