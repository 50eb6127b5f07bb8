// The default embedded store through the CLI: no server, the record kept under the data dir.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { caPair } from '../support/ca-pair.js';
import { hashTree, kpki, tempDir } from '../support/tools.js';

describe('bootstrap save/restore on the embedded store', () => {
  it('reads the token from server/token, keeps the store under server/db/kpki, and restores a deleted file', () => {
    const dir = tempDir('kpki-k3s-');
    mkdirSync(join(dir, 'server/tls/etcd'), { recursive: true });
    mkdirSync(join(dir, 'server/cred'), { recursive: true });
    writeFileSync(join(dir, 'server/token'), `K10${'cd'.repeat(32)}::server:embedded-pw\n`);
    const ca = caPair('server-ca');
    const sa = caPair('sa').key;
    writeFileSync(join(dir, 'server/tls/server-ca.crt'), ca.cert);
    writeFileSync(join(dir, 'server/tls/service.key'), sa);
    const saved = kpki(['bootstrap', 'save', '--layout', 'k3s', '--dir', dir]);
    assert.equal(saved.status, 0, saved.stderr);
    assert.match(saved.stderr, /skipped "server\/tls\/client-ca\.crt": not on disk/);
    assert.ok(!(saved.stdout + saved.stderr).includes('embedded-pw'));
    assert.equal(statSync(join(dir, 'server/db/kpki/datastore.json')).mode & 0o777, 0o600);
    const shared = readFileSync(join(dir, 'server/db/kpki/datastore.json'), 'utf8');
    assert.ok(
      !shared.includes(Buffer.from(ca.cert).toString('base64').slice(0, 40)),
      'the record is stored encrypted',
    );
    writeFileSync(join(dir, 'server/tls/service.key'), '');
    const restored = kpki(['bootstrap', 'restore', '--layout', 'k3s', '--dir', dir]);
    assert.equal(restored.status, 0, restored.stderr);
    assert.equal(readFileSync(join(dir, 'server/tls/service.key'), 'utf8'), sa);
  });

  it('a file:///dir store is shared by two data dirs; no token anywhere is a usage error', () => {
    const store = tempDir('kpki-store-');
    const a = tempDir('kpki-k3s-');
    mkdirSync(join(a, 'server/tls'), { recursive: true });
    const clientCa = caPair('client-ca').cert;
    writeFileSync(join(a, 'server/tls/client-ca.crt'), clientCa);
    assert.equal(
      kpki(['bootstrap', 'save', '--dir', a, '--token', 'pw', '--datastore', `file://${store}`])
        .status,
      0,
    );
    const b = tempDir('kpki-k3s-');
    assert.equal(
      kpki(['bootstrap', 'restore', '--dir', b, '--token', 'pw', '--datastore', `file://${store}`])
        .status,
      0,
    );
    assert.equal(readFileSync(join(b, 'server/tls/client-ca.crt'), 'utf8'), clientCa);
    const none = kpki([
      'bootstrap',
      'restore',
      '--dir',
      tempDir(),
      '--datastore',
      `file://${store}`,
    ]);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /no token: pass --token/);
    const badUrl = kpki([
      'bootstrap',
      'save',
      '--dir',
      a,
      '--token',
      'pw',
      '--datastore',
      'ftp://x',
    ]);
    assert.equal(badUrl.status, 2);
    assert.ok(!existsSync(join(a, 'server/db')));
  });
});

describe('bootstrap restore checks the record before writing (issue #13, hole 5)', () => {
  const token = `K10${'ef'.repeat(32)}::server:record-pw`;
  /** A server with real CA pairs saved to its embedded store; `spoil` edits its files before the save. */
  function savedServer(spoil: (dir: string) => void): string {
    const dir = tempDir('kpki-rke2-');
    mkdirSync(join(dir, 'server/tls/etcd'), { recursive: true });
    mkdirSync(join(dir, 'server/cred'), { recursive: true });
    for (const name of ['server-ca', 'client-ca']) {
      const pair = caPair(name);
      writeFileSync(join(dir, `server/tls/${name}.crt`), pair.cert);
      writeFileSync(join(dir, `server/tls/${name}.key`), pair.key);
    }
    writeFileSync(join(dir, 'server/tls/service.key'), caPair('sa').key);
    spoil(dir);
    const saved = kpki(['bootstrap', 'save', '--dir', dir, '--token', token]);
    assert.equal(saved.status, 0, saved.stderr);
    return dir;
  }

  for (const [name, spoil, message] of [
    [
      'a ServerCA that is not a certificate',
      (d: string) => writeFileSync(join(d, 'server/tls/server-ca.crt'), 'not a certificate\n'),
      /field "ServerCA" \("server\/tls\/server-ca\.crt"\) (is not a certificate|holds no certificate)/,
    ],
    [
      "a ServerCAKey that is another CA's key",
      (d: string) => writeFileSync(join(d, 'server/tls/server-ca.key'), caPair('other').key),
      /field "ServerCAKey" .* is not the key of the certificate in "ServerCA"/,
    ],
    [
      'a ClientCAKey that is not a key',
      (d: string) => writeFileSync(join(d, 'server/tls/client-ca.key'), 'garbage\n'),
      /field "ClientCAKey" .* (is not a private key|holds no private key)/,
    ],
  ] as const) {
    it(`${name} is refused (BAD_RECORD, exit 3) and the joining server's tree stays as it was`, () => {
      const source = savedServer(spoil);
      const target = tempDir('kpki-rke2-');
      const store = `file://${join(source, 'server/db/kpki')}`;
      const before = hashTree(target);
      const result = kpki([
        'bootstrap',
        'restore',
        '--dir',
        target,
        '--token',
        token,
        '--datastore',
        store,
      ]);
      assert.equal(result.status, 3, result.stderr);
      assert.match(result.stderr, /^error: \[BAD_RECORD\] /m);
      assert.match(result.stderr, message);
      assert.ok(!result.stderr.includes('PRIVATE KEY'), 'no key text in the error');
      assert.equal(hashTree(target), before);
    });
  }
});

describe('token rotate honours --dir, --layout and --datastore (issue #13, hole 6)', () => {
  const token = `K10${'aa'.repeat(32)}::server:old-pw`;
  function savedServer(): string {
    const dir = tempDir('kpki-k3s-');
    mkdirSync(join(dir, 'server/tls'), { recursive: true });
    writeFileSync(join(dir, 'server/tls/client-ca.crt'), caPair('client-ca').cert);
    assert.equal(kpki(['bootstrap', 'save', '--dir', dir, '--token', token]).status, 0);
    return dir;
  }
  const hostDirExisted = existsSync('/var/lib/rancher');

  it('rotates the record in the --dir given (with --layout after the subcommand), not the host default', () => {
    const dir = savedServer();
    const args = ['--dir', dir, '--layout', 'k3s', '--token', token, '--new-token', 'new-pw'];
    const rotated = kpki(['token', 'rotate', ...args]);
    assert.equal(rotated.status, 0, rotated.stderr);
    assert.ok(rotated.stdout.includes(join(dir, 'server/db/kpki')), rotated.stdout);
    assert.ok(!(rotated.stdout + rotated.stderr).includes('old-pw'));
    const fresh = tempDir('kpki-k3s-');
    const store = `file://${join(dir, 'server/db/kpki')}`;
    const restored = kpki([
      'bootstrap',
      'restore',
      '--dir',
      fresh,
      '--token',
      'new-pw',
      '--datastore',
      store,
    ]);
    assert.equal(restored.status, 0, restored.stderr);
  });

  it('never creates a directory: a --dir without a datastore is NO_DATASTORE and stays absent', () => {
    const missing = join(tempDir(), 'no-such-data-dir');
    for (const layout of ['rke2', 'k3s']) {
      const result = kpki([
        'token',
        'rotate',
        '--dir',
        missing,
        '--layout',
        layout,
        '--token',
        token,
        '--new-token',
        'x',
      ]);
      assert.equal(result.status, 1, result.stderr);
      assert.match(result.stderr, /\[NO_DATASTORE\].*no-such-data-dir\/server\/db\/kpki/);
      assert.equal(existsSync(missing), false);
    }
    assert.equal(existsSync('/var/lib/rancher'), hostDirExisted);
  });

  it('--datastore names the store even when --dir is another tree', () => {
    const dir = savedServer();
    const other = tempDir('kpki-k3s-');
    const store = `file://${join(dir, 'server/db/kpki')}`;
    const result = kpki([
      'token',
      'rotate',
      '--dir',
      other,
      '--token',
      token,
      '--new-token',
      'n2',
      '--datastore',
      store,
    ]);
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(readdirSync(other), []);
  });
});
