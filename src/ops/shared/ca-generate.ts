/**
 * `ca generate`: a custom CA hierarchy — a root (given, or made: RSA 4096, 20 years), an
 * intermediate (given, or made by the root: RSA 4096, ~10 years) and the layout's CAs signed by
 * the intermediate — written with the file names and bundles the layout expects, so `kpki init`
 * (or the distribution itself) starts from them. No openssl needed; existing files are never
 * overwritten, except a layout's service-account key file, whose keys are kept behind the new one.
 */
import { ValidationError } from '../../errors.js';
import { encodePrivateKey, type KeyAlgorithm, type PrivateKey } from '../../pki/keys.js';
import { keyMatchesCertificate, type Certificate } from '../../pki/certificate.js';
import { chainProblem, withSubject } from '../../layouts/chain-problem.js';
import { issueCertificate, type SigningAuthority } from '../../pki/issue.js';
import { randomSerial } from '../../pki/serial.js';
import type { HierarchySpec } from '../../layouts/hierarchy.js';
import { fileNameOf } from '../../layouts/catalogue.js';
import type { Plan, PlanItem } from './plan.js';
import { serviceKeyFile } from './service-key-file.js';
import { refuseExisting } from './refuse-existing.js';
import {
  FileMode,
  type CommitResult,
  type FileWrite,
  type OpsContext,
  type TreeStore,
} from './ports.js';

/** A CA handed in by the user: certificate(s) and key. */
export interface GivenCa {
  readonly certs: readonly Certificate[];
  /** Needed for the root only when no intermediate is given (the root must sign one). */
  readonly key?: PrivateKey;
  readonly source: string;
}

/** Inputs of ca generate. */
export interface CaGenerateParams {
  readonly hierarchy: HierarchySpec;
  readonly root?: GivenCa;
  readonly intermediate?: GivenCa;
}

const DAY = 86_400_000;
const CA_USAGE = ['digitalSignature', 'keyEncipherment', 'keyCertSign'] as const;
const encoder = new TextEncoder();

/**
 * Makes the hierarchy and writes it into `out` in one commit.
 * @throws ValidationError `BAD_CA_INPUT` when a given key does not match its certificate, a given
 *   certificate is not a CA, or the intermediate is not signed by the root.
 */
export async function generateHierarchy(
  ctx: OpsContext,
  out: TreeStore,
  params: CaGenerateParams,
): Promise<{ plan: Plan; result: CommitResult }> {
  const { hierarchy } = params;
  const now = ctx.clock.now();
  checkGiven(params, now);
  const root = params.root
    ? undefined
    : await makeCa(ctx, hierarchy.rootCn, 'RSA-4096', now, hierarchy.rootDays);
  const rootCert =
    params.root?.certs[params.root.certs.length - 1] ?? (root as SigningAuthority).certificate;
  const intermediate = params.intermediate
    ? authority(params.intermediate)
    : await makeCa(
        ctx,
        hierarchy.intermediateCn,
        'RSA-4096',
        now,
        hierarchy.intermediateDays,
        root ?? authority(params.root as GivenCa),
      );
  const chain = [intermediate.certificate, rootCert];
  const writes: FileWrite[] = [];
  if (root) writes.push(...pair('root-ca', root, [root.certificate]));
  if (!params.intermediate) writes.push(...pair('intermediate-ca', intermediate, chain));
  for (const ca of hierarchy.cas) {
    const made = await makeCa(ctx, ca.cn, ca.keyAlgorithm, now, hierarchy.caDays, intermediate);
    writes.push({
      path: ca.keyPath,
      data: encoder.encode(encodePrivateKey(made.key)),
      mode: FileMode.key,
    });
    writes.push({
      path: ca.certPath,
      data: encoder.encode(pem(ca.withChain ? [made.certificate, ...chain] : [made.certificate])),
      mode: FileMode.cert,
    });
    if (ca.plainPath !== undefined)
      writes.push({
        path: ca.plainPath,
        data: encoder.encode(made.certificate.pem),
        mode: FileMode.cert,
      });
  }
  await refuseExisting(out, writes);
  const items: PlanItem[] = hierarchy.cas.map((ca) => ({
    name: ca.name,
    action: 'create' as const,
    reason: `signed by ${hierarchy.intermediateCn}`,
    files: [ca.keyPath, ca.certPath],
  }));
  if (hierarchy.serviceKeyPath !== undefined) {
    const old = await out.read(hierarchy.serviceKeyPath);
    writes.push({
      path: hierarchy.serviceKeyPath,
      data: (await serviceKeyFile(ctx, old, `${out.root}/${hierarchy.serviceKeyPath}`)).data,
      mode: FileMode.key,
    });
    items.push({
      name: fileNameOf(hierarchy.serviceKeyPath),
      action: old ? 'renew' : 'create',
      reason: old ? 'new RSA 2048 key first, the existing keys kept after it' : 'new RSA 2048 key',
      files: [hierarchy.serviceKeyPath],
    });
  }
  const plan: Plan = {
    operation: 'ca generate',
    root: out.root,
    restart: [],
    items,
    warnings: params.root
      ? []
      : [
          'move root-ca.key (and intermediate-ca.key once the CAs exist) offline: the cluster never needs them',
        ],
  };
  return { plan, result: await out.commit({ writes, deletes: [] }, 'ca-generate') };
}

/** Root and intermediate files: `<name>.key`, `<name>.pem` (the certificate) and `<name>.crt` (with its chain). */
function pair(name: string, ca: SigningAuthority, chain: Certificate[]): FileWrite[] {
  return [
    { path: `${name}.key`, data: encoder.encode(encodePrivateKey(ca.key)), mode: FileMode.key },
    { path: `${name}.pem`, data: encoder.encode(ca.certificate.pem), mode: FileMode.cert },
    { path: `${name}.crt`, data: encoder.encode(pem(chain)), mode: FileMode.cert },
  ];
}

async function makeCa(
  ctx: OpsContext,
  cn: string,
  algorithm: KeyAlgorithm,
  now: Date,
  days: number,
  issuer?: SigningAuthority,
): Promise<SigningAuthority> {
  const key = await ctx.keys.generate(algorithm);
  const certificate = await issueCertificate(
    {
      subject: { cn },
      isCA: true,
      keyUsage: CA_USAGE,
      extKeyUsage: [],
      notBefore: new Date(now.getTime() - 3600_000),
      notAfter: new Date(now.getTime() + days * DAY),
      serialHex: randomSerial(ctx.random),
    },
    key.keyObject,
    issuer ?? { selfSigned: key },
  );
  return { certificate, key };
}

function authority(given: GivenCa): SigningAuthority {
  if (!given.key)
    throw new ValidationError(
      'BAD_CA_INPUT',
      `"${given.source}" needs its key (--root-key) to sign an intermediate`,
    );
  return { certificate: given.certs[0] as Certificate, key: given.key };
}

function checkGiven(params: CaGenerateParams, at: Date): void {
  const problems: string[] = [];
  for (const given of [params.root, params.intermediate]) {
    const cert = given?.certs[0];
    if (!given || !cert) continue;
    if (!cert.isCA) problems.push(`"${given.source}" is not a CA certificate`);
    if (given.key && !keyMatchesCertificate(cert, given.key.keyObject))
      problems.push(`the key given for "${given.source}" does not match it`);
  }
  const inter = params.intermediate?.certs[0];
  const root = params.root?.certs[0];
  const chain = inter && root && chainProblem(inter, root, `"${params.root?.source ?? ''}"`, at);
  if (chain) problems.push(withSubject(`"${params.intermediate?.source ?? ''}"`, chain));
  if (params.intermediate && !params.root)
    problems.push('an intermediate needs its root (--root-cert) for the bundles');
  if (problems.length > 0)
    throw new ValidationError('BAD_CA_INPUT', `cannot build the hierarchy: ${problems.join('; ')}`);
}

function pem(certs: readonly Certificate[]): string {
  return certs.map((cert) => cert.pem).join('');
}
