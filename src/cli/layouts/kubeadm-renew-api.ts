/** The kubeadm layout's `renew --use-api`: CSRs to the certificates API, one change when all are in. */
import { join } from 'node:path';
import { apiFromKubeconfig } from '../../kube/api-client.js';
import { certificatesApi } from '../../kube/csr-port.js';
import { ADMIN_KUBECONFIG } from '../../layouts/kubeadm/catalogue.js';
import { planRenewViaApi } from '../../ops/kubeadm/renew-api.js';
import { applyPlanned } from '../../ops/shared/plan.js';
import type { OpsContext } from '../../ops/shared/ports.js';
import { succeeded, type CommandResult } from '../command-result.js';
import type { RenewApiOptions, RenewOptions } from '../options/renew.js';
import { planOutput, unlessDryRun } from '../output.js';
import { kubeadmLayout } from './kubeadm-setup.js';

/** Renews through the API; progress lines (the CSR names to approve) go to standard error. */
export async function renewViaApi(
  ctx: OpsContext,
  options: RenewOptions,
  api: RenewApiOptions,
  restartOrder: readonly string[],
): Promise<CommandResult> {
  const layout = await kubeadmLayout(options, options.kubeadm);
  const kube = await apiFromKubeconfig(
    api.kubeconfig ?? join(options.dir, ADMIN_KUBECONFIG),
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
  return succeeded(planOutput(options, planned.plan, result));
}
