/**
 * The dynamic listener (supervisor) serving certificate in `server/tls/dynamic-cert.json`: the
 * listener re-signs it with the same key once it is within the renewal window (reference/
 * rke2-k3s.md §4.12); `renew` does the same offline. User-provided (static) certificates are
 * never touched.
 */
import { createHash } from 'node:crypto';
import { parseCertificates } from '../../pki/certificate.js';
import { parsePrivateKey } from '../../pki/keys.js';
import { fileNameOf, requireCaWithRole } from '../../layouts/catalogue.js';
import type { Rke2Catalogue, Rke2Leaf } from '../../layouts/rke2/catalogue.js';
import { parseDynamicCert, replaceDynamicCertificate } from '../../layouts/rke2/dynamic-cert.js';
import type { Rke2Authority } from './issue.js';
import { issueLeaf } from '../shared/issue.js';
import { RKE2_ISSUANCE } from '../../layouts/rke2/issuance-profile.js';
import type { PlanItem } from '../shared/plan.js';
import { FileMode, type FileWrite, type OpsContext } from '../shared/ports.js';

const decoder = new TextDecoder();

/**
 * Plans and produces the renewal of the cached listener certificate; undefined when there is no
 * cache file.
 * @throws InvalidInputError when the cache or its certificate or key does not parse.
 */
export async function renewDynamicCert(
  ctx: OpsContext,
  catalogue: Rke2Catalogue,
  ca: Rke2Authority | undefined,
  windowMs: number,
): Promise<{ item: PlanItem; writes: FileWrite[] } | undefined> {
  const path = catalogue.dynamicCertPath;
  const name = fileNameOf(path);
  const bytes = await ctx.tree.read(path);
  if (bytes === undefined) return undefined;
  const text = decoder.decode(bytes);
  const secret = parseDynamicCert(text, path);
  const [cert] = parseCertificates(secret.certPem, `${path} (tls.crt)`);
  const key = parsePrivateKey(secret.keyPem, `${path} (tls.key)`);
  const skip = (reason: string): { item: PlanItem; writes: FileWrite[] } => ({
    item: { name, action: 'skip', reason, files: [] },
    writes: [],
  });
  if (!cert) return skip('no certificate');
  if (secret.isStatic) return skip('user-provided (listener.cattle.io/static), never renewed');
  const now = ctx.clock.now();
  if (cert.notAfter.getTime() - now.getTime() > windowMs)
    return skip(`valid until ${cert.notAfter.toISOString()}`);
  if (!ca) return skip('server CA not available');
  const item: PlanItem = {
    name,
    action: 'renew',
    reason: `expires ${cert.notAfter.toISOString()}; re-signed with the same key as the listener does`,
    files: [path],
  };
  const entry: Rke2Leaf = {
    kind: 'leaf',
    name,
    longName: 'dynamic listener serving certificate',
    service: `${catalogue.program}-server`,
    certPath: path,
    keyPath: path,
    ca: requireCaWithRole(catalogue, 'server').name,
    subject: { cn: catalogue.program, o: [catalogue.program] },
    altNames: { dns: cert.dnsNames, ip: cert.ipAddresses },
    keyUsage: ['digitalSignature', 'keyEncipherment'],
    extKeyUsage: ['serverAuth'],
    validityMs: catalogue.leaves[0]?.validityMs ?? 365 * 86_400_000,
    keyAlgorithm: 'ECDSA-P256',
    restart: [`${catalogue.program}-server`],
  };
  const renewed = (await issueLeaf(ctx, RKE2_ISSUANCE, entry, ca, now, key)).certificate;
  const certPem = renewed.pem + ca.bundlePem;
  const sha1 = createHash('sha1').update(renewed.der).digest('hex');
  return {
    item,
    writes: [
      {
        path,
        data: new TextEncoder().encode(replaceDynamicCertificate(text, path, certPem, sha1)),
        mode: FileMode.key,
      },
    ],
  };
}
