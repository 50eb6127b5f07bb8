/** `kpki approver`: approve or deny pending CSRs by a policy file; everything else is left alone. */
import type { Command } from 'commander';
import { approverPass, runApprover, type ApproverPass } from '../../daemon/approver.js';
import { UsageError } from '../../errors.js';
import { apiFromKubeconfig } from '../../kube/api-client.js';
import { parseApproverPolicy } from '../../layouts/approver-policy.js';
import { parseDuration } from '../../pki/duration.js';
import { readInputText } from '../../stores/bounded-read.js';
import { succeeded, type CommandResult, type Deliver } from '../command-result.js';
import { outputOption } from '../output.js';

interface ApproverFlags {
  readonly kubeconfig?: string;
  readonly policy?: string;
  readonly server?: string;
  readonly once?: boolean;
  readonly interval: string;
  readonly output: 'text' | 'json';
}

async function runApproverCommand(flags: ApproverFlags): Promise<CommandResult> {
  if (flags.kubeconfig === undefined) throw new UsageError('approver needs --kubeconfig');
  if (flags.policy === undefined) throw new UsageError('approver needs --policy');
  const intervalMs = parseDuration(flags.interval, '--interval');
  const policy = parseApproverPolicy(await readInputText(flags.policy, 'config'), flags.policy);
  const api = await apiFromKubeconfig(flags.kubeconfig, flags.server);
  const log = (event: Readonly<Record<string, unknown>>): void => {
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...event })}\n`);
  };
  const setup = { api, policy, now: () => new Date(), log: flags.once ? () => undefined : log };
  if (flags.once === true) return succeeded(formatPass(await approverPass(setup), flags.output));
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  try {
    await runApprover(setup, intervalMs, stop.signal);
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
  return succeeded('');
}

function formatPass(pass: ApproverPass, output: 'text' | 'json'): string {
  if (output === 'json') return JSON.stringify(pass, null, 2);
  const lines = [
    ...pass.approved.map((name) => `approved ${name}`),
    ...pass.denied.map((d) => `denied ${d.csr}: ${d.message}`),
    ...pass.lost.map((name) => `lost ${name}: decided by someone else first, or gone`),
  ];
  return lines.length === 0 ? 'no pending CSR the policy covers' : lines.join('\n');
}

/** Registers `approver`. */
export function registerApprover(program: Command, deliver: Deliver): void {
  program
    .command('approver')
    .description(
      'approve kubelet serving CSRs and kpki renewal CSRs by policy, deny what breaks it, leave the rest alone',
    )
    .option(
      '--kubeconfig <file>',
      "the approver's kubeconfig (needs list CSRs, update approval, get nodes)",
    )
    .option('--policy <file>', 'ApproverPolicy YAML (kpki.io/v1alpha1)')
    .option('--server <url>', "API server URL instead of the kubeconfig's")
    .option('--once', 'one pass over the pending CSRs, print what was done, exit')
    .option('--interval <duration>', 'time between passes when running', '5s')
    .addOption(outputOption(['text', 'json']))
    .action(async (flags: ApproverFlags) => deliver(await runApproverCommand(flags)));
}
