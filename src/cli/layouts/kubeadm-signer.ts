/** The kubeadm layout's `signer`: one pass (`--once`) or a loop until SIGTERM/SIGINT. */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { runSigner, signerPass, type SignerPass } from '../../daemon/signer.js';
import { apiFromKubeconfig } from '../../kube/api-client.js';
import type { OpsContext } from '../../ops/shared/ports.js';
import { succeeded, type CommandResult } from '../command-result.js';
import type { SignerOptions } from '../options/signer.js';
import { NO_KUBEADM_FLAGS } from '../options/kubeadm-flags.js';
import { kubeadmLayout } from './kubeadm-setup.js';

/** Runs the signer on the tree's CAs; the loop's events go to stderr as JSON lines. */
export async function kubeadmSigner(
  ctx: OpsContext,
  options: SignerOptions,
): Promise<CommandResult> {
  const { catalogue } = await kubeadmLayout(options, NO_KUBEADM_FLAGS);
  const api = await apiFromKubeconfig(options.kubeconfig, options.server);
  const log = (event: Readonly<Record<string, unknown>>): void => {
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...event })}\n`);
  };
  const setup = { api, ctx, catalogue, log: options.once ? () => undefined : log };
  if (options.once) return succeeded(formatPass(await signerPass(setup), options.output));
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  try {
    const lease =
      options.lease === undefined
        ? undefined
        : {
            ...options.lease,
            identity: options.lease.identity ?? `${hostname()}_${randomBytes(4).toString('hex')}`,
          };
    await runSigner(setup, options.intervalMs, stop.signal, lease);
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
  return succeeded('');
}

function formatPass(pass: SignerPass, output: 'text' | 'json'): string {
  if (output === 'json') return JSON.stringify(pass, null, 2);
  const lines = [
    ...pass.signed.map((s) => `signed ${s.csr} as ${s.entry}`),
    ...pass.refused.map((r) => `refused ${r.csr} (${r.reason}): ${r.message}`),
    ...pass.lost.map((name) => `lost ${name}: another signer answered it first, or it is gone`),
  ];
  return lines.length === 0 ? 'no approved CSR for kpki signers' : lines.join('\n');
}
