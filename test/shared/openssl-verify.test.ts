// Differential check against the real `openssl verify -x509_strict` (DESIGN.md: generated chains
// are checked by real openssl). Each scenario must get the same verdict from both, and the one
// the scenario names. Fails, not skips, when openssl is missing.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildAndValidatePath } from '../../src/pki/verify/index.js';
import { issue, makeChain } from '../support/make-chain.js';
import type { Issued } from '../support/make-chain.js';
import { tempDir } from '../support/temp-dir.js';

const AT = new Date('2026-06-01T00:00:00Z');
let dir = '';
let chain: { root: Issued; ica: Issued; leaf: Issued };

interface Case {
  readonly leaf: Issued;
  readonly ica: Issued;
  readonly host: string;
  readonly at: Date;
  readonly valid: boolean;
}

before(async () => {
  dir = tempDir('kpki-openssl-');
  chain = await makeChain('api.example.test');
});

function openssl(c: Case, name: string): boolean {
  const write = (suffix: string, cert: Issued): string => {
    const path = join(dir, `${name}-${suffix}.pem`);
    writeFileSync(path, cert.pem);
    return path;
  };
  const args = [
    'verify',
    '-x509_strict',
    '-purpose',
    'sslserver',
    '-attime',
    String(Math.floor(c.at.getTime() / 1000)),
    '-CAfile',
    write('root', chain.root),
    '-untrusted',
    write('ica', c.ica),
    '-verify_hostname',
    c.host,
    write('leaf', c.leaf),
  ];
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  assert.ok(r.error === undefined, `openssl is required for this test: ${String(r.error)}`);
  return r.status === 0;
}

const scenarios: Record<string, () => Case | Promise<Case>> = {
  'a valid chain': () => ({
    leaf: chain.leaf,
    ica: chain.ica,
    host: 'api.example.test',
    at: AT,
    valid: true,
  }),
  'an expired leaf': () => ({
    leaf: chain.leaf,
    ica: chain.ica,
    host: 'api.example.test',
    at: new Date('2036-01-01T00:00:00Z'),
    valid: false,
  }),
  'a host name the SAN does not cover': () => ({
    leaf: chain.leaf,
    ica: chain.ica,
    host: 'db.example.test',
    at: AT,
    valid: false,
  }),
  'a client-only leaf used as a server': async () => ({
    leaf: await issue({
      subject: 'CN=c',
      issuer: chain.ica,
      dns: ['api.example.test'],
      eku: ['1.3.6.1.5.5.7.3.2'],
    }),
    ica: chain.ica,
    host: 'api.example.test',
    at: AT,
    valid: false,
  }),
  'a SAN inside an excluded subtree': async () => {
    const ica = await issue({
      subject: 'CN=NC ICA',
      ca: true,
      issuer: chain.root,
      excludedDns: ['internal.example.test'],
    });
    const leaf = await issue({ subject: 'CN=x', issuer: ica, dns: ['db.internal.example.test'] });
    return { leaf, ica, host: 'db.internal.example.test', at: AT, valid: false };
  },
  'a SAN inside a permitted subtree': async () => {
    const ica = await issue({
      subject: 'CN=NC ICA',
      ca: true,
      issuer: chain.root,
      permittedDns: ['example.test'],
    });
    const leaf = await issue({ subject: 'CN=x', issuer: ica, dns: ['api.example.test'] });
    return { leaf, ica, host: 'api.example.test', at: AT, valid: true };
  },
};

describe('agreement with openssl verify -x509_strict', () => {
  for (const [name, make] of Object.entries(scenarios)) {
    it(`${name}: both say the same`, async () => {
      const c = await make();
      const ours = buildAndValidatePath({
        leaf: c.leaf.der,
        intermediates: [c.ica.der],
        anchors: [chain.root.der],
        time: c.at,
        purpose: 'server',
        host: c.host,
      });
      const slug = name.replace(/\W+/g, '-');
      assert.equal(openssl(c, slug), c.valid, 'openssl verdict');
      assert.equal(ours.valid, c.valid, ours.valid ? 'kpki accepted' : ours.reason);
    });
  }
});
