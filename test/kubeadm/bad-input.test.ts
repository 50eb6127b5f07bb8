/**
 * Bad input gets a clear error naming the object and path, a non-zero exit code, no secret in the
 * output, and no change on disk.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';

import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { hashTree, kpki, tempDir } from '../support/tools.js';
import { keyPairSync } from '../support/key-pair.js';

let pristine: string;
before(() => {
  pristine = tempDir();
  const result = kpki([
    'init',
    '--dir',
    pristine,
    '--node-name',
    'cp1',
    '--apiserver-advertise-address',
    '10.0.0.5',
  ]);
  assert.equal(result.status, 0, result.stderr);
});

function copy(): string {
  const dir = tempDir();
  cpSync(pristine, dir, { recursive: true });
  return dir;
}

const otherRsa = (): string =>
  keyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs1', format: 'pem' })
    .toString();

interface Case {
  readonly damage: (dir: string) => void;
  readonly args: readonly string[];
  readonly status: number;
  readonly message: RegExp;
}

const CASES: Record<string, Case> = {
  'malformed PEM in a leaf certificate': {
    damage: (d) =>
      writeFileSync(
        join(d, 'pki/apiserver.crt'),
        '-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n',
      ),
    args: ['renew', 'apiserver'],
    status: 3,
    message: /\[BROKEN_ENTRY\] cannot renew "apiserver": malformed PEM in "pki\/apiserver.crt"/,
  },
  'a truncated CA certificate': {
    damage: (d) =>
      writeFileSync(
        join(d, 'pki/ca.crt'),
        readFileSync(join(d, 'pki/ca.crt'), 'utf8').slice(0, 200),
      ),
    args: ['renew', 'all'],
    status: 3,
    message: /cannot use "ca": malformed PEM in "pki\/ca.crt": block "CERTIFICATE" is truncated/,
  },
  'a CA key of the wrong type (Ed25519)': {
    damage: (d) =>
      writeFileSync(
        join(d, 'pki/ca.key'),
        keyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      ),
    args: ['renew', 'apiserver'],
    status: 3,
    message: /the key in "pki\/ca.key" is ed25519; only RSA and ECDSA/,
  },
  'a CA key that does not match the CA certificate': {
    damage: (d) => writeFileSync(join(d, 'pki/ca.key'), otherRsa()),
    args: ['renew', 'apiserver'],
    status: 3,
    message: /"pki\/ca.key" does not match "pki\/ca.crt"/,
  },
  'an encrypted CA key': {
    damage: (d) =>
      writeFileSync(
        join(d, 'pki/ca.key'),
        keyPairSync('rsa', { modulusLength: 2048 })
          .privateKey.export({
            type: 'pkcs8',
            format: 'pem',
            cipher: 'aes-256-cbc',
            passphrase: 'hunter2hunter2',
          })
          .toString(),
      ),
    args: ['renew', 'apiserver'],
    status: 3,
    message: /the private key in "pki\/ca.key" is encrypted/,
  },
  'an unreadable certificate file (a directory in its place)': {
    damage: (d) => {
      rmSync(join(d, 'pki/front-proxy-ca.crt'));
      mkdirSync(join(d, 'pki/front-proxy-ca.crt'));
    },
    args: ['renew', 'front-proxy-client'],
    status: 3,
    message: /cannot read ".*pki\/front-proxy-ca.crt": EISDIR/,
  },
  'an unknown certificate name': {
    damage: () => undefined,
    args: ['renew', 'apiserver', 'kube-proxy'],
    status: 2,
    message: /\[UNKNOWN_NAME\] unknown certificate name "kube-proxy"/,
  },
  'an existing leaf whose key does not match (init never overwrites)': {
    damage: (d) => writeFileSync(join(d, 'pki/apiserver.key'), otherRsa()),
    args: ['init', '--node-name', 'cp1'],
    status: 3,
    message:
      /\[INVALID_EXISTING\] "apiserver" exists but is not usable: key "pki\/apiserver.key" does not match/,
  },
  'a kubeconfig trusting another CA (init)': {
    damage: (d) =>
      writeFileSync(
        join(d, 'scheduler.conf'),
        readFileSync(join(d, 'scheduler.conf'), 'utf8').replace(
          /certificate-authority-data: \S+/,
          `certificate-authority-data: ${Buffer.from(readFileSync(join(d, 'pki/front-proxy-ca.crt'))).toString('base64')}`,
        ),
      ),
    args: ['init', '--node-name', 'cp1'],
    status: 3,
    message:
      /"scheduler.conf" exists but is not usable: .*certificate-authority-data differs from "pki\/ca.crt"/,
  },
  'a malformed --config': {
    damage: (d) =>
      writeFileSync(
        join(d, 'bad.yaml'),
        'apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nnetworking: { serviceSubnets: x }\n',
      ),
    args: ['renew', 'all', '--config', '@/bad.yaml'],
    status: 3,
    message: /\[BAD_CONFIG\] .*networking\.serviceSubnets: unknown field/,
  },
  'a bad duration flag': {
    damage: () => undefined,
    args: ['renew', 'all', '--expiring-within', 'soon'],
    status: 3,
    message: /--expiring-within: "soon" is not a duration/,
  },
};

describe('bad input: clear error, exit code, nothing changed, nothing secret printed', () => {
  for (const [name, c] of Object.entries(CASES)) {
    it(name, () => {
      const dir = copy();
      c.damage(dir);
      const before_ = hashTree(dir, true);
      const result = kpki([...c.args.map((a) => a.replace('@', dir)), '--dir', dir]);
      assert.equal(result.status, c.status, result.stderr);
      assert.match(result.stderr, c.message);
      assert.doesNotMatch(
        result.stdout + result.stderr,
        /PRIVATE KEY|MII[A-Za-z0-9+/]{20}|hunter2/,
      );
      const after = hashTree(dir, true);
      // The lock file comes and goes; nothing else under the tree may differ.
      assert.equal(after, before_);
    });
  }

  it('prints errors as JSON with -o json', () => {
    const result = kpki(['renew', 'nope', '--dir', pristine, '-o', 'json']);
    assert.equal(result.status, 2);
    const body = JSON.parse(result.stdout) as {
      error: { code: string; message: string; hint: string };
    };
    assert.equal(body.error.code, 'UNKNOWN_NAME');
    assert.match(body.error.hint, /valid names: all, admin.conf/);
  });

  it('a tree that does not exist is a clear error', () => {
    const result = kpki(['check', '--dir', join(pristine, 'nowhere')]);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /\[NO_TREE\] ".*nowhere" is not a directory/);
  });
});

describe('one kpki per tree', () => {
  it('a second mutating command fails with the pid holding the lock; a stale lock is taken over', async () => {
    const dir = copy();
    const sleeper = spawn('sleep', ['30']);
    try {
      writeFileSync(
        join(dir, '.kpki/lock'),
        JSON.stringify({
          pid: sleeper.pid,
          hostname: (await import('node:os')).hostname(),
          startedAt: '2026-01-01T00:00:00Z',
        }),
      );
      const locked = kpki(['renew', 'apiserver', '--dir', dir]);
      assert.equal(locked.status, 1);
      assert.match(
        locked.stderr,
        new RegExp(
          `\\[LOCKED\\] tree ".*" is locked by kpki pid ${sleeper.pid} \\(started 2026-01-01T00:00:00Z\\)`,
        ),
      );
    } finally {
      sleeper.kill();
    }
    await new Promise((resolve) => sleeper.once('exit', resolve));
    const stale = kpki(['renew', 'apiserver', '--dir', dir]);
    assert.equal(stale.status, 0, stale.stderr);
  });
});
