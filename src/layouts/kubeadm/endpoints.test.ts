import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kubeadmCatalogue } from './catalogue.js';
import { filesByComponent, kubeadmHealthEndpoints, kubeadmServingEndpoints } from './endpoints.js';
import { defaultKubeadmSpec, type KubeadmSpec } from './spec.js';

const spec: KubeadmSpec = {
  ...defaultKubeadmSpec({ hostname: 'cp1', address: '10.0.0.5' }),
  bindPort: 6443,
};
const { catalogue } = kubeadmCatalogue(spec);

describe('kubeadm endpoints', () => {
  const cases: Record<
    string,
    { overrides: Map<string, { host: string; port: number }>; want: string[] }
  > = {
    'from the spec: advertise address, bind port, etcd 2379 and 2380': {
      overrides: new Map(),
      want: [
        'apiserver@10.0.0.5:6443 sni=cp1',
        'etcd-server@10.0.0.5:2379 sni=cp1',
        'etcd-peer@10.0.0.5:2380 sni=cp1',
      ],
    },
    'an override replaces one certificate endpoint only': {
      overrides: new Map([['etcd-server', { host: '127.0.0.1', port: 32379 }]]),
      want: [
        'apiserver@10.0.0.5:6443 sni=cp1',
        'etcd-server@127.0.0.1:32379 sni=cp1',
        'etcd-peer@10.0.0.5:2380 sni=cp1',
      ],
    },
  };
  for (const [name, c] of Object.entries(cases))
    it(name, () => {
      assert.deepEqual(
        kubeadmServingEndpoints(spec, catalogue, c.overrides).map(
          (e) => `${e.cert}@${e.host}:${e.port} sni=${e.sni}`,
        ),
        c.want,
      );
    });

  it('external etcd has no etcd endpoints and no etcd health', () => {
    const external = kubeadmCatalogue({ ...spec, etcd: { external: true } }).catalogue;
    assert.deepEqual(
      kubeadmServingEndpoints(spec, external, new Map()).map((e) => e.cert),
      ['apiserver'],
    );
    assert.equal(kubeadmHealthEndpoints(spec, external, new Map()).has('etcd'), false);
  });

  it('health: etcd /health with the healthcheck client, /readyz, 10257 and 10259 /healthz', () => {
    const health = kubeadmHealthEndpoints(spec, catalogue, new Map());
    assert.deepEqual(
      [...health.values()].map(
        (h) => `${h.component} ${h.host}:${h.port}${h.path} ${h.clientCert ?? '-'}`,
      ),
      [
        'etcd 10.0.0.5:2379/health etcd-healthcheck-client',
        'kube-apiserver 10.0.0.5:6443/readyz -',
        'kube-controller-manager 127.0.0.1:10257/healthz -',
        'kube-scheduler 127.0.0.1:10259/healthz -',
      ],
    );
  });

  it('files by component come from the catalogue restart lists', () => {
    const files = filesByComponent(catalogue);
    assert.deepEqual(files.get('kube-scheduler'), ['scheduler.conf']);
    assert.deepEqual(files.get('etcd'), [
      'pki/etcd/server.crt',
      'pki/etcd/server.key',
      'pki/etcd/peer.crt',
      'pki/etcd/peer.key',
    ]);
    assert.ok(files.get('kube-apiserver')?.includes('pki/apiserver-etcd-client.key'));
  });
});
