/** `kpki kubeconfig user`: a kubeconfig for an extra user, on standard output. */
import type { Command } from 'commander';
import type { Deliver } from '../command-result.js';
import { parseKubeconfigUserOptions } from '../options/kubeconfig-user.js';
import { layoutAction } from './run-layout.js';
import { addCommonOptions } from './common.js';

/** Registers `kubeconfig user`. */
export function registerKubeconfig(program: Command, deliver: Deliver): void {
  const kubeconfig = program.command('kubeconfig').description('kubeconfig files');
  const user = kubeconfig
    .command('user')
    .description(
      'print a kubeconfig for a user, signed by the cluster CA (as kubeadm kubeconfig user)',
    );
  addCommonOptions(user);
  user
    .requiredOption('--client-name <name>', 'user name (the certificate CN)')
    .option(
      '--org <org>',
      'group (certificate O); repeatable',
      (value: string, all: string[]) => [...all, value],
      [] as string[],
    )
    .option('--validity <duration>', "certificate lifetime (default: the cluster's, 8760h)");
  layoutAction(user, 'kubeconfig-user', parseKubeconfigUserOptions, false, deliver);
}
