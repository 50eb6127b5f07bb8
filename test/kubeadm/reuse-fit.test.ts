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
