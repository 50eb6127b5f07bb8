/** `kpki renew NAME...|all`: renewal, all-or-nothing, with a backup and a restart list. */
import type { Command } from 'commander';
import { outputOption } from '../output.js';
import { kubeadmRenewNames, rke2ServiceNames } from '../catalogue-names.js';
import type { Deliver } from '../command-result.js';
import { parseRenewOptions } from '../options/renew.js';
import { addRestartOptions } from '../options/live.js';
import { layoutAction } from './run-layout.js';
import { addCommonOptions, addKubeadmFlags, addRke2Flags } from './common.js';

/** Registers `renew`. */
export function registerRenew(program: Command, deliver: Deliver): void {
  const command = program
    .command('renew')
    .argument(
      '[names...]',
      `kubeadm: "all" or certificate names (${kubeadmRenewNames().join(', ')}); rke2/k3s: service names (${rke2ServiceNames().join(', ')}), default all`,
    )
    .description(
      'renew certificates with new keys, signed by the same CA; all switch together or none',
    );
  addCommonOptions(command);
  addRke2Flags(command);
  addKubeadmFlags(command, false);
  command.option(
    '--update-sans',
    'kubeadm: give the renewed serving certificates the SANs the current spec gives (--config, --apiserver-cert-extra-sans, --control-plane-endpoint…) and the kubeconfigs its server URL; the plan shows each change',
  );
  command.option(
    '--server-data-dir <dir>',
    'rke2/k3s agent dirs: server data dir whose CAs sign the renewed certificates',
  );
  command.option(
    '--service <list>',
    'rke2/k3s: only these services (comma separated or repeated)',
    (value: string, all: string[]) => [...all, value],
    [] as string[],
  );
  command
    .option(
      '--expiring-within <duration>',
      'only renew certificates that expire within this time (e.g. 30d)',
    )
    .option(
      '--allow-expired-ca',
      'kubeadm: renew even when the signing CA has expired or expires within 30 days (warns; rotate the CA instead with rotate-ca)',
    )
    .option('--dry-run', 'print the plan and change nothing')
    .option(
      '--use-api',
      'kubeadm: have each certificate signed through the certificates API (CSRs to approve); the CA key is not needed',
    )
    .option('--kubeconfig <file>', 'with --use-api: credentials for the API server')
    .option('--server <url>', "with --use-api: API server URL instead of the kubeconfig's")
    .option('--api-timeout <duration>', 'with --use-api: how long to wait for the answers', '10m')
    .addOption(outputOption(['text', 'json']));
  addRestartOptions(command);
  layoutAction(command, 'renew', parseRenewOptions, true, deliver);
}
