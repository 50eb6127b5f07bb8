/**
 * Reuse is validated against the spec (issue #14 item 1): an existing certificate that lacks the
 * SANs asked for, or was re-signed for another purpose, makes init refuse with every difference
 * and changes nothing; check counts a certificate whose usages do not serve its role (exit 3).
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashTree, kpki, openssl, tempDir } from '../support/tools.js';

const FLAGS = ['--node-name', 'cp1', '--apiserver-advertise-address', '10.0.0.5'];

describe('kpki init --layout kubeadm on an existing tree that does not fit the spec', () => {
  let dir: string;
  before(() => {
    dir = tempDir();
    const result = kpki(['init', '--layout', 'kubeadm', '--dir', dir, ...FLAGS]);
    assert.equal(result.status, 0, result.stderr);
  });

  it('new --apiserver-cert-extra-sans and --control-plane-endpoint: refused, naming the SANs and the server URLs', () => {
    const before = hashTree(dir, true);
    const again = kpki([
      'init',
      '--dir',
      dir,
      ...FLAGS,
      '--apiserver-cert-extra-sans',
      'k8s.example.com,10.0.0.100',
      '--control-plane-endpoint',
      'api.example.com',
    ]);
    assert.equal(again.status, 3, again.stderr);
    assert.match(
      again.stderr,
      /\[INVALID_EXISTING\] "apiserver" exists but is not usable: lacks SAN DNS:api\.example\.com, DNS:k8s\.example\.com, IP:10\.0\.0\.100/,
    );
    assert.match(
      again.stderr,
      /"admin\.conf" exists but is not usable: server "https:\/\/10\.0\.0\.5:6443"/,
    );
    assert.match(again.stderr, /nothing was written/);
    assert.equal(hashTree(dir, true), before);
  });

  it('apiserver.crt re-signed with clientAuth only and one SAN: init refuses, check exits 3', () => {
    const ext = join(dir, 'client-only.ext');
    writeFileSync(ext, 'extendedKeyUsage = clientAuth\nsubjectAltName = DNS:cp1\n');
    const csr = openssl([
      'req',
      '-new',
      '-key',
      join(dir, 'pki/apiserver.key'),
      '-subj',
      '/CN=kube-apiserver',
    ]);
    const cert = openssl(
      [
        'x509',
        '-req',
        '-CA',
        join(dir, 'pki/ca.crt'),
        '-CAkey',
        join(dir, 'pki/ca.key'),
        '-days',
        '30',
        '-extfile',
        ext,
        '-set_serial',
        '7',
      ],
      csr,
    );
    writeFileSync(join(dir, 'pki/apiserver.crt'), cert);
    const before = hashTree(dir, true);
    const again = kpki(['init', '--dir', dir, ...FLAGS]);
    assert.equal(again.status, 3, again.stderr);
    assert.match(
      again.stderr,
      /"apiserver" exists but is not usable: extended key usage clientAuth, the role needs serverAuth;.*lacks SAN DNS:kubernetes/,
    );
    assert.equal(hashTree(dir, true), before);
    const check = kpki(['check', '--dir', dir]);
    assert.equal(check.status, 3, check.stdout + check.stderr);
    assert.match(
      check.stdout + check.stderr,
      /extended key usage clientAuth, the role needs serverAuth/,
    );
  });
});

describe('kpki renew --update-sans on a kubeadm tree', () => {
  it('adds the SANs and moves the server URL; init with the same flags then reuses everything; --tls-san is refused', () => {
    const dir = tempDir();
    const first = kpki(['init', '--layout', 'kubeadm', '--dir', dir, ...FLAGS]);
    assert.equal(first.status, 0, first.stderr);
    // A fresh init replaced nothing, so it does not claim a backup of previous files.
    assert.doesNotMatch(first.stdout, /previous files backed up/);
    assert.match(first.stdout, /no existing file was replaced/);
    const spec = [
      '--apiserver-cert-extra-sans',
      'k8s.example.com',
      '--control-plane-endpoint',
      'api.example.com',
    ];
    const before = hashTree(dir, true);
    const ignored = kpki(['renew', 'apiserver', '--dir', dir, ...FLAGS, ...spec]);
    assert.equal(ignored.status, 2, ignored.stderr);
    assert.match(ignored.stderr, /add --update-sans/);
    const tlsSan = kpki(['renew', 'apiserver', '--dir', dir, '--tls-san', 'x.example.com']);
    assert.equal(tlsSan.status, 2, tlsSan.stderr);
    assert.match(tlsSan.stderr, /--tls-san: rke2\/k3s flag, not used on a kubeadm tree/);
    assert.equal(hashTree(dir, true), before);

    const renew = kpki([
      'renew',
      'apiserver',
      'admin.conf',
      'super-admin.conf',
      'kubelet.conf',
      '--update-sans',
      '--dir',
      dir,
      ...FLAGS,
      ...spec,
    ]);
    assert.equal(renew.status, 0, renew.stderr);
    assert.match(
      renew.stdout,
      /apiserver .*; SANs \+DNS:api\.example\.com \+DNS:k8s\.example\.com/,
    );
    assert.match(
      renew.stdout,
      /admin\.conf .*; server https:\/\/10\.0\.0\.5:6443 → https:\/\/api\.example\.com:6443/,
    );
    assert.match(renew.stdout, /restart, in this order.*kube-apiserver/);
    const text = openssl([
      'x509',
      '-noout',
      '-ext',
      'subjectAltName',
      '-in',
      join(dir, 'pki/apiserver.crt'),
    ]);
    assert.match(text, /DNS:api\.example\.com, DNS:cp1, DNS:k8s\.example\.com/);
    const again = kpki(['init', '--dir', dir, ...FLAGS, ...spec]);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /nothing to change/);
  });
});
