import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { kubeadmCatalogue } from './kubeadm/catalogue.js';
import { defaultKubeadmSpec } from './kubeadm/spec.js';
import {
  apiSignerFor,
  caOfSigner,
  judgeRequest,
  usagesOf,
  type RequestFacts,
} from './request-policy.js';
import { issuedEntries } from './catalogue.js';

const spec = defaultKubeadmSpec({ hostname: 'cp1', address: '10.0.0.5' });
const { catalogue } = kubeadmCatalogue(spec);
const entry = (name: string) => issuedEntries(catalogue).find((e) => e.name === name)!;
const etcdCa = caOfSigner(catalogue, 'kpki.io/etcd-ca')!;

function factsFor(name: string, change: Partial<RequestFacts> = {}): RequestFacts {
  const e = entry(name);
  return {
    subject: { cn: e.subject.cn, o: e.subject.o ?? [] },
    altNames: e.altNames,
    usages: usagesOf(e),
    keyAlgorithm: 'ECDSA-P256',
    requestsCa: false,
    ...change,
  };
}

describe('the signer policy', () => {
  it('names one signer per CA and finds the entry by subject', () => {
    assert.deepEqual(
      catalogue.cas.map((ca) => caOfSigner(catalogue, `kpki.io/${ca.name}`)?.name),
      catalogue.cas.map((ca) => ca.name),
    );
    assert.equal(caOfSigner(catalogue, 'kubernetes.io/kube-apiserver-client'), undefined);
    const verdict = judgeRequest(catalogue, etcdCa, factsFor('etcd-server'));
    assert.ok(verdict.ok);
    assert.equal(verdict.entry.name, 'etcd-server');
  });

  it('allows fewer SANs and usages than the entry has, never others', () => {
    assert.ok(
      judgeRequest(
        catalogue,
        etcdCa,
        factsFor('etcd-server', { altNames: { dns: ['cp1'], ip: [] }, usages: ['server auth'] }),
      ).ok,
    );
    const foreign = judgeRequest(
      catalogue,
      etcdCa,
      factsFor('etcd-server', { altNames: { dns: ['evil.example.com'], ip: ['6.6.6.6'] } }),
    );
    assert.ok(!foreign.ok && /DNS:evil\.example\.com, IP:6\.6\.6\.6/.test(foreign.reason));
    const signing = judgeRequest(
      catalogue,
      etcdCa,
      factsFor('etcd-server', { usages: ['cert sign'] }),
    );
    assert.ok(!signing.ok && /usages .* cert sign/.test(signing.reason));
  });

  it('refuses CA:TRUE, weak and unknown keys, and every problem is named at once', () => {
    const all = judgeRequest(
      catalogue,
      etcdCa,
      factsFor('etcd-server', { requestsCa: true, keyAlgorithm: 'RSA-1024' }),
    );
    assert.ok(!all.ok && /CA:TRUE/.test(all.reason) && /RSA-1024/.test(all.reason));
    assert.ok(
      judgeRequest(catalogue, etcdCa, factsFor('etcd-server', { keyAlgorithm: 'RSA-4096' })).ok,
    );
    assert.ok(
      !judgeRequest(catalogue, etcdCa, factsFor('etcd-server', { keyAlgorithm: 'ed25519' })).ok,
    );
  });

  it('refuses a subject that no entry under the CA has', () => {
    const frontProxy = caOfSigner(catalogue, 'kpki.io/front-proxy-ca')!;
    const v = judgeRequest(catalogue, frontProxy, factsFor('etcd-server'));
    assert.ok(!v.ok && /no certificate under CA "front-proxy-ca"/.test(v.reason));
    const masters = judgeRequest(
      catalogue,
      caOfSigner(catalogue, 'kpki.io/ca')!,
      factsFor('admin.conf', { subject: { cn: 'kubernetes-admin', o: ['system:masters'] } }),
    );
    assert.ok(!masters.ok, 'admin.conf is kubeadm:cluster-admins, not system:masters');
  });

  it("asks Kubernetes' own signers for the client certificates they may sign", () => {
    assert.equal(
      apiSignerFor(catalogue, entry('admin.conf')),
      'kubernetes.io/kube-apiserver-client',
    );
    assert.equal(apiSignerFor(catalogue, entry('super-admin.conf')), 'kpki.io/ca');
    assert.equal(
      apiSignerFor(catalogue, entry('kubelet.conf')),
      'kubernetes.io/kube-apiserver-client-kubelet',
    );
    assert.equal(apiSignerFor(catalogue, entry('apiserver')), 'kpki.io/ca');
    assert.equal(apiSignerFor(catalogue, entry('etcd-server')), 'kpki.io/etcd-ca');
    assert.equal(apiSignerFor(catalogue, entry('front-proxy-client')), 'kpki.io/front-proxy-ca');
  });
});
