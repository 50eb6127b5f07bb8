/**
 * What the differential tests compare between a tree kubeadm wrote and one kpki wrote: the file
 * list with modes, and per certificate the fields a client or kubeadm looks at (from
 * `openssl x509 -text`, which shows string types, criticality and extension contents), per
 * kubeconfig its clusters, users and contexts. Serials, keys, times and signatures differ by
 * nature and are left out; validity is compared as a length.
 */
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { run } from './env.js';

/** Every file and directory under `root` (relative path → octal mode), `.kpki` left out. */
export function listTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const rel = relative(root, path);
      if (rel === '.kpki' || rel === 'manifests') continue;
      const st = lstatSync(path);
      out[st.isDirectory() ? `${rel}/` : rel] = (st.mode & 0o7777).toString(8).padStart(4, '0');
      if (st.isDirectory()) walk(path);
    }
  };
  walk(root);
  return out;
}

export interface CertFacts {
  subject: string;
  issuer: string;
  signatureAlgorithm: string;
  publicKey: string;
  validitySeconds: number;
  basicConstraints: string;
  keyUsage: string;
  extendedKeyUsage: string;
  subjectAltName: string;
  subjectKeyIdentifier: boolean;
  authorityKeyIdentifier: boolean;
  extensions: string[];
}

/** The facts of the first certificate in `pem`. */
export function describeCert(pem: string): CertFacts {
  const text = run(
    'openssl',
    ['x509', '-noout', '-text', '-nameopt', 'RFC2253,show_type,sep_comma_plus'],
    { input: pem },
  ).stdout;
  const line = (re: RegExp): string => re.exec(text)?.[1]?.trim() ?? '';
  const ext = (name: string): string => {
    const match = new RegExp(`^ +X509v3 ${name}:( critical)?\\n +(.*)$`, 'm').exec(text);
    return match ? `${match[1] ? 'critical: ' : ''}${match[2]?.trim() ?? ''}` : '(absent)';
  };
  const notBefore = Date.parse(line(/Not Before: (.*)$/m));
  const notAfter = Date.parse(line(/Not After : (.*)$/m));
  const keyLine = line(/Public-Key: \((.*)\)$/m);
  const curve = line(/NIST CURVE: (.*)$/m);
  return {
    subject: line(/^ +Subject: (.*)$/m),
    issuer: line(/^ +Issuer: (.*)$/m),
    signatureAlgorithm: line(/Signature Algorithm: (.*)$/m),
    publicKey: `${line(/Public Key Algorithm: (.*)$/m)} ${keyLine}${curve ? ` ${curve}` : ''}`,
    validitySeconds: (notAfter - notBefore) / 1000,
    basicConstraints: ext('Basic Constraints'),
    keyUsage: ext('Key Usage'),
    extendedKeyUsage: ext('Extended Key Usage'),
    subjectAltName: ext('Subject Alternative Name'),
    subjectKeyIdentifier: /X509v3 Subject Key Identifier/.test(text),
    authorityKeyIdentifier: /X509v3 Authority Key Identifier/.test(text),
    extensions: [...text.matchAll(/^ {12}((?:X509v3 )?[A-Za-z][A-Za-z0-9 ]+):( critical)?$/gm)].map(
      (m) => `${m[1]}${m[2] ?? ''}`,
    ),
  };
}

/** The key type and size of a PEM private key (`openssl pkey`), e.g. `RSA 2048` or `EC prime256v1`. */
export function describeKey(path: string): string {
  const text = run('openssl', ['pkey', '-in', path, '-noout', '-text']).stdout;
  const head = /^(.*Private-Key: \((\d+) bit.*\))$/m.exec(text);
  const curve = /NIST CURVE: (.*)$/m.exec(text)?.[1] ?? /ASN1 OID: (.*)$/m.exec(text)?.[1];
  const block = /-----BEGIN ([A-Z ]+)-----/.exec(readFileSync(path, 'utf8'))?.[1] ?? '?';
  return `${block} ${head?.[2] ?? '?'} bit${curve ? ` ${curve}` : ''}`;
}

interface KubeconfigFile {
  clusters?: {
    name: string;
    cluster: { server?: string; 'certificate-authority-data'?: string };
  }[];
  users?: {
    name: string;
    user: {
      'client-certificate-data'?: string;
      'client-key-data'?: string;
      'client-certificate'?: string;
      'client-key'?: string;
    };
  }[];
  contexts?: { name: string; context: { cluster: string; user: string } }[];
  'current-context'?: string;
}

export interface KubeconfigFacts {
  clusters: { name: string; server: string; caIsTreeCa: boolean }[];
  users: { name: string; fields: string[]; cert?: CertFacts }[];
  contexts: { name: string; cluster: string; user: string }[];
  currentContext: string;
  topLevelKeys: string[];
}

/** The facts of a kubeconfig in a tree whose cluster CA is `caPem`. */
export function describeKubeconfig(path: string, caPem: string): KubeconfigFacts {
  const doc = parse(readFileSync(path, 'utf8')) as KubeconfigFile;
  const b64 = (s: string | undefined): string => Buffer.from(s ?? '', 'base64').toString('utf8');
  return {
    clusters: (doc.clusters ?? []).map((c) => ({
      name: c.name,
      server: c.cluster.server ?? '',
      caIsTreeCa: b64(c.cluster['certificate-authority-data']).trim() === caPem.trim(),
    })),
    users: (doc.users ?? []).map((u) => ({
      name: u.name,
      fields: Object.keys(u.user).sort(),
      ...(u.user['client-certificate-data'] !== undefined
        ? { cert: describeCert(b64(u.user['client-certificate-data'])) }
        : {}),
    })),
    contexts: (doc.contexts ?? []).map((c) => ({
      name: c.name,
      cluster: c.context.cluster,
      user: c.context.user,
    })),
    currentContext: doc['current-context'] ?? '',
    topLevelKeys: Object.keys(doc).sort(),
  };
}
