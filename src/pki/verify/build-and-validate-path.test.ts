import 'reflect-metadata';
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as x509 from '@peculiar/x509';
import { buildAndValidatePath } from './index.js';
import type { BuildAndValidatePathParams, FailureCode } from './index.js';
import { T0, T1, issue, makeChain } from '../../../test/support/make-chain.js';
import type { Issued, KeyAlg } from '../../../test/support/make-chain.js';

const NOW = new Date('2026-06-01T12:00:00Z');
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

type Expectation =
  | { params: BuildAndValidatePathParams; valid: true }
  | { params: BuildAndValidatePathParams; code: FailureCode; reason?: RegExp };
type Scenario = () => Expectation | Promise<Expectation>;

let chain: { root: Issued; ica: Issued; leaf: Issued };
before(async () => {
  chain = await makeChain('api.example.test');
});

const base = (over: Partial<BuildAndValidatePathParams> = {}): BuildAndValidatePathParams => ({
  leaf: chain.leaf.der,
  intermediates: [chain.ica.der],
  anchors: [chain.root.der],
  time: NOW,
  purpose: 'server',
  host: 'api.example.test',
  ...over,
});

async function leafWith(o: Partial<Parameters<typeof issue>[0]>): Promise<Uint8Array> {
  return (await issue({ subject: 'CN=leaf', issuer: chain.ica, dns: ['api.example.test'], ...o }))
    .der;
}

const scenarios: Record<string, Scenario> = {
  'a root -> intermediate -> leaf chain is valid': () => ({ params: base(), valid: true }),
  'the leaf is valid exactly at notAfter (RFC 5280 inclusive bound)': () => ({
    params: base({ time: T1 }),
    valid: true,
  }),
  'the leaf is expired one second after notAfter, and the reason says when': () => ({
    params: base({ time: new Date(T1.getTime() + 1000) }),
    code: 'EXPIRED',
    reason: /certificate "CN=api.example.test" expired at 2035-01-01T00:00:00Z/,
  }),
  'the leaf is not yet valid one second before notBefore': () => ({
    params: base({ time: new Date(T0.getTime() - 1000) }),
    code: 'NOT_YET_VALID',
  }),
  'an intermediate that expired makes the path invalid': async () => {
    const ica = await issue({
      subject: 'CN=Old ICA',
      ca: true,
      issuer: chain.root,
      notAfter: new Date('2026-01-01T00:00:00Z'),
    });
    const leaf = await issue({ subject: 'CN=l', issuer: ica, dns: ['api.example.test'] });
    return {
      params: base({ leaf: leaf.der, intermediates: [ica.der] }),
      code: 'EXPIRED',
      reason: /"CN=Old ICA" expired/,
    };
  },
  'another host name does not match': () => ({
    params: base({ host: 'other.example.test' }),
    code: 'NAME_MISMATCH',
  }),
  'a wildcard matches one leftmost label only': async () => ({
    params: base({ leaf: await leafWith({ dns: ['*.example.test'] }), host: 'a.example.test' }),
    valid: true,
  }),
  'a wildcard does not match two labels': async () => ({
    params: base({ leaf: await leafWith({ dns: ['*.example.test'] }), host: 'a.b.example.test' }),
    code: 'NAME_MISMATCH',
  }),
  'an IP SAN matches the IP asked for': async () => {
    const leaf = await leafWith({ ips: ['10.96.0.1'] });
    return {
      params: {
        leaf,
        intermediates: [chain.ica.der],
        anchors: [chain.root.der],
        time: NOW,
        ip: '10.96.0.1',
      },
      valid: true,
    };
  },
  'a client-only EKU is refused for server use': async () => ({
    params: base({ leaf: await leafWith({ eku: [CLIENT_AUTH] }) }),
    code: 'EXTENDED_KEY_USAGE',
  }),
  'a client-only EKU is fine for client use': async () => ({
    params: base({ leaf: await leafWith({ eku: [CLIENT_AUTH] }), purpose: 'client' }),
    valid: true,
  }),
  'an EKU on the intermediate constrains the leaf': async () => {
    const ica = await issue({
      subject: 'CN=Client ICA',
      ca: true,
      issuer: chain.root,
      eku: [CLIENT_AUTH],
    });
    const leaf = await issue({
      subject: 'CN=l',
      issuer: ica,
      dns: ['api.example.test'],
      eku: [SERVER_AUTH],
    });
    return {
      params: base({ leaf: leaf.der, intermediates: [ica.der] }),
      code: 'EXTENDED_KEY_USAGE',
    };
  },
  'a non-CA intermediate cannot issue': async () => {
    const ica = await issue({ subject: 'CN=Not A CA', issuer: chain.root });
    const leaf = await issue({ subject: 'CN=l', issuer: ica, dns: ['api.example.test'] });
    return {
      params: base({ leaf: leaf.der, intermediates: [ica.der], policy: { profile: 'compat' } }),
      code: 'NOT_A_CA',
    };
  },
  'pathLen 0 on the intermediate forbids another CA below it': async () => {
    const sub = await issue({ subject: 'CN=Sub CA', ca: true, issuer: chain.ica });
    const leaf = await issue({ subject: 'CN=l', issuer: sub, dns: ['api.example.test'] });
    return {
      params: base({ leaf: leaf.der, intermediates: [chain.ica.der, sub.der] }),
      code: 'PATH_LENGTH_EXCEEDED',
    };
  },
  'an excluded DNS subtree also catches a wildcard SAN that could match into it': async () => {
    const ica = await issue({
      subject: 'CN=NC ICA',
      ca: true,
      issuer: chain.root,
      excludedDns: ['secret.example.test'],
    });
    const leaf = await issue({ subject: 'CN=l', issuer: ica, dns: ['*.example.test'] });
    return {
      params: base({ leaf: leaf.der, intermediates: [ica.der], host: 'www.example.test' }),
      code: 'NAME_CONSTRAINTS',
    };
  },
  'a permitted DNS subtree admits names below it': async () => {
    const ica = await issue({
      subject: 'CN=NC ICA',
      ca: true,
      issuer: chain.root,
      permittedDns: ['example.test'],
    });
    const leaf = await issue({ subject: 'CN=l', issuer: ica, dns: ['api.example.test'] });
    return { params: base({ leaf: leaf.der, intermediates: [ica.der] }), valid: true };
  },
  'an unknown critical extension on the leaf is refused': async () => ({
    params: base({
      leaf: await leafWith({
        extra: [new x509.Extension('1.2.3.4', true, new Uint8Array([5, 0]))],
      }),
    }),
    code: 'UNKNOWN_CRITICAL_EXTENSION',
  }),
  'a missing intermediate leaves the issuer unknown': () => ({
    params: base({ intermediates: [] }),
    code: 'UNKNOWN_ISSUER',
    reason: /no trusted issuer "CN=Test Intermediate"/,
  }),
  'a leaf signed by another key with the same issuer name is refused': async () => {
    const impostor = await issue({ subject: 'CN=Test Intermediate', ca: true, issuer: chain.root });
    const leaf = await issue({
      subject: 'CN=l',
      issuer: impostor,
      dns: ['api.example.test'],
      omitKeyIds: true,
    });
    return {
      params: base({ leaf: leaf.der, policy: { profile: 'compat' } }),
      code: 'BAD_SIGNATURE',
    };
  },
  'garbage as leaf is a MALFORMED_CERTIFICATE result, not a throw': () => ({
    params: base({ leaf: new Uint8Array([0x30, 0x03, 1, 2]) }),
    code: 'MALFORMED_CERTIFICATE',
  }),
  'the strict profile wants key identifiers; compat accepts their absence (kubeadm-era trees)':
    async () => {
      const leaf = await leafWith({ omitKeyIds: true });
      assert.equal(buildAndValidatePath(base({ leaf })).valid, false);
      return { params: base({ leaf, policy: { profile: 'compat' } }), valid: true };
    },
  'a leaf that is itself the anchor is valid alone': async () => {
    const self = await issue({ subject: 'CN=self', dns: ['api.example.test'] });
    return {
      params: base({ leaf: self.der, intermediates: [], anchors: [self.der] }),
      valid: true,
    };
  },
};

describe('buildAndValidatePath', () => {
  for (const [name, scenario] of Object.entries(scenarios)) {
    it(name, async () => {
      const s = await scenario();
      const result = buildAndValidatePath(s.params);
      if ('valid' in s) {
        assert.ok(result.valid, result.valid ? '' : result.reason);
        return;
      }
      assert.ok(!result.valid, 'expected an invalid path');
      assert.equal(result.code, s.code, result.reason);
      if (s.reason) assert.match(result.reason, s.reason);
    });
  }

  for (const alg of ['p256', 'p384', 'rsa', 'rsa-pss', 'ed25519'] as KeyAlg[]) {
    it(`verifies ${alg} signatures`, async () => {
      const c = await makeChain('h.example.test', alg);
      const result = buildAndValidatePath({
        leaf: c.leaf.der,
        intermediates: [c.ica.der],
        anchors: [c.root.der],
        time: NOW,
        host: 'h.example.test',
      });
      assert.ok(result.valid, result.valid ? '' : result.reason);
      assert.deepEqual(
        result.path.map((p) => p.subject),
        ['CN=h.example.test', 'CN=Test Intermediate', 'CN=Test Root'],
      );
    });
  }
});
