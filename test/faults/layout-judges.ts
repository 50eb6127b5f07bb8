/**
 * The judge's checks that depend on a layout: RKE2/K3s's check reports problems on stderr (its
 * JSON is the native one, without a problems field), RKE2's service-account key pair lives in two
 * files of its own shape, and RKE1 keeps every certificate inside `cluster.rkestate` and the admin
 * kubeconfig. Like tree-judge.ts, they use node:crypto only, not kpki's code.
 */
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunResult } from './kill-harness.js';

/** Exit codes of `check` that still mean "the report is complete": OK, problems found, expiring. */
const CHECK_REPORTED = new Set([0, 3, 4]);

/**
 * The problems RKE2/K3s `check -o json` reported: every `warning:` line on stderr (that is where
 * the per-file errors go), tree path masked, plus a failure of the command itself or of its JSON.
 */
export function rke2CheckProblems(result: RunResult, dir: string): string[] {
  const problems = result.stderr
    .split('\n')
    .filter((line) => line.startsWith('warning: '))
    .map((line) => line.split(dir).join('<tree>'));
  if (result.status === null || !CHECK_REPORTED.has(result.status))
    problems.push(
      `check exit ${String(result.status)}: ${result.stderr.trim().split(dir).join('<tree>')}`,
    );
  try {
    const report = JSON.parse(result.stdout) as { Certificates?: unknown };
    if (!Array.isArray(report.Certificates)) problems.push('check printed no Certificates list');
  } catch {
    problems.push('check printed no JSON');
  }
  return problems;
}

function spki(keyPem: string | Buffer): string {
  return createPublicKey(createPrivateKey(keyPem))
    .export({ type: 'spki', format: 'der' })
    .toString('hex');
}

function pemBlocks(text: string): string[] {
  return text.match(/-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----/g) ?? [];
}

/**
 * RKE2/K3s service-account keys: `service.current.key` (the signer) must be the first key of
 * `service.key` (the verifiers), and every key there must parse.
 */
export function rke2ServiceKeyProblems(dir: string): string[] {
  const all = join(dir, 'server/tls/service.key');
  const current = join(dir, 'server/tls/service.current.key');
  if (!existsSync(all) || !existsSync(current)) return [];
  try {
    const keys = pemBlocks(readFileSync(all, 'utf8')).map(spki);
    const signer = pemBlocks(readFileSync(current, 'utf8')).map(spki);
    if (signer.length !== 1) return [`server/tls/service.current.key holds ${signer.length} keys`];
    if (keys[0] !== signer[0])
      return ['server/tls/service.current.key is not the first key of server/tls/service.key'];
    return [];
  } catch (error) {
    return [`service-account keys do not parse: ${String(error)}`];
  }
}

interface BundleEntry {
  readonly certificatePEM?: string;
  readonly keyPEM?: string;
}

interface RkeState {
  readonly desiredState?: { readonly certificatesBundle?: Record<string, BundleEntry> };
  readonly currentState?: { readonly certificatesBundle?: Record<string, BundleEntry> };
}

function certOf(pem: string | undefined): X509Certificate | undefined {
  try {
    return pem === undefined || pem === '' ? undefined : new X509Certificate(pem);
  } catch {
    return undefined;
  }
}

function keyMatches(cert: X509Certificate, keyPem: string): boolean {
  try {
    return cert.checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

/** Problems of one RKE certificate bundle: unparsable entries, keys not matching, leaves no CA of the same bundle issued. */
function bundleProblems(where: string, bundle: Record<string, BundleEntry>): string[] {
  const problems: string[] = [];
  const certs = new Map<string, X509Certificate>();
  for (const [name, entry] of Object.entries(bundle)) {
    if (entry.certificatePEM === undefined || entry.certificatePEM === '') continue; // the service-account token entry is a key only
    const cert = certOf(entry.certificatePEM);
    if (cert) certs.set(name, cert);
    else problems.push(`${where} ${name}: no certificate`);
  }
  const cas = [...certs.values()].filter((cert) => cert.ca);
  for (const [name, cert] of certs) {
    const key = bundle[name]?.keyPEM;
    if (key !== undefined && key !== '' && !keyMatches(cert, key))
      problems.push(`${where} ${name}: key does not match`);
    if (!cert.ca && !cas.some((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey)))
      problems.push(`${where} ${name}: not issued by a CA of the same bundle`);
  }
  return problems;
}

/**
 * RKE1: every bundle of `cluster.rkestate` consistent on its own, and the admin kubeconfig
 * carrying the desired state's kube-admin certificate with its key (the two files switch together).
 */
export function rkeStateProblems(dir: string, clusterFile = 'cluster.yml'): string[] {
  const base = clusterFile.replace(/\.ya?ml$/, '');
  const statePath = join(dir, `${base}.rkestate`);
  if (!existsSync(statePath)) return [];
  let state: RkeState;
  try {
    state = JSON.parse(readFileSync(statePath, 'utf8')) as RkeState;
  } catch {
    return [`${base}.rkestate is not JSON`];
  }
  const desired = state.desiredState?.certificatesBundle ?? {};
  const problems = [
    ...bundleProblems('desiredState', desired),
    ...bundleProblems('currentState', state.currentState?.certificatesBundle ?? {}),
  ];
  const kubeconfigPath = join(dir, `kube_config_${clusterFile}`);
  if (existsSync(kubeconfigPath)) {
    const text = readFileSync(kubeconfigPath, 'utf8');
    const field = (name: string): string =>
      Buffer.from(new RegExp(`${name}: (\\S+)`).exec(text)?.[1] ?? '', 'base64').toString('utf8');
    const cert = certOf(field('client-certificate-data'));
    if (!cert) problems.push(`kube_config_${clusterFile}: no client certificate`);
    else {
      if (!keyMatches(cert, field('client-key-data')))
        problems.push(`kube_config_${clusterFile}: client key does not match`);
      if (field('client-certificate-data') !== desired['kube-admin']?.certificatePEM)
        problems.push(
          `kube_config_${clusterFile}: client certificate is not the state's kube-admin`,
        );
    }
  }
  return problems;
}
