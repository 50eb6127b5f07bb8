// The default embedded store through the CLI: no server, the record kept under the data dir.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kpki, tempDir } from '../support/tools.js';

describe('bootstrap save/restore on the embedded store', () => {
  it('reads the token from server/token, keeps the store under server/db/kpki, and restores a deleted file', () => {
    const dir = tempDir('kpki-k3s-');
    mkdirSync(join(dir, 'server/tls/etcd'), { recursive: true });
    mkdirSync(join(dir, 'server/cred'), { recursive: true });
    writeFileSync(join(dir, 'server/token'), `K10${'cd'.repeat(32)}::server:embedded-pw\n`);
    writeFileSync(join(dir, 'server/tls/server-ca.crt'), 'ca');
    writeFileSync(join(dir, 'server/tls/service.key'), 'sa');
    const saved = kpki(['bootstrap', 'save', '--layout', 'k3s', '--dir', dir]);
    assert.equal(saved.status, 0, saved.stderr);
    assert.match(saved.stderr, /skipped "server\/tls\/client-ca\.crt": not on disk/);
    assert.ok(!(saved.stdout + saved.stderr).includes('embedded-pw'));
    assert.equal(statSync(join(dir, 'server/db/kpki/datastore.json')).mode & 0o777, 0o600);
    const shared = readFileSync(join(dir, 'server/db/kpki/datastore.json'), 'utf8');
    assert.ok(
      !shared.includes(Buffer.from('ca').toString('base64') + '"'),
      'the record is stored encrypted',
    );
    writeFileSync(join(dir, 'server/tls/service.key'), '');
    const restored = kpki(['bootstrap', 'restore', '--layout', 'k3s', '--dir', dir]);
    assert.equal(restored.status, 0, restored.stderr);
    assert.equal(readFileSync(join(dir, 'server/tls/service.key'), 'utf8'), 'sa');
  });

  it('a file:///dir store is shared by two data dirs; no token anywhere is a usage error', () => {
    const store = tempDir('kpki-store-');
    const a = tempDir('kpki-k3s-');
    mkdirSync(join(a, 'server/tls'), { recursive: true });
    writeFileSync(join(a, 'server/tls/client-ca.crt'), 'client-ca');
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
    assert.equal(readFileSync(join(b, 'server/tls/client-ca.crt'), 'utf8'), 'client-ca');
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
