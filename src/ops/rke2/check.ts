/**
 * `check` for RKE2/K3s: every certificate of every file of the selected services (leaf and the
 * chain after it), as `<prog> certificate check` reports them, in a stable order (services in
 * K3s's list order, files in catalogue order), plus the dynamic listener certificate from
 * `dynamic-cert.json` that the native command does not look at. Changes nothing.
 */
import { describeError, ValidationError } from '../../errors.js';
import { readKubeconfig } from '../../layouts/kubeconfig.js';
import {
  keyMatchesCertificate,
  parseCertificates,
  type Certificate,
} from '../../pki/certificate.js';
import { parsePrivateKeys, spkiOf } from '../../pki/keys.js';
import { chainProblem, withSubject } from '../../layouts/chain-problem.js';
import { keyPathOf, serviceCertFiles, type Rke2Catalogue } from '../../layouts/rke2/catalogue.js';
import { checkRecord, type Rke2CheckRecord } from '../../layouts/rke2/check-output.js';
import { parseDynamicCert } from '../../layouts/rke2/dynamic-cert.js';
import type { OpsContext } from '../shared/ports.js';

/** Inputs of {@link checkRke2}. */
export interface Rke2CheckParams {
  readonly catalogue: Rke2Catalogue;
  /** Resolved service names (see selectServices). */
  readonly services: readonly string[];
  /** The WARNING window (120 days; 90 for releases before May 2025). */
  readonly windowMs: number;
}

/** What check found. */
export interface Rke2CheckResult {
  readonly at: Date;
  readonly records: readonly Rke2CheckRecord[];
  /** Files that exist but cannot be used (unreadable, malformed, key mismatch, wrong issuer). */
  readonly problems: readonly string[];
}

const decoder = new TextDecoder();

/** Reads the selected services' files. Missing files are skipped, as K3s skips them. */
export async function checkRke2(
  ctx: OpsContext,
  params: Rke2CheckParams,
): Promise<Rke2CheckResult> {
  const at = ctx.clock.now();
  const records: Rke2CheckRecord[] = [];
  const problems: string[] = [];
  const caFirst = await firstCaCertificates(ctx, params.catalogue);
  problems.push(...(await caProblems(ctx, params.catalogue)));
  problems.push(...(await serviceKeyProblems(ctx, params.catalogue)));
  for (const service of params.services) {
    for (const path of serviceCertFiles(params.catalogue, service)) {
      try {
        const certs = await readCertificates(ctx, path);
        if (!certs) continue;
        records.push(
          ...certs.map((cert) => checkRecord(baseName(path), cert, at, params.windowMs)),
        );
        problems.push(...(await leafProblems(ctx, params.catalogue, path, certs, caFirst)));
      } catch (error) {
        problems.push(describeError(error));
      }
    }
    if (service === 'admin') {
      try {
        records.push(...(await userKubeconfigRecords(ctx, params, at)));
      } catch (error) {
        problems.push(describeError(error));
      }
    }
    if (service === `${params.catalogue.program}-server`) {
      try {
        records.push(...(await dynamicCertRecords(ctx, params, at)));
      } catch (error) {
        problems.push(describeError(error));
      }
    }
  }
  return { at, records, problems };
}

async function readCertificates(ctx: OpsContext, path: string): Promise<Certificate[] | undefined> {
  const bytes = await ctx.tree.read(path);
  return bytes === undefined ? undefined : parseCertificates(decoder.decode(bytes), path);
}

/** The first certificate of each CA file present, by CA name. */
async function firstCaCertificates(
  ctx: OpsContext,
  catalogue: Rke2Catalogue,
): Promise<Map<string, Certificate>> {
  const found = new Map<string, Certificate>();
  for (const ca of catalogue.cas) {
    const certs = await readCertificates(ctx, ca.certPath).catch(() => undefined);
    if (certs?.[0]) found.set(ca.name, certs[0]);
  }
  return found;
}

/**
 * What is wrong with the CA files that exist: a certificate that is empty, unreadable, too large
 * or not PEM; a key that is empty, not a key or not the certificate's; one half of a pair gone.
 * A CA with neither file is left to the leaves' checks (an agent-only or partial tree).
 */
async function caProblems(ctx: OpsContext, catalogue: Rke2Catalogue): Promise<string[]> {
  const problems: string[] = [];
  for (const ca of catalogue.cas) {
    try {
      const certBytes = await ctx.tree.read(ca.certPath);
      const keyBytes = await ctx.tree.read(ca.keyPath);
      if (certBytes === undefined && keyBytes === undefined) continue;
      if (certBytes === undefined) {
        problems.push(`CA "${ca.name}": the certificate "${ca.certPath}" is missing`);
        continue;
      }
      const cert = parseCertificates(decoder.decode(certBytes), ca.certPath)[0];
      if (!cert) throw new ValidationError('BAD_PEM', `"${ca.certPath}" holds no certificate`);
      if (keyBytes === undefined) continue;
      const key = parsePrivateKeys(decoder.decode(keyBytes), ca.keyPath)[0];
      if (!key) throw new ValidationError('BAD_PEM', `"${ca.keyPath}" holds no private key`);
      if (!keyMatchesCertificate(cert, key.keyObject))
        problems.push(`CA "${ca.name}": key "${ca.keyPath}" does not match "${ca.certPath}"`);
    } catch (error) {
      problems.push(`CA "${ca.name}": ${describeError(error)}`);
    }
  }
  return problems;
}

/**
 * What is wrong with the service-account keys: `service.key` (every key kube-apiserver verifies
 * tokens with) unreadable, not keys or not RSA; `service.current.key` (the signer) not the first
 * key of `service.key`, so tokens signed now would be checked against keys that never signed them.
 * A tree without `service.key` (an agent) has nothing to check.
 */
async function serviceKeyProblems(ctx: OpsContext, catalogue: Rke2Catalogue): Promise<string[]> {
  const { serviceKeyPath, serviceCurrentKeyPath } = catalogue;
  try {
    const all = await ctx.tree.read(serviceKeyPath);
    if (all === undefined) return [];
    const keys = parsePrivateKeys(decoder.decode(all), serviceKeyPath);
    const first = keys[0];
    if (!first) return [`"${serviceKeyPath}" holds no private key`];
    const notRsa = keys.find((key) => !key.algorithm.startsWith('RSA-'));
    if (notRsa) return [`"${serviceKeyPath}" holds a ${notRsa.algorithm} key, not RSA`];
    const current = await ctx.tree.read(serviceCurrentKeyPath);
    if (current === undefined) return [];
    const signer = parsePrivateKeys(decoder.decode(current), serviceCurrentKeyPath);
    if (signer.length !== 1 || !spkiOf(signer[0]!.keyObject).equals(spkiOf(first.keyObject)))
      return [
        `"${serviceCurrentKeyPath}" is not the first key of "${serviceKeyPath}" alone; tokens it signs would not verify`,
      ];
    return [];
  } catch (error) {
    return [describeError(error)];
  }
}

/** A leaf whose key does not match, or that its catalogue CA did not sign. */
async function leafProblems(
  ctx: OpsContext,
  catalogue: Rke2Catalogue,
  path: string,
  certs: readonly Certificate[],
  cas: ReadonlyMap<string, Certificate>,
): Promise<string[]> {
  const leaf = catalogue.leaves.find((entry) => entry.certPath === path);
  const cert = certs[0];
  if (!cert) return [];
  const problems: string[] = [];
  const keyPath = keyPathOf(path);
  const keyBytes = await ctx.tree.read(keyPath);
  if (keyBytes !== undefined) {
    const key = parsePrivateKeys(decoder.decode(keyBytes), keyPath)[0];
    if (key && !keyMatchesCertificate(cert, key.keyObject))
      problems.push(`key "${keyPath}" does not match certificate "${path}"`);
  }
  const ca = leaf && cas.get(leaf.ca);
  const caPath = catalogue.cas.find((entry) => entry.name === leaf?.ca)?.certPath;
  const chain =
    ca &&
    chainProblem(cert, ca, `CA "${leaf.ca}" (${caPath ?? ''})`, ctx.clock.now(), certs.slice(1));
  if (chain) problems.push(withSubject(`"${path}"`, chain));
  return problems;
}

async function dynamicCertRecords(
  ctx: OpsContext,
  params: Rke2CheckParams,
  at: Date,
): Promise<Rke2CheckRecord[]> {
  const path = params.catalogue.dynamicCertPath;
  const bytes = await ctx.tree.read(path);
  if (bytes === undefined) return [];
  const secret = parseDynamicCert(decoder.decode(bytes), path);
  const certs = parseCertificates(secret.certPem, `${path} (tls.crt)`);
  return certs.map((cert) => checkRecord(baseName(path), cert, at, params.windowMs));
}

/**
 * The client certificate chain embedded in the user kubeconfig (`rke2.yaml`/`k3s.yaml`), which
 * the native check leaves out although it is what people use. Early K3s wrote basic auth there
 * instead: no certificate, no rows.
 */
async function userKubeconfigRecords(
  ctx: OpsContext,
  params: Rke2CheckParams,
  at: Date,
): Promise<Rke2CheckRecord[]> {
  const user = params.catalogue.userKubeconfig;
  const bytes = user && (await ctx.tree.read(user.path));
  if (!user || bytes === undefined) return [];
  const credentials = readKubeconfig(decoder.decode(bytes), user.path);
  if (credentials.certPem === undefined) return [];
  const certs = parseCertificates(credentials.certPem, `${user.path} (client-certificate-data)`);
  const key =
    credentials.keyPem === undefined
      ? undefined
      : parsePrivateKeys(credentials.keyPem, `${user.path} (client-key-data)`)[0];
  if (key && certs[0] && !keyMatchesCertificate(certs[0], key.keyObject))
    throw new ValidationError(
      'KEY_MISMATCH',
      `the client key in "${user.path}" does not match its certificate`,
    );
  return certs.map((cert) => checkRecord(baseName(user.path), cert, at, params.windowMs));
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
