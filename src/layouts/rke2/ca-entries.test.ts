import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rke2CaEntries, rke2CaLocations } from './ca-entries.js';
import { rke2Hierarchy } from './hierarchy.js';
import { bootstrapFieldsFor } from '../bootstrap-record.js';
import { rke2Catalogue } from './catalogue.js';
import { defaultRke2Spec } from './spec.js';

const catalogueCas = rke2Catalogue(
  defaultRke2Spec('k3s', '/var/lib/rancher/k3s', { hostname: 'cp1', address: '10.0.0.5' }),
  'server',
  new Date(1_700_000_000_000),
).cas;

describe('RKE2/K3s CA files come from one table', () => {
  it("the catalogue's CAs are the table's, stamped with the CA instant", () => {
    assert.deepEqual(
      catalogueCas.map((ca) => [ca.role, ca.name, ca.certPath, ca.keyPath]),
      rke2CaLocations().map((ca) => [ca.role, ca.name, ca.certPath, ca.keyPath]),
    );
    assert.deepEqual(
      rke2CaEntries('k3s', 1_700_000_000).map((ca) => ca.subject.cn),
      [
        'k3s-server-ca@1700000000',
        'k3s-client-ca@1700000000',
        'k3s-request-header-ca@1700000000',
        'etcd-server-ca@1700000000',
        'etcd-peer-ca@1700000000',
      ],
    );
  });

  it("the custom hierarchy writes the catalogue's CA files, in the script's order and CNs", () => {
    const hierarchy = rke2Hierarchy('rke2', 5);
    const byName = new Map(catalogueCas.map((ca) => [ca.name, ca]));
    assert.deepEqual(
      hierarchy.cas.map((ca) => ca.cn),
      [
        'rke2-client-ca@5',
        'rke2-server-ca@5',
        'rke2-request-header-ca@5',
        'rke2-etcd-peer-ca@5',
        'rke2-etcd-server-ca@5',
      ],
    );
    for (const ca of hierarchy.cas) {
      const entry = byName.get(ca.name);
      assert.ok(entry, ca.name);
      assert.deepEqual([ca.certPath, ca.keyPath], [entry.certPath, entry.keyPath]);
    }
  });

  it("the bootstrap record's CA fields carry the catalogue's CA files", () => {
    const paths = new Set(bootstrapFieldsFor('k3s').map((field) => field.path));
    for (const ca of catalogueCas) {
      assert.ok(paths.has(ca.certPath), ca.certPath);
      assert.ok(paths.has(ca.keyPath), ca.keyPath);
    }
  });
});
