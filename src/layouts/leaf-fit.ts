/**
 * How an existing leaf or kubeconfig certificate differs from what its catalogue entry asks for —
 * kubeadm's `validateCertificateWithConfig` and kubeconfig checks, and more: missing SANs, usages
 * that do not serve the role, another CN or O, a period that does not cover now, and (kubeconfigs)
 * another server URL. Layout-neutral: every layout's `init` and `check` ask it the same question.
 */
import type { Certificate } from '../pki/certificate.js';
import { canonicalIp, type AltNames } from '../pki/san.js';
import type { IssuedCertEntry } from './catalogue.js';

/** What to compare; `check` without a known spec asks only what the role needs. */
export interface FitScope {
  /**
   * Compare what the cluster spec decides (SANs, CN and O, the kubeconfig server URL). Off when the
   * spec is a guess (no --config): then only the usages are compared.
   */
  readonly spec: boolean;
  /** Report a period that does not cover `at` (init); `check` reports expiry in its own columns. */
  readonly validity: boolean;
}

/** The existing certificate and, for a kubeconfig, the server URL it holds. */
export interface FitSubject {
  readonly cert: Certificate;
  readonly server?: string | undefined;
}

/**
 * Every way `found` differs from `entry` within `scope`, as short phrases (`lacks SAN
 * DNS:k8s.example.com`, `extended key usage clientAuth, the role needs serverAuth`); empty when it
 * fits. Extra SANs, usages and organisations are not differences: they do not stop it serving its
 * role. Pure.
 */
export function leafFitProblems(
  entry: IssuedCertEntry,
  found: FitSubject,
  at: Date,
  scope: FitScope,
): string[] {
  const { cert } = found;
  const problems: string[] = [];
  const missingEku = entry.extKeyUsage.filter((usage) => !cert.extKeyUsage.includes(usage));
  if (missingEku.length > 0)
    problems.push(
      `extended key usage ${listOr(cert.extKeyUsage, 'none')}, the role needs ${entry.extKeyUsage.join(', ')}`,
    );
  // digitalSignature is what a TLS key must do; keyEncipherment matters only for RSA key exchange.
  if (entry.keyUsage.includes('digitalSignature') && !cert.keyUsage.includes('digitalSignature'))
    problems.push(`key usage ${listOr(cert.keyUsage, 'none')} lacks digitalSignature`);
  if (cert.isCA) problems.push('is a CA certificate, not a leaf');
  if (scope.validity) {
    if (cert.notAfter.getTime() <= at.getTime())
      problems.push(`expired on ${cert.notAfter.toISOString()}`);
    if (cert.notBefore.getTime() > at.getTime())
      problems.push(`not valid before ${cert.notBefore.toISOString()}`);
  }
  if (!scope.spec) return problems;
  if (cert.subject.cn !== entry.subject.cn)
    problems.push(`CN "${cert.subject.cn ?? ''}", the spec gives "${entry.subject.cn}"`);
  const missingO = (entry.subject.o ?? []).filter((o) => !cert.subject.o.includes(o));
  if (missingO.length > 0)
    problems.push(`O ${quoted(cert.subject.o)}, the spec gives ${quoted(entry.subject.o ?? [])}`);
  const missingSans = missingAltNames(entry, cert);
  if (missingSans.length > 0) problems.push(`lacks SAN ${missingSans.join(', ')}`);
  if (entry.kind === 'kubeconfig' && found.server !== undefined && found.server !== entry.server)
    problems.push(`server "${found.server}", the spec gives "${entry.server}"`);
  return problems;
}

/** The SANs `entry` requires that `cert` lacks, as `DNS:x` / `IP:y`, in the entry's order. */
export function missingAltNames(entry: IssuedCertEntry, cert: Certificate): string[] {
  const dns = new Set(cert.dnsNames.map((name) => name.toLowerCase()));
  const ips = new Set(cert.ipAddresses.map((ip) => canonicalIp(ip) ?? ip));
  return [
    ...entry.altNames.dns.filter((name) => !dns.has(name.toLowerCase())).map((n) => `DNS:${n}`),
    ...entry.altNames.ip.filter((ip) => !ips.has(canonicalIp(ip) ?? ip)).map((ip) => `IP:${ip}`),
  ];
}

/**
 * The SAN change from `current` (a certificate's or a CSR's) to `wanted`, as `+DNS:x` / `-IP:y`
 * entries (added first, each in order); empty when the sets are equal. Pure.
 */
export function altNameChange(current: AltNames, wanted: AltNames): string[] {
  const have = [
    ...current.dns.map((n) => `DNS:${n.toLowerCase()}`),
    ...current.ip.map((ip) => `IP:${canonicalIp(ip) ?? ip}`),
  ];
  const want = [
    ...wanted.dns.map((n) => `DNS:${n.toLowerCase()}`),
    ...wanted.ip.map((ip) => `IP:${canonicalIp(ip) ?? ip}`),
  ];
  return [
    ...want.filter((san) => !have.includes(san)).map((san) => `+${san}`),
    ...have.filter((san) => !want.includes(san)).map((san) => `-${san}`),
  ];
}

function listOr(values: readonly string[], none: string): string {
  return values.length === 0 ? none : values.join(', ');
}

function quoted(values: readonly string[]): string {
  return values.length === 0 ? 'none' : values.map((v) => `"${v}"`).join(', ');
}
