/**
 * config.yaml as the K3s/RKE2 server merges it (drop-ins, `key+:`, flags), the spec remembered in
 * the data dir, and invalid SANs named — through the built CLI, judged by openssl.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dropInNames, mergeRke2Configs, withFlags } from '../../src/layouts/rke2/config-merge.js';
import { kpki, openssl, tempDir } from '../support/tools.js';

function sans(dir: string): string {
  return openssl([
    'x509',
    '-noout',
    '-ext',
    'subjectAltName',
    '-in',
    join(dir, 'server/tls/serving-kube-apiserver.crt'),
  ]);
}

const MERGES: Record<string, { files: string[]; flags?: string[]; tlsSans: string[] }> = {
  'a drop-in replaces a key of the main file': {
    files: ['tls-san: [a.example]\n', 'tls-san: [b.example]\n'],
    tlsSans: ['b.example'],
  },
  'a key+ drop-in appends to the main file': {
    files: ['tls-san: [a.example]\n', 'tls-san+: [b.example]\n', 'tls-san+: c.example\n'],
    tlsSans: ['a.example', 'b.example', 'c.example'],
  },
  'a key+ string appends with a comma': {
    files: ['tls-san: a.example\n', 'tls-san+: b.example\n'],
    tlsSans: ['a.example', 'b.example'],
  },
  'a key+ without an earlier value is the value': {
    files: ['node-name: node1\n', 'tls-san+: [b.example]\n'],
    tlsSans: ['b.example'],
  },
  'a later plain key resets what earlier key+ accumulated': {
    files: ['tls-san: [a]\n', 'tls-san+: [b]\n', 'tls-san: [c]\n'],
    tlsSans: ['c'],
  },
  '--tls-san flags add to the files': {
    files: ['tls-san: [a.example]\n'],
    flags: ['f.example'],
    tlsSans: ['a.example', 'f.example'],
  },
};

describe('K3s/RKE2 config merging', () => {
  for (const [name, { files, flags, tlsSans }] of Object.entries(MERGES))
    it(name, () => {
      const merged = mergeRke2Configs(files.map((text, i) => ({ source: `f${i}.yaml`, text })));
      const spec = withFlags(merged, flags === undefined ? {} : { tlsSans: flags });
      assert.deepEqual(spec.tlsSans, tlsSans);
    });

  it('a scalar go-yaml reads as a boolean is its Go text, as K3s turns it into a flag', () => {
    assert.equal(
      mergeRke2Configs([{ source: 'c.yaml', text: 'node-name: n\n' }]).nodeName,
      'false',
    );
  });

  it('drop-ins are *.yaml only, in lexical (byte) order', () => {
    assert.deepEqual(dropInNames(['b.yaml', '10-x.yaml', 'A.yaml', 'a.yml', 'c.yaml.bak']), [
      '10-x.yaml',
      'A.yaml',
      'b.yaml',
    ]);
  });

  it('init reads config.yaml.d, rotate without --config keeps every SAN, bad SANs are named', () => {
    const dir = tempDir();
    const etc = tempDir();
    const config = join(etc, 'config.yaml');
    writeFileSync(config, 'tls-san:\n  - main.example\n  - "bad name!"\n');
    mkdirSync(join(etc, 'config.yaml.d'));
    writeFileSync(join(etc, 'config.yaml.d', '20-vip.yaml'), 'tls-san+: [192.0.2.50]\n');
    writeFileSync(
      join(etc, 'config.yaml.d', '10-lb.yaml'),
      'tls-san+:\n  - lb.example\n  - ünï.example\n',
    );
    const init = kpki(['init', '--layout', 'k3s', '--dir', dir, '--config', config]);
    assert.equal(init.status, 0, init.stderr);
    assert.match(init.stderr + init.stdout, /"bad name!", "ünï\.example" are neither/);
    const before = sans(dir);
    for (const want of [/DNS:main\.example/, /DNS:lb\.example/, /IP Address:192\.0\.2\.50/])
      assert.match(before, want);
    assert.ok(
      before.indexOf('main.example') < before.indexOf('lb.example'),
      'main file first, then drop-ins',
    );
    const rotate = kpki(['rotate', '--layout', 'k3s', '--dir', dir, '--service', 'api-server']);
    assert.equal(rotate.status, 0, rotate.stderr);
    assert.equal(sans(dir), before);
  });
});
