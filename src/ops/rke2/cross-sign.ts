/**
 * `ca cross-sign` for RKE2/K3s (reference/rke2-k3s.md §11.2, what `rotate-default-ca-certs.sh`
 * does): for each of the five CAs a new self-signed root, the same root cross-signed by the
 * current root, and a new CA under the new root, staged as a server-dir-shaped directory for
 * `rotate-ca --path`. Each bundle is new CA + new root + cross-signed root + old root, so clients
 * holding the old root verify the new chain and clients given the new bundle verify the old
 * leaves; each key file is the new CA's key followed by the new root's (K3s signs with the first).
 * The service key gets a new key in front of the current ones. The join tokens carry the hash
 * K3s computes for the new server CA bundle (§9), not the script's fingerprint of the CA alone.
 */
import { ValidationError } from '../../errors.js';
import {
  isSignedBy,
  keyMatchesCertificate,
  parseCertificates,
  type Certificate,
} from '../../pki/certificate.js';
import { issueCertificate, type SigningAuthority } from '../../pki/issue.js';
import { encodePrivateKey, parsePrivateKeys, type PrivateKey } from '../../pki/keys.js';
import { randomSerial } from '../../pki/serial.js';
import { fileNameOf, requireCaWithRole, type CaEntry } from '../../layouts/catalogue.js';
import type { Rke2Catalogue } from '../../layouts/rke2/catalogue.js';
import { formatJoinTokens, hashCa, type JoinTokens } from '../../layouts/rke2/token.js';
import { storedPasswords } from './token.js';
import { RKE2_ISSUANCE } from '../../layouts/rke2/issuance-profile.js';
import { serviceKeyFile } from '../shared/service-key-file.js';
import type { Plan, PlanItem } from '../shared/plan.js';
import { refuseExisting } from '../shared/refuse-existing.js';
import {
  FileMode,
  type CommitResult,
  type FileWrite,
  type OpsContext,
  type TreeStore,
} from '../shared/ports.js';

/** What {@link crossSignCas} made. */
export interface CrossSignResult {
  readonly plan: Plan;
  readonly result: CommitResult;
  /** The new join tokens; undefined when the data dir has no `server/token`. */
  readonly tokens: (JoinTokens & { readonly caHash: string }) | undefined;
}

const DAY_MS = 86_400_000;
/** The script's lifetime for the new roots and CAs. */
const CROSS_SIGN_DAYS = 7300;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Reads the current CAs of the data dir `ctx.tree` and writes the staged rotation into `out`
 * (paths relative to `server/`, e.g. `tls/server-ca.crt`) in one commit.
 * @throws ValidationError `CA_KEY_MISSING` when a CA file is absent, `NO_ROOT_KEY` when a CA's
 *   root is not self-signed with its key in the key file (a custom hierarchy: generate a new one
 *   with `ca generate` instead); ConflictError `FILE_EXISTS` when `out` already holds a file it
 *   would write; InvalidInputError for unparseable files.
 */
export async function crossSignCas(
  ctx: OpsContext,
  out: TreeStore,
  catalogue: Rke2Catalogue,
): Promise<CrossSignResult> {
  const now = ctx.clock.now();
  const stamp = Math.floor(now.getTime() / 1000);
  const current = await Promise.all(
    catalogue.cas.map(async (entry) => ({ entry, root: await currentRoot(ctx, entry) })),
  );
  const writes: FileWrite[] = [];
  const items: PlanItem[] = [];
  const staged = (path: string): string => path.slice('server/'.length);
  for (const { entry, root } of current) {
    const infix = `${catalogue.program}-${entry.name.replace(/-ca$/, '').replace('/', '-')}`;
    const rootKey = await ctx.keys.generate('ECDSA-P256');
    const template = (cn: string): Parameters<typeof issueCertificate>[0] => ({
      subject: { cn },
      isCA: true,
      keyUsage: entry.keyUsage,
      extKeyUsage: [],
      serialHex: randomSerial(ctx.random),
      notBefore: new Date(now.getTime() - RKE2_ISSUANCE.backdateMs),
      notAfter: new Date(now.getTime() + CROSS_SIGN_DAYS * DAY_MS),
    });
    const selfSigned = await issueCertificate(
      template(`${infix}-root@${stamp}`),
      rootKey.keyObject,
      { selfSigned: rootKey },
    );
    const crossSigned = await issueCertificate(
      template(`${infix}-root@${stamp}`),
      rootKey.keyObject,
      root,
    );
    const caKey = await ctx.keys.generate('ECDSA-P256');
    const ca = await issueCertificate(template(`${infix}-ca@${stamp}`), caKey.keyObject, {
      certificate: selfSigned,
      key: rootKey,
    });
    const bundle = [ca, selfSigned, crossSigned, root.certificate].map((cert) => cert.pem).join('');
    writes.push({
      path: staged(entry.certPath),
      data: encoder.encode(bundle),
      mode: FileMode.cert,
    });
    writes.push({
      path: staged(entry.keyPath),
      data: encoder.encode(encodePrivateKey(caKey) + encodePrivateKey(rootKey)),
      mode: FileMode.key,
    });
    items.push({
      name: entry.name,
      action: 'create',
      reason: `new root ${selfSigned.subject.cn ?? ''}, cross-signed by ${root.certificate.subject.cn ?? 'the current root'}`,
      files: [staged(entry.certPath), staged(entry.keyPath)],
    });
  }
  const serviceKeyPath = catalogue.serviceKeyPath;
  const oldServiceKey = await ctx.tree.read(serviceKeyPath);
  writes.push({
    path: staged(serviceKeyPath),
    data: (await serviceKeyFile(ctx, oldServiceKey, serviceKeyPath)).data,
    mode: FileMode.key,
  });
  items.push({
    name: fileNameOf(serviceKeyPath),
    action: 'create',
    reason: oldServiceKey
      ? 'new RSA 2048 key first, the current keys kept after it'
      : 'new RSA 2048 key',
    files: [staged(serviceKeyPath)],
  });
  await refuseExisting(out, writes);
  const serverCaPath = staged(requireCaWithRole(catalogue, 'server').certPath);
  const serverCa = writes.find((write) => write.path === serverCaPath);
  const tokens = serverCa ? await newTokens(ctx, serverCa.data, serverCaPath, now) : undefined;
  const plan: Plan = {
    operation: 'ca cross-sign',
    root: out.root,
    items,
    restart: [],
    warnings: tokens
      ? []
      : [
          'the data dir has no server/token: run kpki token on the data dir after rotate-ca to get the new join tokens',
        ],
  };
  return { plan, result: await out.commit({ writes, deletes: [] }, 'ca-cross-sign'), tokens };
}

/**
 * The current root of a CA: the self-signed certificate of its bundle whose key is in its key
 * file (the CA itself for a CA K3s made; the root of the last cross-signed rotation otherwise).
 */
async function currentRoot(ctx: OpsContext, entry: CaEntry): Promise<SigningAuthority> {
  const certBytes = await ctx.tree.read(entry.certPath);
  const keyBytes = await ctx.tree.read(entry.keyPath);
  if (certBytes === undefined || keyBytes === undefined) {
    throw new ValidationError(
      'CA_KEY_MISSING',
      `current ${entry.name} "${certBytes === undefined ? entry.certPath : entry.keyPath}" does not exist in "${ctx.tree.root}"; cannot cross-sign`,
    );
  }
  const certs = parseCertificates(decoder.decode(certBytes), entry.certPath);
  const keys = parsePrivateKeys(decoder.decode(keyBytes), entry.keyPath);
  const found = rootWithKey(certs, keys);
  if (!found) {
    throw new ValidationError(
      'NO_ROOT_KEY',
      `${entry.name}: "${entry.certPath}" holds no self-signed root whose key is in "${entry.keyPath}", so it cannot cross-sign a new root`,
      {
        hint: 'a CA under a custom root is rotated with a new hierarchy from that root: kpki ca generate --root-cert … --root-key …',
      },
    );
  }
  return found;
}

function rootWithKey(
  certs: readonly Certificate[],
  keys: readonly PrivateKey[],
): SigningAuthority | undefined {
  for (const certificate of certs) {
    if (!certificate.isCA || !isSignedBy(certificate, certificate)) continue;
    const key = keys.find((candidate) => keyMatchesCertificate(certificate, candidate.keyObject));
    if (key) return { certificate, key };
  }
  return undefined;
}

async function newTokens(
  ctx: OpsContext,
  serverCa: Uint8Array,
  source: string,
  now: Date,
): Promise<(JoinTokens & { caHash: string }) | undefined> {
  const { server, agent } = await storedPasswords(ctx);
  if (server === undefined) return undefined;
  const { hash } = hashCa(serverCa, source, now);
  return { ...formatJoinTokens(hash, server, agent ?? server), caHash: hash };
}
