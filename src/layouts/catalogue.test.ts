import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { caWithRole, fileNameOf, requireCaWithRole, type CaEntry } from './catalogue.js';
import { kubeadmCatalogue } from './kubeadm/catalogue.js';
import { kubeadmHierarchy } from './kubeadm/hierarchy.js';
import { defaultKubeadmSpec } from './kubeadm/spec.js';
import { rke2Catalogue } from './rke2/catalogue.js';
import { defaultRke2Spec } from './rke2/spec.js';
import { rkeCatalogue, KUBE_CA, REQUESTHEADER_CA } from './rke/catalogue.js';
import { parseClusterYaml } from './rke/spec.js';

const kubeadm = defaultKubeadmSpec({ hostname: 'cp1', address: '10.0.0.5' });
const rke2 = defaultRke2Spec('rke2', '/var/lib/rancher/rke2', {
  hostname: 'cp1',
  address: '10.0.0.5',
});
const rke = parseClusterYaml(
  'nodes:\n  - address: 10.0.0.1\n    role: [controlplane, etcd, worker]\n',
  'cluster.yml',
);

const CATALOGUES: Record<string, [readonly CaEntry[], Record<string, string>]> = {
  'kubeadm: cluster, request-header and etcd CAs': [
    kubeadmCatalogue(kubeadm).catalogue.cas,
    { cluster: 'ca', 'request-header': 'front-proxy-ca', etcd: 'etcd-ca' },
  ],
  'rke2: server, client, request-header, etcd-server and etcd-peer CAs': [
    rke2Catalogue(rke2, 'server', new Date(0)).cas,
    {
      server: 'server-ca',
      client: 'client-ca',
      'request-header': 'request-header-ca',
      'etcd-server': 'etcd/server-ca',
      'etcd-peer': 'etcd/peer-ca',
    },
  ],
  'rke: cluster and request-header CAs': [
    rkeCatalogue(rke).cas,
    { cluster: KUBE_CA, 'request-header': REQUESTHEADER_CA },
  ],
};

describe('catalogue CA roles', () => {
  for (const [name, [cas, expected]] of Object.entries(CATALOGUES)) {
    it(`${name}, one CA per role`, () => {
      assert.deepEqual(Object.fromEntries(cas.map((ca) => [ca.role, ca.name])), expected);
      assert.equal(new Set(cas.map((ca) => ca.role)).size, cas.length);
    });
  }

  it('finds a CA by role, and none for a role the catalogue lacks (external etcd)', () => {
    const external = kubeadmCatalogue({ ...kubeadm, etcd: { external: true } });
    assert.equal(caWithRole(external.catalogue, 'cluster')?.name, 'ca');
    assert.equal(caWithRole(external.catalogue, 'etcd'), undefined);
    assert.throws(() => requireCaWithRole(external.catalogue, 'etcd'), /no etcd CA/);
  });

  it("names a file by its path's last component", () => {
    assert.equal(fileNameOf('server/tls/service.key'), 'service.key');
    assert.equal(fileNameOf('admin.conf'), 'admin.conf');
  });
});

describe('kubeadm hierarchy', () => {
  it("holds the catalogue's CAs with their CNs and files, without etcd's when etcd is external", () => {
    for (const spec of [kubeadm, { ...kubeadm, etcd: { external: true as const } }]) {
      const cas = kubeadmCatalogue(spec).catalogue.cas;
      assert.deepEqual(
        kubeadmHierarchy(spec, 1).cas.map((ca) => [ca.name, ca.cn, ca.certPath, ca.keyPath]),
        cas.map((ca) => [ca.name, ca.subject.cn, ca.certPath, ca.keyPath]),
      );
    }
  });
});
