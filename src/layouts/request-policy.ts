/**
 * What kpki's certificates-API signer may sign: the catalogue decides. A request names one of
 * kpki's signers (`kpki.io/<CA name>`, one per CA of the catalogue); it is for the catalogue entry
 * under that CA whose subject (CN and O) it asks for, and it is signed only when every SAN it asks
 * for is one that entry has, every usage it asks for is one that entry has, its key is RSA of at
 * least 2048 bits or ECDSA P-256/P-384, and it does not ask to be a CA.
 */
import type { KeyUsageName, ExtKeyUsageName } from '../pki/certificate.js';
import type { AltNames } from '../pki/san.js';
import type { CaEntry, Catalogue, IssuedCertEntry } from './catalogue.js';
import { issuedEntries } from './catalogue.js';

/** The prefix of kpki's signer names. */
export const SIGNER_PREFIX = 'kpki.io/';

/** The signer name of a CA: `kpki.io/<name>`, e.g. `kpki.io/etcd-ca`. */
export function signerNameOf(ca: Pick<CaEntry, 'name'>): string {
  return `${SIGNER_PREFIX}${ca.name}`;
}

/** The CA of the catalogue a signer name stands for; undefined when it is not one of kpki's. */
export function caOfSigner(catalogue: Catalogue, signerName: string): CaEntry | undefined {
  return catalogue.cas.find((ca) => signerNameOf(ca) === signerName);
}

/** The usage strings of certificates.k8s.io/v1 that kpki's entries use, with kpki's names. */
const USAGES: Readonly<Record<string, { ku?: KeyUsageName; eku?: ExtKeyUsageName }>> = {
  'digital signature': { ku: 'digitalSignature' },
  'key encipherment': { ku: 'keyEncipherment' },
  'server auth': { eku: 'serverAuth' },
  'client auth': { eku: 'clientAuth' },
};

/** The certificates.k8s.io usage strings of an entry (what `--use-api` requests). */
export function usagesOf(entry: IssuedCertEntry): string[] {
  return Object.entries(USAGES)
    .filter(([, u]) =>
      u.ku !== undefined ? entry.keyUsage.includes(u.ku) : entry.extKeyUsage.includes(u.eku!),
    )
    .map(([name]) => name);
}

/** The key usages and extended key usages a list of certificates.k8s.io usages asks for. */
export function usageNames(usages: readonly string[]): {
  keyUsage: KeyUsageName[];
  extKeyUsage: ExtKeyUsageName[];
} {
  const known = usages.map((u) => USAGES[u]).filter((u) => u !== undefined);
  return {
    keyUsage: known.flatMap((u) => (u.ku === undefined ? [] : [u.ku])),
    extKeyUsage: known.flatMap((u) => (u.eku === undefined ? [] : [u.eku])),
  };
}

/** What a request asks for, as the signer read it. */
export interface RequestFacts {
  readonly subject: { readonly cn: string | undefined; readonly o: readonly string[] };
  readonly altNames: AltNames;
  readonly usages: readonly string[];
  /** `RSA-<bits>`, `ECDSA-P256`, `ECDSA-P384`, or what else the key is. */
  readonly keyAlgorithm: string;
  readonly requestsCa: boolean;
}

/** The verdict on one request: the entry to sign it as, or why it is refused. */
export type RequestVerdict =
  | { readonly ok: true; readonly entry: IssuedCertEntry }
  | { readonly ok: false; readonly reason: string };

const sameSet = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

const STRONG_KEY = /^(RSA-(\d+)|ECDSA-P256|ECDSA-P384)$/;

/**
 * Judges a request for signer CA `ca` against the catalogue: which entry it is for, and every
 * rule it breaks (all of them, in one reason).
 */
export function judgeRequest(
  catalogue: Catalogue,
  ca: CaEntry,
  request: RequestFacts,
): RequestVerdict {
  const { cn, o } = request.subject;
  const entry = issuedEntries(catalogue).find(
    (e) => e.ca === ca.name && e.subject.cn === cn && sameSet(e.subject.o ?? [], o),
  );
  if (entry === undefined)
    return {
      ok: false,
      reason: `no certificate under CA "${ca.name}" has the subject CN=${cn ?? ''}${o.length > 0 ? ` O=${o.join('+')}` : ''}`,
    };
  const problems: string[] = [];
  if (request.requestsCa) problems.push('it asks to be a CA (basicConstraints CA:TRUE)');
  const dns = new Set(entry.altNames.dns);
  const ip = new Set(entry.altNames.ip);
  const foreign = [
    ...request.altNames.dns.filter((name) => !dns.has(name)).map((name) => `DNS:${name}`),
    ...request.altNames.ip.filter((address) => !ip.has(address)).map((a) => `IP:${a}`),
  ];
  if (foreign.length > 0)
    problems.push(`SANs that "${entry.name}" does not have: ${foreign.join(', ')}`);
  const allowed = new Set(usagesOf(entry));
  const extra = request.usages.filter((usage) => !allowed.has(usage));
  if (extra.length > 0)
    problems.push(
      `usages that "${entry.name}" does not have: ${extra.join(', ')} (it has ${[...allowed].join(', ')})`,
    );
  const strong = STRONG_KEY.exec(request.keyAlgorithm);
  if (strong === null || (strong[2] !== undefined && Number(strong[2]) < 2048))
    problems.push(
      `its key is ${request.keyAlgorithm}; kpki signs RSA of 2048 bits or more and ECDSA P-256/P-384`,
    );
  return problems.length === 0
    ? { ok: true, entry }
    : { ok: false, reason: `refused for "${entry.name}": ${problems.join('; ')}` };
}

/**
 * The signer a renewal through the certificates API asks for an entry: Kubernetes' own
 * `kubernetes.io/kube-apiserver-client-kubelet` for a kubelet client certificate and
 * `kubernetes.io/kube-apiserver-client` for other client-only certificates of the cluster CA
 * (kube-controller-manager signs both with that CA) — except `system:masters` ones, which the API
 * server's CertificateSubjectRestriction admission refuses for that signer — and kpki's
 * `kpki.io/<CA name>` for everything else (serving, etcd, front-proxy).
 */
export function apiSignerFor(catalogue: Catalogue, entry: IssuedCertEntry): string {
  const ca = catalogue.cas.find((c) => c.name === entry.ca);
  const clientOnly = entry.extKeyUsage.length === 1 && entry.extKeyUsage[0] === 'clientAuth';
  const groups = entry.subject.o ?? [];
  if (ca?.role === 'cluster' && clientOnly && !groups.includes('system:masters')) {
    const kubelet = groups.length === 1 && groups[0] === 'system:nodes';
    return kubelet && (entry.subject.cn ?? '').startsWith('system:node:')
      ? 'kubernetes.io/kube-apiserver-client-kubelet'
      : 'kubernetes.io/kube-apiserver-client';
  }
  return signerNameOf(ca ?? { name: entry.ca });
}
