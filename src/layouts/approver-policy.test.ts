import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInputError } from '../errors.js';
import { judgeCsr, parseApproverPolicy, type ApproverCsr } from './approver-policy.js';

const POLICY = parseApproverPolicy(
  [
    'apiVersion: kpki.io/v1alpha1',
    'kind: ApproverPolicy',
    'kubeletServing:',
    '  enabled: true',
    '  dnsSuffixes: [".nodes.example.com"]',
    '  cidrs: ["192.168.0.0/16", "fd00::/8"]',
    'renewals:',
    '  groups: [kpki:renewers]',
  ].join('\n'),
  'policy.yaml',
);

const serving = (change: Partial<ApproverCsr> = {}): ApproverCsr => ({
  name: 'csr-1',
  signerName: 'kubernetes.io/kubelet-serving',
  username: 'system:node:w1',
  groups: ['system:nodes', 'system:authenticated'],
  usages: ['digital signature', 'key encipherment', 'server auth'],
  subject: { cn: 'system:node:w1', o: ['system:nodes'] },
  dns: ['w1'],
  ip: ['10.1.0.5'],
  otherSans: [],
  ...change,
});
const NODE = ['10.1.0.5', 'w1'];

describe('the approver policy', () => {
  it("approves a node's own serving CSR for its addresses, suffixes and CIDRs", () => {
    assert.equal(judgeCsr(POLICY, serving(), NODE).kind, 'approve');
    const wider = serving({ dns: ['w1.nodes.example.com'], ip: ['192.168.3.4', 'fd00::1'] });
    assert.equal(judgeCsr(POLICY, wider, NODE).kind, 'approve');
  });

  it('denies every broken rule at once', () => {
    const bad = judgeCsr(
      POLICY,
      serving({
        username: 'system:node:w2',
        usages: ['server auth', 'client auth'],
        dns: ['evil.example.com'],
        ip: ['10.9.9.9'],
        otherSans: ['email:a@b'],
      }),
      NODE,
    );
    assert.equal(bad.kind, 'deny');
    for (const part of [
      /not by the node w1/,
      /client auth/,
      /digital signature/,
      /evil\.example\.com/,
      /10\.9\.9\.9/,
      /email:a@b/,
    ])
      assert.match(bad.kind === 'deny' ? bad.message : '', part);
    assert.match(
      (judgeCsr(POLICY, serving(), undefined) as { message: string }).message,
      /no Node object "w1"/,
    );
  });

  it('leaves alone what it does not cover', () => {
    const other = serving({ signerName: 'example.com/x', name: 'x' });
    assert.equal(judgeCsr(POLICY, other, NODE).kind, 'ignore');
    const off = parseApproverPolicy('apiVersion: kpki.io/v1alpha1\nkind: ApproverPolicy\n', 'p');
    assert.equal(
      judgeCsr(off, serving(), NODE).kind,
      'ignore',
      'kubelet serving is off by default',
    );
    const renewal = serving({ name: 'kpki-apiserver-1', signerName: 'kpki.io/ca', groups: ['x'] });
    assert.equal(
      judgeCsr(off, renewal, undefined).kind,
      'ignore',
      'no renewal groups: none judged',
    );
    assert.equal(judgeCsr(POLICY, renewal, undefined).kind, 'deny');
    assert.equal(
      judgeCsr(POLICY, { ...renewal, groups: ['kpki:renewers'] }, undefined).kind,
      'approve',
    );
  });

  it('refuses a malformed policy with the field named', () => {
    const refused = (body: string, field: RegExp): void =>
      assert.throws(
        () =>
          parseApproverPolicy(
            `apiVersion: kpki.io/v1alpha1\nkind: ApproverPolicy\n${body}`,
            'p.yaml',
          ),
        (error: unknown) =>
          error instanceof InvalidInputError &&
          error.code === 'BAD_POLICY' &&
          field.test(error.message),
      );
    refused('kubeletServing:\n  cidrs: ["10.0.0.0/33"]', /kubeletServing\.cidrs/);
    refused('kubeletServing:\n  enabled: "yes"', /kubeletServing\.enabled/);
    refused('renewal:\n  groups: []', /unknown field renewal/);
    assert.throws(() => parseApproverPolicy('kind: Other', 'p.yaml'), /ApproverPolicy/);
  });
});
