import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { privateKeyDer, spkiDer } from './key-der.js';
import { keyPairSync } from '../../test/support/key-pair.js';

describe('spkiDer and privateKeyDer', () => {
  const keys = {
    'RSA-2048': () => keyPairSync('rsa', { modulusLength: 2048 }),
    'RSA-1024 with exponent 3': () =>
      keyPairSync('rsa', { modulusLength: 1024, publicExponent: 3 }),
    'ECDSA P-256': () => keyPairSync('ec', { namedCurve: 'prime256v1' }),
    'ECDSA P-384': () => keyPairSync('ec', { namedCurve: 'secp384r1' }),
    'EC secp256k1 (through OpenSSL)': () => keyPairSync('ec', { namedCurve: 'secp256k1' }),
    'Ed25519 (through OpenSSL)': () => keyPairSync('ed25519'),
  };
  for (const [name, make] of Object.entries(keys)) {
    it(`writes the bytes OpenSSL writes for ${name}, from the private and the public key`, () => {
      // Several keys, so leading-zero coordinates and moduli with the top bit set both occur.
      for (let i = 0; i < 20; i++) {
        const { privateKey, publicKey } = make();
        const expected = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
        assert.deepStrictEqual(spkiDer(privateKey), expected);
        assert.deepStrictEqual(spkiDer(publicKey), expected);
        if (privateKey.asymmetricKeyType === 'rsa' || privateKey.asymmetricKeyType === 'ec') {
          const type = privateKey.asymmetricKeyType === 'rsa' ? 'pkcs1' : 'sec1';
          assert.deepStrictEqual(
            privateKeyDer(privateKey),
            privateKey.export({ type, format: 'der' }),
            `${type} DER`,
          );
        }
      }
    });
  }
});
