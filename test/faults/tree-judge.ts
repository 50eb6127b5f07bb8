/**
 * Judges a tree after a fault, independently of kpki's own code: which files changed against a
 * snapshot, whether every key matches its certificate and every leaf was issued by a CA of the same
 * tree (node:crypto, the same OpenSSL a user's tools link), and whether any secret is readable by
 * group or others.
 */
import { X509Certificate, createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { existsSync, lstatSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Content hash of every regular file and symlink target below a tree, `.kpki/` excluded. */
export type Snapshot = ReadonlyMap<string, string>;

/**
 * Takes a {@link Snapshot} of `root`, each path under the name `normalize` gives it (two files
 * mapped to one name: the one listed last is kept, which still tells "absent" from "present").
 */
export function snapshot(
  root: string,
  normalize: (path: string) => string = (path) => path,
): Snapshot {
  const files = new Map<string, string>();
  for (const path of walk(root, false)) {
    const info = lstatSync(path);
    const rel = normalize(relative(root, path));
    if (info.isSymbolicLink()) files.set(rel, 'symlink');
    else if (info.isFile())
      files.set(rel, createHash('sha256').update(readFileSync(path)).digest('hex'));
  }
  return files;
}

/** Paths whose content (or existence) differs between two snapshots, sorted. */
export function changedPaths(before: Snapshot, after: Snapshot): string[] {
  const all = new Set([...before.keys(), ...after.keys()]);
  return [...all].filter((path) => before.get(path) !== after.get(path)).sort();
}

/**
 * For each set: 'old' when no file of it changed since `base`, 'new' when every file did, 'mixed'
 * otherwise — the outcome DESIGN.md "All or nothing" forbids.
 */
export function setStates(
  base: Snapshot,
  now: Snapshot,
  sets: readonly (readonly string[])[],
): ('old' | 'new' | 'mixed')[] {
  return sets.map((set) => {
    const changed = set.filter((path) => base.get(path) !== now.get(path)).length;
    if (changed === 0) return 'old';
    return changed === set.length ? 'new' : 'mixed';
  });
}

/** Problems with the certificates of `root`: key/certificate mismatches and leaves no CA of the tree issued. */
export function cryptoProblems(root: string): string[] {
  const problems: string[] = [];
  const certs = new Map<string, X509Certificate>();
  for (const path of walk(root, false).filter((p) => p.endsWith('.crt'))) {
    const cert = firstCert(readFileSync(path, 'utf8'));
    if (cert) certs.set(relative(root, path), cert);
    else problems.push(`${relative(root, path)}: no certificate`);
  }
  const cas = [...certs.values()].filter((c) => c.ca);
  const issuedByTree = (cert: X509Certificate): boolean =>
    cas.some((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey));
  for (const [rel, cert] of certs) {
    const keyPath = join(root, rel.replace(/\.crt$/, '.key'));
    if (existsSync(keyPath) && !keyMatches(cert, readFileSync(keyPath, 'utf8')))
      problems.push(`${rel}: key does not match`);
    if (!cert.ca && !issuedByTree(cert)) problems.push(`${rel}: not issued by a CA of the tree`);
  }
  // kubeadm's *.conf, RKE2/K3s's *.kubeconfig and rke2.yaml/k3s.yaml: those embedding a client certificate.
  for (const path of walk(root, false).filter((p) => /\.(conf|kubeconfig|yaml)$/.test(p))) {
    const text = readFileSync(path, 'utf8');
    const field = (name: string): string | undefined =>
      new RegExp(`${name}: (\\S+)`).exec(text)?.[1];
    const certData = field('client-certificate-data');
    const keyData = field('client-key-data');
    if (certData === undefined || keyData === undefined) continue;
    const cert = firstCert(Buffer.from(certData, 'base64').toString('utf8'));
    const rel = relative(root, path);
    if (!cert) problems.push(`${rel}: bad client certificate`);
    else if (!keyMatches(cert, Buffer.from(keyData, 'base64').toString('utf8')))
      problems.push(`${rel}: client key does not match`);
    else if (!issuedByTree(cert))
      problems.push(`${rel}: client certificate not issued by a CA of the tree`);
  }
  const saKey = join(root, 'pki/sa.key');
  const saPub = join(root, 'pki/sa.pub');
  if (existsSync(saKey) && existsSync(saPub)) {
    const derived = createPublicKey(createPrivateKey(readFileSync(saKey))).export({
      type: 'spki',
      format: 'pem',
    });
    if (derived !== createPublicKey(readFileSync(saPub)).export({ type: 'spki', format: 'pem' }))
      problems.push('pki/sa.pub does not match pki/sa.key');
  }
  return problems;
}

/**
 * Files and directories below `root` (`.kpki/` included) that expose a secret: a file holding
 * private key material readable by group or others, or a directory others may write.
 */
export function exposedSecrets(root: string): string[] {
  const found: string[] = [];
  for (const path of walk(root, true)) {
    const info = lstatSync(path);
    const mode = info.mode & 0o777;
    if (info.isDirectory() && (mode & 0o022) !== 0)
      found.push(`${relative(root, path)}/ mode ${mode.toString(8)}`);
    if (
      info.isFile() &&
      (mode & 0o077) !== 0 &&
      /PRIVATE KEY|client-key-data/.test(readFileSync(path, 'utf8'))
    )
      found.push(`${relative(root, path)} mode ${mode.toString(8)}`);
  }
  const state = join(root, '.kpki');
  if (existsSync(state) && (lstatSync(state).mode & 0o077) !== 0)
    found.push(`.kpki/ mode ${(lstatSync(state).mode & 0o777).toString(8)}`);
  return found;
}

/** What an interrupted commit may leave in `.kpki/` until the next command: it must be gone after that. */
export function leftoverState(root: string): string[] {
  const state = join(root, '.kpki');
  if (!existsSync(state)) return [];
  return readdirSync(state)
    .filter((name) => name === 'journal.json' || name === 'pending.json' || name.endsWith('.tmp'))
    .map((name) => `.kpki/${name}`);
}

function keyMatches(cert: X509Certificate, keyPem: string): boolean {
  try {
    return cert.checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

function firstCert(pem: string): X509Certificate | undefined {
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}

function walk(root: string, includeState: boolean): string[] {
  const out: string[] = [];
  const visit = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (!includeState && dir === root && entry.name === '.kpki') continue;
      out.push(path);
      if (entry.isDirectory()) visit(path);
    }
  };
  visit(root);
  return out;
}
