/** The kubeadm layout's `renew --use-api`: CSRs to the certificates API, one change when all are in. */
import { join } from 'node:path';
import { apiFromKubeconfig } from '../../kube/api-client.js';
import { certificatesApi } from '../../kube/csr-port.js';
import { KUBEADM_ADMIN_CONF } from '../../layouts/kubeadm/catalogue.js';
import { planRenewViaApi } from '../../ops/kubeadm/renew-api.js';
import { applyPlanned, type Planned } from '../../ops/shared/plan.js';
import type { CommitResult, OpsContext } from '../../ops/shared/ports.js';
import type { RenewApiOptions, RenewOptions } from '../options/renew.js';
import { unlessDryRun } from '../output.js';
import { kubeadmLayout, type KubeadmLayout } from './kubeadm-setup.js';

/**
 * Renews through the API (unless a dry run) and returns what the renew handler prints and
 * restarts; progress lines (the CSR names to approve) go to standard error.
 */
export async function renewViaApi(
  ctx: OpsContext,
  options: RenewOptions,
  api: RenewApiOptions,
  restartOrder: readonly string[],
): Promise<{ layout: KubeadmLayout; planned: Planned; result: CommitResult | undefined }> {
  const layout = await kubeadmLayout(options, options.kubeadm, ctx.tree);
  const kube = await apiFromKubeconfig(
    api.kubeconfig ?? join(options.dir, KUBEADM_ADMIN_CONF),
    api.server,
  );
  const planned = await planRenewViaApi(ctx, {
    catalogue: layout.catalogue,
    names: options.names,
    restartOrder,
    api: certificatesApi(kube),
    timeoutMs: api.timeoutMs,
    progress: (line) => process.stderr.write(`[renew] ${line}\n`),
    dryRun: options.dryRun,
  });
  const result = await unlessDryRun(options, () => applyPlanned(ctx, planned));
  return { layout, planned, result };
}
