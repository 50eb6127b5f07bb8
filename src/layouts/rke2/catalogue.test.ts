import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UnknownNameError } from '../../errors.js';
import { baseSans, rke2Catalogue, serviceCertFiles } from './catalogue.js';
import { allServices, selectServices } from './services.js';
import { defaultRke2Spec, type Rke2Spec } from './spec.js';

const AT = new Date('2026-02-18T13:00:44Z');
const spec = (overrides: Partial<Rke2Spec> = {}): Rke2Spec => ({
  ...defaultRke2Spec('rke2', '/var/lib/rancher/rke2', { hostname: 'cp1', address: '10.0.0.5' }),
  ...overrides,
});

describe('rke2Catalogue', () => {
  it('stamps the five CAs with <prefix>-ca@<unix seconds>', () => {
    const cas = rke2Catalogue(spec(), 'server', AT).cas.map((ca) => [ca.certPath, ca.subject.cn]);
    assert.deepEqual(cas, [
      ['server/tls/server-ca.crt', 'rke2-server-ca@1771419644'],
      ['server/tls/client-ca.crt', 'rke2-client-ca@1771419644'],
      ['server/tls/request-header-ca.crt', 'rke2-request-header-ca@1771419644'],
      ['server/tls/etcd/server-ca.crt', 'etcd-server-ca@1771419644'],
      ['server/tls/etcd/peer-ca.crt', 'etcd-peer-ca@1771419644'],
    ]);
  });

  it('lists the files of each service as §4.13 does (legacy server copies included, kubelet keys only)', () => {
    const catalogue = rke2Catalogue(spec(), 'server', AT);
    const files = Object.fromEntries(
      allServices('rke2').map((service) => [service, serviceCertFiles(catalogue, service)]),
    );
    assert.deepEqual(files, {
      'api-server': [
        'server/tls/client-kube-apiserver.crt',
        'server/tls/serving-kube-apiserver.crt',
      ],
      admin: ['server/tls/client-admin.crt'],
      'auth-proxy': ['server/tls/client-auth-proxy.crt'],
      'cloud-controller': ['server/tls/client-rke2-cloud-controller.crt'],
      'controller-manager': [
        'server/tls/client-controller.crt',
        'server/tls/kube-controller-manager/kube-controller-manager.crt',
      ],
      etcd: [
        'server/tls/etcd/client.crt',
        'server/tls/etcd/server-client.crt',
        'server/tls/etcd/peer-server-client.crt',
      ],
      scheduler: [
        'server/tls/client-scheduler.crt',
        'server/tls/kube-scheduler/kube-scheduler.crt',
      ],
      supervisor: ['server/tls/client-supervisor.crt'],
      'rke2-server': [],
      'kube-proxy': ['server/tls/client-kube-proxy.crt', 'agent/client-kube-proxy.crt'],
      kubelet: ['agent/client-kubelet.crt', 'agent/serving-kubelet.crt'],
      'rke2-controller': [
        'server/tls/client-rke2-controller.crt',
        'agent/client-rke2-controller.crt',
      ],
    });
    assert.deepEqual(
      catalogue.keyFiles.map((key) => key.keyPath),
      [
        'server/tls/client-kube-proxy.key',
        'server/tls/client-kubelet.key',
        'server/tls/serving-kubelet.key',
        'server/tls/client-rke2-controller.key',
      ],
    );
  });

  it('builds the shared SAN list in K3s order: tls-san, loopback, node name, node IPs, advertise address, service IP', () => {
    const sans = baseSans(
      spec({
        tlsSans: ['api.example.com', '192.0.2.10'],
        nodeIps: ['10.0.0.5', 'fd00::5'],
        nodeExternalIps: ['203.0.113.7'],
      }),
    );
    assert.deepEqual(sans, {
      dns: ['api.example.com', 'localhost', 'cp1'],
      ip: ['192.0.2.10', '127.0.0.1', '::1', '10.0.0.5', 'fd00::5', '203.0.113.7', '10.43.0.1'],
    });
  });

  it('drops the etcd server and peer certificates with disable-etcd, keeps the etcd client', () => {
    const names = rke2Catalogue(spec({ disableEtcd: true }), 'server', AT)
      .leaves.map((leaf) => leaf.name)
      .filter((name) => name.startsWith('etcd/'));
    assert.deepEqual(names, ['etcd/client']);
  });

  it('uses the program name in K3s paths, subjects, kubeconfigs and ports; no force-restart marker', () => {
    const k3s = rke2Catalogue(
      { ...spec(), program: 'k3s', dataDir: '/var/lib/rancher/k3s' },
      'server',
      AT,
    );
    assert.ok(
      k3s.leaves.some(
        (leaf) =>
          leaf.certPath === 'server/tls/client-k3s-cloud-controller.crt' &&
          leaf.subject.cn === 'k3s-cloud-controller-manager',
      ),
    );
    assert.ok(
      k3s.kubeconfigs.some(
        (k) =>
          k.path === 'agent/k3scontroller.kubeconfig' &&
          k.certFile === '/var/lib/rancher/k3s/agent/client-k3s-controller.crt',
      ),
    );
    assert.equal(
      k3s.kubeconfigs.find((k) => k.path === 'server/cred/admin.kubeconfig')?.server,
      'https://127.0.0.1:6444',
    );
    assert.equal(k3s.forceRestartPath, undefined);
    assert.equal(k3s.userKubeconfig?.path, 'k3s.yaml');
  });

  it('an agent catalogue has only the agent leaves, kubeconfigs and CA copies', () => {
    const agent = rke2Catalogue(spec(), 'agent', AT);
    assert.deepEqual(
      agent.leaves.map((leaf) => leaf.service),
      ['kube-proxy', 'kubelet', 'kubelet', 'rke2-controller'],
    );
    assert.ok(agent.kubeconfigs.every((k) => k.path.startsWith('agent/')));
    assert.equal(agent.userKubeconfig, undefined);
  });
});

describe('selectServices', () => {
  it('defaults to every service on a server and the agent ones on an agent', () => {
    assert.equal(selectServices('rke2', [], true).length, 12);
    assert.deepEqual(selectServices('rke2', [], false), [
      'kube-proxy',
      'kubelet',
      'rke2-controller',
    ]);
  });
  it('accepts comma lists and repeats, keeps K3s order, drops duplicates', () => {
    assert.deepEqual(selectServices('k3s', ['kubelet,etcd', 'etcd', 'k3s-server'], true), [
      'etcd',
      'k3s-server',
      'kubelet',
    ]);
  });
  it('rejects unknown names and certificate-authority', () => {
    assert.throws(() => selectServices('rke2', ['certificate-authority'], true), UnknownNameError);
    assert.throws(
      () => selectServices('rke2', ['k3s-server'], true),
      /service "k3s-server" is not recognized/,
    );
  });
});
