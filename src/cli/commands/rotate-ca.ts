/** `kpki rotate-ca`: CA rotation (kubeadm: three explicit phases). */
import type { Command } from 'commander';
import { Option } from 'commander';
import { outputOption } from '../output.js';
import { kubeadmCaNames } from '../catalogue-names.js';
import type { Deliver } from '../command-result.js';
import { parseRotateCaOptions } from '../options/rotate.js';
import { addRestartOptions } from '../options/live.js';
import { layoutAction } from './run-layout.js';
import { addCommonOptions, addRke2Flags } from './common.js';

/** Registers `rotate-ca`. */
export function registerRotateCa(program: Command, deliver: Deliver): void {
  const command = program
    .command('rotate-ca')
    .description(
      'rotate certificate authorities (kubeadm: --phase trust, then issue, then finish; rke2/k3s: --path STAGE; rke: new CAs and every certificate, as rotate --rotate-ca)',
    );
  addCommonOptions(command);
  addRke2Flags(command);
  addRestartOptions(command);
  command
    .addOption(
      new Option(
        '--phase <phase>',
        'kubeadm: trust (bundle old + new CA), issue (re-issue from the new CA), finish (drop the old CA)',
      ).choices(['trust', 'issue', 'finish']),
    )
    .option(
      '--ca <names>',
      `kubeadm: CAs to rotate, comma separated (${kubeadmCaNames().join(', ')}; default: all); set in the trust phase`,
    )
    .option(
      '--path <dir>',
      'rke2/k3s: staged directory shaped like <data-dir>/server (tls/server-ca.crt, tls/server-ca.key, …, tls/service.key); a missing or empty file keeps the current one',
    )
    .option(
      '--force',
      'rke2/k3s: install although the chain or service-key checks fail (they are still reported)',
    )
    .option(
      '--datastore <url>',
      "rke2/k3s: also update the bootstrap record there (file:// embedded, https://host:2379,… etcd) by compare-and-swap, as RKE2's server does",
    )
    .option(
      '--token <token>',
      'rke2/k3s: server token for the record (default: <data-dir>/server/token)',
    )
    .option('--datastore-cafile <file>', 'CA bundle that signed the etcd servers')
    .option('--datastore-certfile <file>', 'client certificate for etcd')
    .option('--datastore-keyfile <file>', 'client key for etcd')
    .option('--dry-run', 'print the plan and change nothing')
    .addOption(outputOption(['text', 'json']));
  layoutAction(command, 'rotate-ca', parseRotateCaOptions, true, deliver);
}
