import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatePrivateKey, type KeyAlgorithm } from './keys.js';
import { issueCertificate, type CertificateTemplate, type SigningAuthority } from './issue.js';
import { isSignedBy, parseCertificate } from './certificate.js';
import { openssl, tempDir } from '../../test/support/tools.js';
import { readFileSync } from 'node:fs';
import { testdata } from '../../test/support/testdata.js';

const start = new Date('2026-11-24T10:00:00Z');
const caTemplate: CertificateTemplate = {
  subject: { cn: 'kubernetes' },
  altNames: { dns: ['kubernetes'], ip: [] },
  isCA: true,
  keyUsage: ['digitalSignature', 'keyEncipherment', 'keyCertSign'],
  extKeyUsage: [],
  notBefore: new Date(start.getTime() - 300_000),
  notAfter: new Date(start.getTime() + 10 * 365 * 86_400_000),
  serialHex: '1234',
};
const leafTemplate: CertificateTemplate = {
  subject: { cn: 'kube-apiserver-kubelet-client', o: ['kubeadm:cluster-admins', 'b_org'] },
  altNames: { dns: ['node1', 'kubernetes'], ip: ['10.96.0.1', 'fd00::1'] },
  isCA: false,
  keyUsage: ['digitalSignature', 'keyEncipherment'],
  extKeyUsage: ['serverAuth', 'clientAuth'],
  notBefore: new Date(start.getTime() - 300_000),
  notAfter: new Date(start.getTime() + 365 * 86_400_000),
  serialHex: '7fffffffffffffff',
};

async function makeCa(algorithm: KeyAlgorithm): Promise<SigningAuthority> {
  const key = await generatePrivateKey(algorithm);
  return {
    certificate: await issueCertificate(caTemplate, key.keyObject, { selfSigned: key }),
    key,
  };
}

describe('issueCertificate: the Go / kubeadm profile, checked by openssl', () => {
  for (const [caAlg, sigAlg] of [
    ['RSA-2048', 'sha256WithRSAEncryption'],
    ['ECDSA-P256', 'ecdsa-with-SHA256'],
    ['ECDSA-P384', 'ecdsa-with-SHA384'],
  ] as const) {
    describe(`with a ${caAlg} CA`, () => {
      let ca: SigningAuthority;
      let text: string;
      let dir: string;
      before(async () => {
        ca = await makeCa(caAlg);
        const leafKey = await generatePrivateKey('ECDSA-P256');
        const leaf = await issueCertificate(leafTemplate, leafKey.keyObject, ca);
        dir = tempDir();
        writeFileSync(join(dir, 'ca.crt'), ca.certificate.pem);
        writeFileSync(join(dir, 'leaf.crt'), leaf.pem);
        text = openssl(['x509', '-noout', '-text', '-in', join(dir, 'leaf.crt')]);
        assert.ok(isSignedBy(leaf, ca.certificate));
      });

      it('verifies with openssl -x509_strict', () => {
        assert.match(
          openssl([
            'verify',
            '-x509_strict',
            '-CAfile',
            join(dir, 'ca.crt'),
            join(dir, 'leaf.crt'),
          ]),
          /leaf.crt: OK/,
        );
      });
      it(`is signed with ${sigAlg}`, () =>
        assert.match(text, new RegExp(`Signature Algorithm: ${sigAlg}`)));
      it('has O before CN with both O values in one RDN', () =>
        assert.match(
          text,
          /Subject: O = b_org \+ O = kubeadm:cluster-admins, CN = kube-apiserver-kubelet-client/,
        ));
      it('has critical key usage, EKU, critical CA:FALSE, AKI and SANs, and no SKI', () => {
        assert.match(text, /X509v3 Key Usage: critical\n\s+Digital Signature, Key Encipherment\n/);
        assert.match(
          text,
          /Extended Key Usage: \n\s+TLS Web Server Authentication, TLS Web Client Authentication/,
        );
        assert.match(text, /Basic Constraints: critical\n\s+CA:FALSE/);
        assert.match(text, /Authority Key Identifier/);
        assert.doesNotMatch(text, /Subject Key Identifier/);
        assert.match(
          text,
          /DNS:node1, DNS:kubernetes, IP Address:10.96.0.1, IP Address:FD00:0:0:0:0:0:0:1/,
        );
      });
      it('the CA has CA:TRUE without pathlen, a SHA-1 SKI, no AKI, and keyCertSign', () => {
        const caText = openssl(['x509', '-noout', '-text', '-in', join(dir, 'ca.crt')]);
        assert.match(caText, /Basic Constraints: critical\n\s+CA:TRUE\n/);
        assert.match(caText, /Subject Key Identifier: \n\s+([0-9A-F]{2}:){19}[0-9A-F]{2}/);
        assert.doesNotMatch(caText, /Authority Key Identifier/);
        assert.match(caText, /Certificate Sign/);
      });
    });
  }
});

describe('issueCertificate: extension bytes equal a real kubeadm certificate', () => {
  it('encodes key usage, EKU and basic constraints exactly as kubeadm v1.29 did', async () => {
    const real = parseCertificate(
      readFileSync(
        testdata('real/kubeadm-zetaoss-zeta-linux/etc/kubernetes/pki/apiserver-kubelet-client.crt'),
        'utf8',
      ),
      'real',
    );
    const ca = await makeCa('RSA-2048');
    const key = await generatePrivateKey('RSA-2048');
    const ours = await issueCertificate(
      {
        ...leafTemplate,
        subject: { cn: real.subject.cn ?? '', o: real.subject.o },
        altNames: { dns: [], ip: [] },
        extKeyUsage: ['clientAuth'],
      },
      key.keyObject,
      ca,
    );
    const extensions = (pem: string): string =>
      openssl(['asn1parse'], pem)
        .split('\n')
        .filter((l) =>
          /OBJECT\s+:X509v3 (Key Usage|Extended Key Usage|Basic Constraints)|HEX DUMP\]:(03|30)/.test(
            l,
          ),
        )
        .map((l) => l.replace(/^\s*\d+:d=\d+\s+hl=\d+\s+l=\s*\d+\s+/, ''))
        .join('\n');
    assert.equal(
      extensions(ours.pem).split('\n').slice(0, 6).join('\n'),
      extensions(real.pem).split('\n').slice(0, 6).join('\n'),
    );
    assert.deepEqual(Buffer.from(ours.subjectDer), Buffer.from(real.subjectDer));
  });
});

describe('issueCertificate: the K3s quirks', () => {
  it('a CA with serial 0 (K3s) and a leaf without basic constraints, accepted by openssl verify -x509_strict', async () => {
    const key = await generatePrivateKey('ECDSA-P256');
    const ca = await issueCertificate({ ...caTemplate, serialHex: '0' }, key.keyObject, {
      selfSigned: key,
    });
    assert.equal(ca.serialHex, '00');
    const leafKey = await generatePrivateKey('ECDSA-P256');
    const leaf = await issueCertificate(
      { ...leafTemplate, basicConstraints: false },
      leafKey.keyObject,
      { certificate: ca, key },
    );
    const dir = tempDir();
    writeFileSync(join(dir, 'ca.crt'), ca.pem);
    writeFileSync(join(dir, 'leaf.crt'), leaf.pem);
    assert.match(
      openssl(['x509', '-noout', '-serial', '-in', join(dir, 'ca.crt')]),
      /^serial=00$/m,
    );
    assert.doesNotMatch(
      openssl(['x509', '-noout', '-text', '-in', join(dir, 'leaf.crt')]),
      /Basic Constraints/,
    );
    assert.match(
      openssl(['verify', '-x509_strict', '-CAfile', join(dir, 'ca.crt'), join(dir, 'leaf.crt')]),
      /: OK/,
    );
    assert.ok(isSignedBy(leaf, ca));
    const other = await issueCertificate({ ...caTemplate, serialHex: '0' }, key.keyObject, {
      selfSigned: key,
    });
    assert.equal(other.serialHex, '00', 'zero every time, not a random fallback');
    const nonZero = await issueCertificate(caTemplate, key.keyObject, { selfSigned: key });
    assert.equal(nonZero.serialHex, '1234');
  });
});
