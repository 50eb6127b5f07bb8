// The whole RKE2 CA rotation across two servers sharing a real etcd (mutual TLS, certificates
// issued by kpki): save on A, restore + init on B, cross-sign + rotate-ca --datastore on A,
// restore + renew on B, then both trust the same new CAs; two servers rotating at once end with
// exactly one winner, the loser unchanged and the record whole.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadBootstrapRecord } from '../../src/ops/rke2/bootstrap/record-io.js';
import { openDatastore } from '../../src/stores/datastore/open-datastore.js';
import { etcdSkipReason, startEtcdCluster, type EtcdCluster } from '../support/etcd.js';
import { hashTree, kpki, openssl, tempDir } from '../support/tools.js';

const skip = etcdSkipReason();
const TOKEN = 'rotation-secret-pw';
const KPKI = join(import.meta.dirname, '../../dist/kpki.cjs');
const node = (name: string, ip: string): string[] => ['--node-name', name, '--node-ip', ip];
const A = node('a1', '10.0.0.11');
const B = node('b1', '10.0.0.12');

/** kpki without waiting, so two commands really run at once. */
function kpkiAsync(args: readonly string[]): Promise<{ status: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [KPKI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('close', (status) => resolve({ status: status ?? -1, stderr }));
  });
}

describe('rotate-ca --datastore across two servers on etcd', { skip }, () => {
  let cluster: EtcdCluster;
  let ds: string[];
  /** Runs kpki (with the datastore options when `datastore`), requiring exit 0 and no token in the output. */
  const must = (args: string[], datastore = true): string => {
    const result = kpki(datastore ? [...args, ...ds] : args);
    assert.ok(!(result.stdout + result.stderr).includes(TOKEN), 'the token was printed');
    assert.equal(result.status, 0, `${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  };
  const serverA = tempDir('kpki-rke2-a-');
  const serverB = tempDir('kpki-rke2-b-');
  const record = async (): Promise<ReadonlyMap<string, { content: Uint8Array }>> => {
    const store = await openDatastore(cluster.url, {
      defaultDir: '/x',
      caFile: cluster.pki.ca,
      certFile: cluster.pki.clientCert,
      keyFile: cluster.pki.clientKey,
    });
    try {
      return (await loadBootstrapRecord(store, TOKEN)).record;
    } finally {
      await store.close();
    }
  };
  before(async () => {
    cluster = await startEtcdCluster(1);
    ds = [
      '--datastore',
      cluster.url,
      '--datastore-cafile',
      cluster.pki.ca,
      '--datastore-certfile',
      cluster.pki.clientCert,
      '--datastore-keyfile',
      cluster.pki.clientKey,
    ];
  });
  after(async () => cluster?.stop());

  it('A saves its CAs; B restores them and completes its own tree on the same CAs', () => {
    must(['init', '--layout', 'rke2', '--dir', serverA, ...A], false);
    must(['bootstrap', 'save', '--dir', serverA, '--token', TOKEN]);
    must(['bootstrap', 'restore', '--dir', serverB, '--token', TOKEN]);
    must(['init', '--layout', 'rke2', '--dir', serverB, ...B], false);
    assert.deepEqual(
      readFileSync(join(serverB, 'server/tls/server-ca.crt')),
      readFileSync(join(serverA, 'server/tls/server-ca.crt')),
    );
  });

  it('A cross-signs and rotates with --datastore; B restores and renews; both serve leaves of the new CAs', async () => {
    const stage = join(tempDir(), 'stage');
    must(['ca', 'cross-sign', '--layout', 'rke2', '--dir', serverA, '--out', stage], false);
    const rotated = must([
      'rotate-ca',
      '--layout',
      'rke2',
      '--dir',
      serverA,
      '--path',
      stage,
      '--token',
      TOKEN,
      ...A,
    ]);
    assert.match(rotated, /updated "\/bootstrap\/[0-9a-f]{12}" in https:\/\/.* at revision \d+/);
    const stored = await record();
    for (const [field, file] of [
      ['ServerCA', 'server-ca.crt'],
      ['ClientCAKey', 'client-ca.key'],
      ['ServiceKey', 'service.key'],
    ] as const) {
      assert.deepEqual(
        Buffer.from(stored.get(field)?.content ?? []),
        readFileSync(join(stage, 'tls', file)),
        field,
      );
    }
    must(['bootstrap', 'restore', '--dir', serverB, '--token', TOKEN]);
    must(['renew', '--layout', 'rke2', '--dir', serverB, ...B], false);
    for (const file of ['server-ca.crt', 'client-ca.key', 'etcd/peer-ca.crt', 'service.key']) {
      assert.deepEqual(
        readFileSync(join(serverB, 'server/tls', file)),
        readFileSync(join(serverA, 'server/tls', file)),
        file,
      );
    }
    for (const dir of [serverA, serverB]) {
      const tls = join(dir, 'server/tls');
      assert.match(
        openssl([
          'verify',
          '-x509_strict',
          '-CAfile',
          join(tls, 'server-ca.crt'),
          join(tls, 'serving-kube-apiserver.crt'),
        ]),
        /: OK/,
      );
      assert.match(
        openssl([
          'verify',
          '-x509_strict',
          '-CAfile',
          join(tls, 'client-ca.crt'),
          join(dir, 'agent/client-kubelet.crt'),
        ]),
        /: OK/,
      );
      assert.equal(kpki(['check', '--layout', 'rke2', '--dir', dir]).status, 0, dir);
    }
  });

  it("two servers rotating at once: exactly one wins, the loser is unchanged, the record is the winner's whole", async () => {
    const stages = [serverA, serverB].map((dir) => {
      const stage = join(tempDir(), 'stage');
      must(['ca', 'cross-sign', '--layout', 'rke2', '--dir', dir, '--out', stage], false);
      return stage;
    });
    const before = [hashTree(serverA), hashTree(serverB)];
    const outcomes = await Promise.all(
      [serverA, serverB].map((dir, i) =>
        kpkiAsync([
          'rotate-ca',
          '--layout',
          'rke2',
          '--dir',
          dir,
          '--path',
          stages[i] as string,
          '--token',
          TOKEN,
          ...(i === 0 ? A : B),
          ...ds,
        ]),
      ),
    );
    const winners = outcomes.flatMap((outcome, i) => (outcome.status === 0 ? [i] : []));
    assert.equal(winners.length, 1, outcomes.map((o) => o.stderr).join('\n'));
    const winner = winners[0] as number;
    const loser = 1 - winner;
    assert.equal(outcomes[loser]?.status, 1);
    assert.match(outcomes[loser]?.stderr ?? '', /\[RECORD_(CHANGED|DIFFERS)\]/);
    assert.equal(
      hashTree([serverA, serverB][loser] as string),
      before[loser],
      'the loser changed nothing',
    );
    const stored = await record();
    const winnerTls = join([serverA, serverB][winner] as string, 'server/tls');
    for (const [field, file] of [
      ['ServerCA', 'server-ca.crt'],
      ['ServerCAKey', 'server-ca.key'],
      ['ETCDPeerCA', 'etcd/peer-ca.crt'],
      ['RequestHeaderCAKey', 'request-header-ca.key'],
      ['ServiceKey', 'service.key'],
    ] as const) {
      assert.deepEqual(
        Buffer.from(stored.get(field)?.content ?? []),
        readFileSync(join(winnerTls, file)),
        field,
      );
    }
  });
});
