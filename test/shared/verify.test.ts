// Runs `kpki verify` as a process through tsx on generated chains and checks exit codes and
// output: 0 with the path, 3 with the reason, clear errors (no stack) for bad input.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeChain } from '../support/make-chain.js';
import { tempDir } from '../support/temp-dir.js';

let dir = '';
const file = (name: string): string => join(dir, name);

function kpki(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'verify', ...args], {
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(async () => {
  dir = tempDir('kpki-verify-');
  const { root, ica, leaf } = await makeChain('api.example.test');
  writeFileSync(file('root.pem'), root.pem);
  writeFileSync(file('ica.pem'), ica.pem);
  writeFileSync(file('leaf.pem'), leaf.pem);
  writeFileSync(file('served.pem'), `${leaf.pem}\n${ica.pem}`);
  writeFileSync(
    file('garbage.pem'),
    '-----BEGIN CERTIFICATE-----\n!!!not base64!!!\n-----END CERTIFICATE-----\n',
  );
});

describe('kpki verify', () => {
  it('exits 0 and prints the path for a valid chain', () => {
    const r = kpki(
      file('leaf.pem'),
      '--ca',
      file('root.pem'),
      '--untrusted',
      file('ica.pem'),
      '--at',
      '2026-01-01T00:00:00Z',
      '--host',
      'api.example.test',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'OK: CN=api.example.test <- CN=Test Intermediate <- CN=Test Root\n');
  });
  it('uses certificates after the leaf in CERT as intermediates', () => {
    const r = kpki(file('served.pem'), '--ca', file('root.pem'), '--at', '2026-01-01T00:00:00Z');
    assert.equal(r.code, 0, r.stderr);
  });
  it('exits 3 with the reason when the leaf has expired', () => {
    const r = kpki(
      file('leaf.pem'),
      '--ca',
      file('root.pem'),
      '--untrusted',
      file('ica.pem'),
      '--at',
      '2040-01-01T00:00:00Z',
    );
    assert.equal(r.code, 3);
    assert.match(
      r.stderr,
      /\[EXPIRED\] .*certificate "CN=api\.example\.test" expired at 2035-01-01T00:00:00Z/,
    );
  });
  it('exits 3 when the host name does not match', () => {
    const r = kpki(
      file('served.pem'),
      '--ca',
      file('root.pem'),
      '--at',
      '2026-01-01T00:00:00Z',
      '--host',
      'evil.example.test',
    );
    assert.equal(r.code, 3);
    assert.match(r.stderr, /NAME_MISMATCH/);
  });
  it('exits 3 with a clear message, not a stack trace, for malformed PEM', () => {
    const r = kpki(file('garbage.pem'), '--ca', file('root.pem'));
    assert.equal(r.code, 3);
    assert.match(
      r.stderr,
      /\[BAD_PEM\] malformed PEM in ".*garbage\.pem": block "CERTIFICATE" has invalid base64/,
    );
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
  it('reports a missing file by path', () => {
    const r = kpki(file('nope.pem'), '--ca', file('root.pem'));
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /\[FILE_UNREADABLE\] cannot read certificate from ".*nope\.pem": ENOENT/,
    );
  });
  it('exits 2 for a bad --at value', () => {
    const r = kpki(file('leaf.pem'), '--ca', file('root.pem'), '--at', 'yesterday');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--at "yesterday" is not a date/);
  });
});
