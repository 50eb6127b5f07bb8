import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  leafValidityFromEnv,
  parseRke2Config,
  serviceIp,
  defaultRke2Spec,
  advertiseAddressOf,
} from './spec.js';

describe('parseRke2Config', () => {
  it('reads lists as YAML sequences or comma-separated strings, and ignores unrelated keys', () => {
    const spec = parseRke2Config(
      'token: secret\ntls-san:\n  - api.example.com\n  - 10.0.0.100\nnode-ip: 10.0.0.5,fd00::5\nnode-name: Node1\ncluster-domain: corp.local\ndisable-etcd: true\nwrite-kubeconfig-mode: "0644"\n',
      'config.yaml',
    );
    assert.deepEqual(spec, {
      tlsSans: ['api.example.com', '10.0.0.100'],
      nodeIps: ['10.0.0.5', 'fd00::5'],
      nodeName: 'Node1',
      clusterDomain: 'corp.local',
      disableEtcd: true,
    });
  });
  const bad: Record<string, string> = {
    'a YAML syntax error': 'tls-san: [a, b\n',
    'a list that is a mapping': 'tls-san:\n  a: b\n',
    'a boolean that is a string': 'disable-etcd: "yes"\n',
    'a document that is a list': '- a\n- b\n',
  };
  for (const [name, text] of Object.entries(bad)) {
    it(`rejects ${name} with BAD_CONFIG naming the file`, () => {
      assert.throws(
        () => parseRke2Config(text, '/etc/rancher/rke2/config.yaml'),
        (error: Error & { code?: string }) =>
          error.code === 'BAD_CONFIG' && error.message.includes('/etc/rancher/rke2/config.yaml'),
      );
    });
  }
});

describe('spec defaults and derived values', () => {
  const spec = defaultRke2Spec('rke2', '/var/lib/rancher/rke2', {
    hostname: 'CP1',
    address: '10.0.0.5',
  });
  it('uses the distribution defaults and lower-cases the node name', () => {
    assert.equal(spec.nodeName, 'cp1');
    assert.equal(serviceIp(spec), '10.43.0.1');
    assert.equal(spec.leafValidityDays, 365);
  });
  it('advertises --advertise-address, else the first external IP, else the first node IP', () => {
    assert.equal(advertiseAddressOf(spec), '10.0.0.5');
    assert.equal(advertiseAddressOf({ ...spec, nodeExternalIps: ['203.0.113.9'] }), '203.0.113.9');
    assert.equal(
      advertiseAddressOf({
        ...spec,
        nodeExternalIps: ['203.0.113.9'],
        advertiseAddress: '10.9.9.9',
      }),
      '10.9.9.9',
    );
  });
  it('takes the first address of the first (dual-stack) service CIDR and rejects a non-CIDR', () => {
    assert.equal(serviceIp({ ...spec, serviceCidr: 'fd00:43::/112,10.43.0.0/16' }), 'fd00:43::1');
    assert.throws(() => serviceIp({ ...spec, serviceCidr: 'nonsense' }), /service-cidr/);
  });
  it('CATTLE_NEW_SIGNED_CERT_EXPIRATION_DAYS sets the leaf lifetime; a bad value is ignored with a warning', () => {
    assert.deepEqual(leafValidityFromEnv('730'), { days: 730, warning: undefined });
    assert.equal(leafValidityFromEnv(undefined).days, 365);
    const bad = leafValidityFromEnv('two years');
    assert.equal(bad.days, 365);
    assert.match(bad.warning ?? '', /not a number of days/);
  });
});
