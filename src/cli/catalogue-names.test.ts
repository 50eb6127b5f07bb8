import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { allServices } from '../layouts/rke2/services.js';
import { kubeadmCaNames, kubeadmRenewNames, rke2ServiceNames } from './catalogue-names.js';
import { checkExitCode } from './command-result.js';

describe('catalogue names for help texts', () => {
  it('lists every kubeadm leaf and kubeconfig, sorted', () => {
    const names = kubeadmRenewNames();
    for (const name of ['apiserver', 'etcd-peer', 'admin.conf', 'super-admin.conf'])
      assert.ok(names.includes(name), name);
    assert.deepEqual(names, [...names].sort());
    assert.ok(!names.includes('ca'));
  });
  it('lists the kubeadm CAs', () => {
    assert.deepEqual(kubeadmCaNames(), ['ca', 'front-proxy-ca', 'etcd-ca']);
  });
  it('shows the RKE2/K3s services with <prog> where the programs differ', () => {
    const names = rke2ServiceNames();
    assert.equal(names.length, allServices('rke2').length);
    assert.ok(names.includes('<prog>-server') && names.includes('<prog>-controller'));
    assert.ok(!names.some((name) => name.includes('rke2') || name.includes('k3s')));
  });
});

describe('checkExitCode', () => {
  const cases: Record<string, [{ expiring: boolean; broken: boolean }, number]> = {
    'all fine is 0': [{ expiring: false, broken: false }, 0],
    'a broken certificate is 3': [{ expiring: false, broken: true }, 3],
    'an expiring certificate is 4': [{ expiring: true, broken: false }, 4],
    'expiring wins over broken': [{ expiring: true, broken: true }, 4],
  };
  for (const [name, [found, code]] of Object.entries(cases))
    it(name, () => assert.equal(checkExitCode(found), code));
});
