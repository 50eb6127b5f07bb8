/**
 * Bounded, regular reads (issue #13, hole 4): a FIFO, a device or a huge file where kpki expects
 * a small input is refused at once, with a typed error, no hang and a peak RSS under 200 MB.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KPKI, run, tempDir } from '../support/tools.js';
import { initTree, writeKubeadmConfig } from './fault-commands.js';

const MAX_RSS_KIB = 200 * 1024;

/** Runs kpki under /usr/bin/time with a timeout; status, stderr and peak RSS in KiB. */
function measured(args: readonly string[]): { status: number; stderr: string; rssKib: number } {
  const result = spawnSync('/usr/bin/time', ['-f', 'maxrss=%M', process.execPath, KPKI, ...args], {
    encoding: 'utf8',
    timeout: 30_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(result.error, undefined, `kpki ${args.join(' ')} hung or failed to start`);
  const rssKib = Number(/maxrss=(\d+)/.exec(result.stderr)?.[1] ?? NaN);
  return { status: result.status ?? -1, stderr: result.stderr, rssKib };
}

function assertRefusedSmall(result: { status: number; stderr: string; rssKib: number }): void {
  assert.doesNotMatch(result.stderr, /INTERNAL|\n\s+at /);
  assert.ok(result.rssKib < MAX_RSS_KIB, `peak RSS ${result.rssKib} KiB`);
}

describe('bounded reads', () => {
  let config: string;
  before(() => {
    config = writeKubeadmConfig();
  });

  for (const [name, target] of [
    ['/dev/zero', () => '/dev/zero'],
    [
      'a FIFO',
      () => {
        const fifo = join(tempDir(), 'fifo');
        run('mkfifo', [fifo]);
        return fifo;
      },
    ],
  ] as const) {
    it(`check: a kubeconfig whose client-certificate is ${name} is a problem, quickly`, () => {
      const dir = initTree(config);
      const path = join(dir, 'admin.conf');
      const text = readFileSync(path, 'utf8');
      writeFileSync(
        path,
        text.replace(/client-certificate-data: \S+/, `client-certificate: ${target()}`),
      );
      const result = measured(['check', '--dir', dir]);
      assert.notEqual(result.status, 0, result.stderr);
      assertRefusedSmall(result);
    });
  }

  it('verify /dev/urandom is refused as not a file', () => {
    const result = measured(['verify', '/dev/urandom', '--ca', '/dev/urandom']);
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /NOT_REGULAR|not a file/);
    assertRefusedSmall(result);
  });

  it('a 30 MB config.yaml scalar is refused as too large', () => {
    const cfg = join(tempDir(), 'config.yaml');
    writeFileSync(cfg, `token: ${'a'.repeat(30 * 1024 * 1024)}\n`);
    const result = measured(['init', '--layout', 'rke2', '--dir', tempDir(), '--config', cfg]);
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /larger than 4 MiB/);
    assertRefusedSmall(result);
  });

  it('a sparse 1 GiB file in the tree is refused without reading it', () => {
    const dir = initTree(config);
    truncateSync(join(dir, 'pki/ca.crt'), 1024 * 1024 * 1024);
    const result = measured(['check', '--dir', dir]);
    assert.notEqual(result.status, 0);
    assertRefusedSmall(result);
  });

  for (const [name, make] of [
    ['a FIFO', (path: string) => run('mkfifo', [path])],
    ['a 64 MiB file', (path: string) => writeFileSync(path, Buffer.alloc(64 * 1024 * 1024, 65))],
  ] as const) {
    it(`the token file, a staged file and the datastore CA file as ${name} are refused quickly`, () => {
      const dir = tempDir();
      run('mkdir', ['-p', join(dir, 'server/tls')]);
      make(join(dir, 'server/token'));
      const token = measured(['bootstrap', 'save', '--dir', dir]);
      assert.equal(token.status, name === 'a FIFO' ? 1 : 3, token.stderr);
      assert.match(token.stderr, /\[(NOT_REGULAR|TOO_LARGE)\].*server\/token/);
      assertRefusedSmall(token);
      const rotate = measured(['token', 'rotate', '--dir', dir, '--new-token', 'n']);
      assert.match(rotate.stderr, /\[(NOT_REGULAR|TOO_LARGE)\].*server\/token/);
      assertRefusedSmall(rotate);
      const staged = tempDir();
      make(join(staged, 'server-ca.crt'));
      const rke2 = tempDir();
      assert.equal(
        run(process.execPath, [KPKI, 'init', '--layout', 'rke2', '--dir', rke2, '--node-name', 'n'])
          .status,
        0,
      );
      const path = measured(['rotate-ca', '--dir', rke2, '--path', staged]);
      assert.notEqual(path.status, 0, path.stderr);
      assert.match(path.stderr, /server-ca\.crt/);
      assertRefusedSmall(path);
      const ca = join(tempDir(), 'ca.pem');
      make(ca);
      const etcd = measured([
        'bootstrap',
        'save',
        '--dir',
        dir,
        '--token',
        't',
        '--datastore',
        'https://127.0.0.1:1',
        '--datastore-cafile',
        ca,
      ]);
      assert.match(etcd.stderr, /\[UNREADABLE\] cannot read the datastore CA/);
      assertRefusedSmall(etcd);
    });
  }
});
