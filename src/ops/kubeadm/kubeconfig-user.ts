/**
 * `kubeconfig user`: a kubeconfig for an extra user, signed by the cluster CA, written to standard
 * output as `kubeadm kubeconfig user` does (nothing is stored in the tree).
 */
import { ValidationError } from '../../errors.js';
import { encodePrivateKey, type KeyAlgorithm } from '../../pki/keys.js';
import type { CaEntry } from '../../layouts/catalogue.js';
import { buildKubeconfig } from '../../layouts/kubeconfig.js';
import { loadCa, requireLoaded } from './load-tree.js';
import { issueLeaf } from '../shared/issue.js';
import type { OpsContext } from '../shared/ports.js';
import { KUBEADM_ISSUANCE } from '../../layouts/kubeadm/issuance-profile.js';

/** Inputs of kubeconfig user. */
export interface KubeconfigUserParams {
  readonly ca: CaEntry;
  readonly clientName: string;
  readonly organizations: readonly string[];
  readonly validityMs: number;
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
  const { certificate: cert, key } = await issueLeaf(
    ctx,
    KUBEADM_ISSUANCE,
    {
      name: params.clientName,
      ca: params.ca.name,
      subject: { cn: params.clientName, o: params.organizations },
      altNames: { dns: [], ip: [] },
      keyUsage: ['digitalSignature', 'keyEncipherment'],
      extKeyUsage: ['clientAuth'],
      validityMs: params.validityMs,
      keyAlgorithm: params.keyAlgorithm,
    },
    { certificate: ca.cert, key: ca.key },
    start,
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
