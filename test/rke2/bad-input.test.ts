/**
 * Bad input on an RKE2 data dir: every command that meets a malformed or truncated PEM, a wrong
 * key type, a mismatched pair, an encrypted key, an unreadable file or an unknown name stops with
 * a typed error and a non-zero exit, and the tree is byte for byte what it was.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashTree, kpki, openssl, tempDir } from '../support/tools.js';

const template = tempDir();
assert.equal(kpki(['init', '--layout', 'rke2', '--dir', template, '--node-name', 'cp1']).status, 0);
const spare = join(tempDir(), 'spare.key');
openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', spare]);

/** A fresh copy of the initialised tree, with the kpki state left behind. */
function copyTree(): string {
  const dir = tempDir();
  cpSync(template, dir, { recursive: true });
  rmSync(join(dir, '.kpki'), { recursive: true, force: true });
  return dir;
}

const pemOf = (dir: string, path: string): string => readFileSync(join(dir, path), 'utf8');

interface Case {
  readonly damage: (dir: string) => void;
  readonly args: readonly string[];
  readonly exit: number;
  readonly code: RegExp;
}

const CASES: Record<string, Case> = {
  'renew: a malformed leaf certificate (bad base64)': {
    damage: (d) =>
      writeFileSync(
        join(d, 'server/tls/client-admin.crt'),
        '-----BEGIN CERTIFICATE-----\n@@not base64@@\n-----END CERTIFICATE-----\n',
      ),
    args: ['renew'],
    exit: 3,
    code: /\[BAD_PEM\] malformed PEM in "server\/tls\/client-admin\.crt"/,
  },
  'renew: a truncated leaf certificate': {
    damage: (d) =>
      writeFileSync(
        join(d, 'server/tls/etcd/client.crt'),
        pemOf(d, 'server/tls/etcd/client.crt').slice(0, 300),
      ),
    args: ['renew', '--expiring-within', '400d'],
    exit: 3,
    code: /\[BAD_PEM\].*truncated/,
  },
  'renew: a leaf key of the wrong type (Ed25519)': {
    damage: (d) =>
      openssl(['genpkey', '-algorithm', 'ed25519', '-out', join(d, 'agent/client-kubelet.key')]),
    args: ['renew'],
    exit: 3,
    code: /\[WRONG_KEY_TYPE\]/,
  },
  'renew: a key that does not belong to its certificate': {
    damage: (d) => writeFileSync(join(d, 'server/tls/client-scheduler.key'), readFileSync(spare)),
    args: ['renew', '--expiring-within', '400d'],
    exit: 3,
    code: /\[KEY_MISMATCH\].*client-scheduler\.key/,
  },
  'renew: an unreadable certificate (a directory in its place)': {
    damage: (d) => {
      rmSync(join(d, 'server/tls/client-supervisor.crt'));
      mkdirSync(join(d, 'server/tls/client-supervisor.crt'));
    },
    args: ['renew'],
    exit: 1,
    code: /\[UNREADABLE\]/,
  },
  'rotate: an encrypted CA key': {
    damage: (d) =>
      openssl([
        'ec',
        '-in',
        join(d, 'server/tls/client-ca.key'),
        '-aes256',
        '-passout',
        'pass:secret',
        '-out',
        join(d, 'server/tls/client-ca.key'),
      ]),
    args: ['rotate', '--service', 'admin'],
    exit: 3,
    code: /\[ENCRYPTED_KEY\]/,
  },
  'rotate: a truncated CA certificate': {
    damage: (d) =>
      writeFileSync(
        join(d, 'server/tls/server-ca.crt'),
        pemOf(d, 'server/tls/server-ca.crt').slice(0, 120),
      ),
    args: ['rotate', '--service', 'api-server'],
    exit: 3,
    code: /\[BAD_PEM\]/,
  },
  'rotate: a CA key that does not match its certificate': {
    damage: (d) => writeFileSync(join(d, 'server/tls/etcd/peer-ca.key'), readFileSync(spare)),
    args: ['rotate', '--service', 'etcd'],
    exit: 3,
    code: /\[CA_KEY_MISMATCH\]/,
  },
  'init: an existing leaf whose key does not match': {
    damage: (d) => writeFileSync(join(d, 'agent/serving-kubelet.key'), readFileSync(spare)),
    args: ['init', '--layout', 'rke2', '--node-name', 'cp1'],
    exit: 3,
    code: /\[INVALID_EXISTING\].*does not match/,
  },
  'init: a CA certificate without its key': {
    damage: (d) => rmSync(join(d, 'server/tls/request-header-ca.key')),
    args: ['init', '--layout', 'rke2'],
    exit: 1,
    code: /\[CA_INCOMPLETE\]/,
  },
  'check: an unknown service name': {
    damage: () => undefined,
    args: ['check', '--service', 'apiserver'],
    exit: 2,
    code: /\[UNKNOWN_NAME\] service "apiserver" is not recognized/,
  },
  'renew: an unknown service name': {
    damage: () => undefined,
    args: ['renew', 'kube-proxyy'],
    exit: 2,
    code: /\[UNKNOWN_NAME\]/,
  },
  'token: a malformed server CA': {
    damage: (d) => writeFileSync(join(d, 'server/tls/server-ca.crt'), 'garbage'),
    args: ['token', '--password', 'x'],
    exit: 3,
    code: /\[NO_CERT\]/,
  },
  'sa-key rotate: a truncated service.key': {
    damage: (d) =>
      writeFileSync(
        join(d, 'server/tls/service.key'),
        pemOf(d, 'server/tls/service.key').slice(0, 400),
      ),
    args: ['sa-key', 'rotate'],
    exit: 3,
    code: /\[BAD_PEM\]/,
  },
  'check: --renewal-window that is not a duration': {
    damage: () => undefined,
    args: ['check', '--renewal-window', 'soon'],
    exit: 3,
    code: /\[BAD_DURATION\]/,
  },
};

describe('rke2 bad input: a typed error, a non-zero exit, nothing changed', () => {
  for (const [name, c] of Object.entries(CASES)) {
    it(name, () => {
      const dir = copyTree();
      c.damage(dir);
      const before = hashTree(dir);
      const [command = '', ...rest] = c.args;
      const args =
        command === 'sa-key'
          ? ['sa-key', rest[0] ?? '', '--dir', dir, ...rest.slice(1)]
          : [command, '--dir', dir, ...rest];
      const result = kpki(args);
      assert.equal(result.status, c.exit, `${result.stdout}\n${result.stderr}`);
      assert.match(result.stderr, c.code);
      assert.doesNotMatch(
        result.stderr,
        /BEGIN [A-Z ]*PRIVATE KEY|MHcCAQEE/,
        'no key material in messages',
      );
      assert.equal(hashTree(dir), before);
    });
  }

  it('check keeps reporting the readable files, names the broken one and exits 3', () => {
    const dir = copyTree();
    writeFileSync(
      join(dir, 'server/tls/client-admin.crt'),
      pemOf(dir, 'server/tls/client-admin.crt').slice(0, 200),
    );
    const result = kpki(['check', '--dir', dir, '-o', 'table']);
    assert.equal(result.status, 3);
    assert.match(result.stderr, /error: malformed PEM in "server\/tls\/client-admin\.crt"/);
    assert.match(result.stdout, /client-kube-apiserver\.crt +system:apiserver/);
    assert.doesNotMatch(result.stdout, /client-admin\.crt/);
  });

  it('check flags a leaf whose key does not match, with exit 3', () => {
    const dir = copyTree();
    writeFileSync(join(dir, 'server/tls/client-controller.key'), readFileSync(spare));
    const result = kpki(['check', '--dir', dir]);
    assert.equal(result.status, 3);
    assert.match(
      result.stderr,
      /key "server\/tls\/client-controller\.key" does not match certificate "server\/tls\/client-controller\.crt"/,
    );
  });
});
