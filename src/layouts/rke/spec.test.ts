import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInputError } from '../../errors.js';
import { parseClusterYaml } from './spec.js';
import { clusterAltNames, firstIp, hostCertName } from './alt-names.js';
import { camelKey, toRkeConfig } from './rke-config.js';

const GOOD = `nodes:
- address: " 10.0.0.1 "
  internal_address: ""
  hostname_override: ""
  role: [controlplane, etcd]
- address: node-2.example.test
  internal_address: 192.168.1.2
  role: [worker]
services:
  kube-api:
    service_cluster_ip_range: 10.43.0.0/16, fd00::/108
cluster_name: ""
`;

describe('cluster.yml spec', () => {
  it('reads nodes, RKE defaults for empty strings, and dual-stack service ranges', () => {
    const spec = parseClusterYaml(GOOD, 'cluster.yml');
    assert.equal(spec.clusterName, 'local');
    assert.equal(spec.clusterDomain, 'cluster.local');
    assert.deepEqual(spec.serviceClusterIpRanges, ['10.43.0.0/16', 'fd00::/108']);
    assert.deepEqual(spec.nodes[0], {
      address: '10.0.0.1',
      internalAddress: undefined,
      hostnameOverride: undefined,
      roles: ['controlplane', 'etcd'],
    });
    assert.equal(spec.externalEtcd, undefined);
    assert.equal(spec.generateServingCertificate, false);
  });

  it('reads the camelCase rkeConfig of a state the same way', () => {
    const spec = parseClusterYaml(
      JSON.stringify({
        nodes: [{ address: '1.2.3.4', internalAddress: '1.2.3.4', role: ['etcd'] }],
        services: {
          kubeApi: { serviceClusterIpRange: '10.50.0.0/16' },
          etcd: { externalUrls: ['https://e:2379'], caCert: 'x' },
        },
      }),
      'state',
    );
    assert.deepEqual(spec.serviceClusterIpRanges, ['10.50.0.0/16']);
    assert.deepEqual(spec.externalEtcd?.urls, ['https://e:2379']);
  });

  const BAD: Record<string, [string, string]> = {
    'invalid YAML': ['nodes: [\n', 'BAD_CLUSTER_YML'],
    'a list at the top level': ['- a\n- b\n', 'BAD_CLUSTER_YML'],
    'a node without an address': ['nodes:\n- role: [worker]\n', 'NODE_WITHOUT_ADDRESS'],
    'a node with an empty address': [
      'nodes:\n- address: ""\n  role: [worker]\n',
      'NODE_WITHOUT_ADDRESS',
    ],
    'an unknown role': ['nodes:\n- address: 1.1.1.1\n  role: [master]\n', 'UNKNOWN_ROLE'],
    'sans that are not a list': ['authentication:\n  sans: 1.2.3.4\n', 'BAD_CLUSTER_YML'],
    'a boolean that is a string': [
      'services:\n  kubelet:\n    generate_serving_certificate: "yes"\n',
      'BAD_CLUSTER_YML',
    ],
  };
  for (const [sentence, [text, code]] of Object.entries(BAD)) {
    it(`rejects ${sentence} with ${code}`, () => {
      assert.throws(
        () => parseClusterYaml(text, 'cluster.yml'),
        (error: unknown) =>
          error instanceof InvalidInputError &&
          error.code === code &&
          error.message.includes('cluster.yml'),
      );
    });
  }
});

describe('RKE SAN rules', () => {
  it('orders host names, extra SANs, 127.0.0.1, the first service IPs, then the kubernetes names', () => {
    const spec = parseClusterYaml(GOOD, 'cluster.yml');
    const names = clusterAltNames(spec.nodes, 'corp.local', spec.serviceClusterIpRanges, [
      'api.test',
      '9.9.9.9',
    ]);
    assert.deepEqual(names.ip, [
      '10.0.0.1',
      '192.168.1.2',
      '9.9.9.9',
      '127.0.0.1',
      '10.43.0.1',
      'fd00::1',
    ]);
    assert.deepEqual(names.dns, [
      'node-2.example.test',
      'api.test',
      'localhost',
      'kubernetes',
      'kubernetes.default',
      'kubernetes.default.svc',
      'kubernetes.default.svc.corp.local',
    ]);
  });

  it('takes the network address plus one, whatever host bits the range has', () => {
    assert.equal(firstIp('10.43.7.9/16'), '10.43.0.1');
    assert.equal(firstIp('fd00:43::ff/112'), 'fd00:43::1');
    assert.throws(() => firstIp('10.43.0.0'), InvalidInputError);
    assert.throws(() => firstIp('10.43.0.0/33'), InvalidInputError);
  });

  it('names per-host certificates after the internal address when it differs, dots as dashes', () => {
    const [first, second] = parseClusterYaml(GOOD, 'cluster.yml').nodes;
    assert.ok(first && second);
    assert.equal(hostCertName('kube-etcd', first), 'kube-etcd-10-0-0-1');
    assert.equal(hostCertName('kube-kubelet', second), 'kube-kubelet-192-168-1-2');
  });
});

describe('rkeConfig conversion', () => {
  it('camel-cases struct keys but not free-form map keys, and drops empty values', () => {
    assert.equal(camelKey('kube-api'), 'kubeApi');
    assert.equal(camelKey('service_cluster_ip_range'), 'serviceClusterIpRange');
    const config = toRkeConfig(
      'services:\n  etcd:\n    extra_args:\n      election-timeout: "5000"\n    path: ""\nnodes:\n- address: 1.1.1.1\n  ssh_key_path: ~/.ssh/id\n',
    );
    assert.deepEqual(config, {
      services: { etcd: { extraArgs: { 'election-timeout': '5000' } } },
      nodes: [{ address: '1.1.1.1', sshKeyPath: '~/.ssh/id' }],
    });
  });
});
