/** Real self-signed CA pairs made by openssl, for tests whose records and trees must hold real CAs. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openssl } from './tools.js';

/** A P-256 self-signed CA certificate (PEM) and its SEC1 key (PEM), subject CN `cn`. */
export function caPair(cn: string): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'kpki-ca-'));
  try {
    const [cert, key] = [join(dir, 'ca.crt'), join(dir, 'ca.key')];
    openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key]);
    openssl([
      'req',
      '-x509',
      '-new',
      '-key',
      key,
      '-subj',
      `/CN=${cn}`,
      '-days',
      '3650',
      '-out',
      cert,
    ]);
    return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
