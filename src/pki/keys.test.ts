import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import {
  encodePrivateKey,
  encodePublicKey,
  generatePrivateKey,
  parsePrivateKeys,
  spkiOf,
} from './keys.js';
import { InvalidInputError } from '../errors.js';
import { openssl } from '../../test/support/tools.js';
import { keyPairSync } from '../../test/support/key-pair.js';

const rsa = keyPairSync('rsa', { modulusLength: 2048 }).privateKey;
const ec = keyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
const p384 = keyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey;

describe('parsePrivateKeys', () => {
  const formats: Record<string, { pem: string; algorithm: string }> = {
    'PKCS#1 RSA': {
      pem: rsa.export({ type: 'pkcs1', format: 'pem' }).toString(),
      algorithm: 'RSA-2048',
    },
    'SEC1 P-256': {
      pem: ec.export({ type: 'sec1', format: 'pem' }).toString(),
      algorithm: 'ECDSA-P256',
    },
    'PKCS#8 RSA': {
      pem: rsa.export({ type: 'pkcs8', format: 'pem' }).toString(),
      algorithm: 'RSA-2048',
    },
    'PKCS#8 P-384': {
      pem: p384.export({ type: 'pkcs8', format: 'pem' }).toString(),
      algorithm: 'ECDSA-P384',
    },
  };
  for (const [name, { pem, algorithm }] of Object.entries(formats)) {
    it(`reads ${name}`, () => {
      const [key] = parsePrivateKeys(pem, 'k.key');
      assert.equal(key?.algorithm, algorithm);
    });
  }

  it('skips EC PARAMETERS and reads several keys in order (RKE2 service.key)', () => {
    const params = '-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n';
    const text = params + formats['SEC1 P-256']!.pem + formats['PKCS#1 RSA']!.pem;
    assert.deepEqual(
      parsePrivateKeys(text, 'k.key').map((k) => k.algorithm),
      ['ECDSA-P256', 'RSA-2048'],
    );
  });

  const bad: Record<string, { text: string; code: string }> = {
    'an Ed25519 key (wrong key type)': {
      text: keyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      code: 'WRONG_KEY_TYPE',
    },
    'a PKCS#8 encrypted key': {
      text: rsa
        .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret-pass' })
        .toString(),
      code: 'ENCRYPTED_KEY',
    },
    'a legacy encrypted PKCS#1 key': {
      text: rsa
        .export({ type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret-pass' })
        .toString(),
      code: 'ENCRYPTED_KEY',
    },
    'a file with only a certificate': {
      text: '-----BEGIN CERTIFICATE-----\nMAMCAQU=\n-----END CERTIFICATE-----\n',
      code: 'BAD_KEY',
    },
    'a key block with garbage DER': {
      text: '-----BEGIN RSA PRIVATE KEY-----\nMAMCAQU=\n-----END RSA PRIVATE KEY-----\n',
      code: 'BAD_KEY',
    },
  };
  for (const [name, { text, code }] of Object.entries(bad)) {
    it(`rejects ${name} with ${code}, without echoing the key`, () => {
      assert.throws(
        () => parsePrivateKeys(text, 'pki/x.key'),
        (error: unknown) => {
          assert.ok(error instanceof InvalidInputError);
          assert.equal(error.code, code);
          assert.ok(error.message.includes('pki/x.key'));
          assert.ok(!/MII|BEGIN/.test(error.message));
          return true;
        },
      );
    });
  }
});

describe('encodePrivateKey', () => {
  it('writes RSA as PKCS#1 and ECDSA as SEC1, as kubeadm does, and openssl accepts them', async () => {
    const rsaKey = await generatePrivateKey('RSA-2048');
    const ecKey = await generatePrivateKey('ECDSA-P256');
    assert.match(encodePrivateKey(rsaKey), /^-----BEGIN RSA PRIVATE KEY-----/);
    assert.match(encodePrivateKey(ecKey), /^-----BEGIN EC PRIVATE KEY-----/);
    assert.match(openssl(['pkey', '-noout', '-check'], encodePrivateKey(ecKey)), /valid/i);
  });

  it('writes the public half as a PKIX PUBLIC KEY that matches (sa.pub)', async () => {
    const key = await generatePrivateKey('ECDSA-P384');
    const pub = encodePublicKey(key.keyObject);
    assert.match(pub, /^-----BEGIN PUBLIC KEY-----/);
    const fromOpenssl = openssl(['pkey', '-pubout'], encodePrivateKey(key));
    assert.equal(fromOpenssl, pub);
    assert.equal(spkiOf(key.keyObject).length > 0, true);
  });
});
