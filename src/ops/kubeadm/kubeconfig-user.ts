/**
 * `kubeconfig user`: a kubeconfig for an extra user, signed by the cluster CA, written to standard
 * output as `kubeadm kubeconfig user` does (nothing is stored in the tree).
 */
import { ValidationError } from '../../errors.js';
import { encodePrivateKey, type KeyAlgorithm } from '../../pki/keys.js';
import { issueCertificate } from '../../pki/issue.js';
import { randomSerial } from '../../pki/serial.js';
import type { CaEntry } from '../../layouts/catalogue.js';
import { buildKubeconfig } from '../../layouts/kubeconfig.js';
import { loadCa, requireLoaded } from './load-tree.js';
import type { OpsContext } from '../shared/ports.js';

/** Inputs of kubeconfig user. */
export interface KubeconfigUserParams {
  readonly ca: CaEntry;
  readonly clientName: string;
  readonly organizations: readonly string[];
  readonly validityMs: number;
  readonly backdateMs: number;
  readonly keyAlgorithm: KeyAlgorithm;
  readonly clusterName: string;
  readonly server: string;
}

/**
 * Issues a client certificate (clientAuth) for `clientName` and returns the kubeconfig text.
 * @throws ValidationError `CA_KEY_MISSING` in external-CA mode (the CA key is needed).
 */
export async function buildUserKubeconfig(
  ctx: OpsContext,
  params: KubeconfigUserParams,
): Promise<string> {
  const ca = await loadCa(ctx.tree, params.ca);
  requireLoaded(ca);
  if (!ca.cert || !ca.key)
    throw new ValidationError(
      'CA_KEY_MISSING',
      `cannot sign a user certificate: "${params.ca.keyPath}" is missing (external CA)`,
    );
  const start = ctx.clock.now();
  const key = await ctx.keys.generate(params.keyAlgorithm);
  const cert = await issueCertificate(
    {
      subject: { cn: params.clientName, o: params.organizations },
      isCA: false,
      keyUsage: ['digitalSignature', 'keyEncipherment'],
      extKeyUsage: ['clientAuth'],
      notBefore: new Date(start.getTime() - params.backdateMs),
      notAfter: new Date(start.getTime() + params.validityMs),
      serialHex: randomSerial(ctx.random),
    },
    key.keyObject,
    { certificate: ca.cert, key: ca.key },
  );
  return buildKubeconfig({
    clusterName: params.clusterName,
    server: params.server,
    caPem: ca.cert.pem,
    userName: params.clientName,
    certPem: cert.pem,
    keyPem: encodePrivateKey(key),
  });
}
