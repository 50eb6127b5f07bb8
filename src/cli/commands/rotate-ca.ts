/** `kpki rotate-ca`: CA rotation (kubeadm: three explicit phases). */
import type { Command } from 'commander';
import { Option } from 'commander';
import { outputOption } from '../output.js';
import { layoutAction } from './run-layout.js';
import { addCommonOptions } from './common.js';

/** Registers `rotate-ca`. */
export function registerRotateCa(program: Command): void {
  const command = program.command('rotate-ca').description('rotate certificate authorities (kubeadm: --phase trust, then issue, then finish)');
  addCommonOptions(command);
  command
    .addOption(new Option('--phase <phase>', 'kubeadm: trust (bundle old + new CA), issue (re-issue from the new CA), finish (drop the old CA)').choices(['trust', 'issue', 'finish']))
    .option('--ca <names>', 'kubeadm: CAs to rotate, comma separated (default: all); set in the trust phase')
    .option('--dry-run', 'print the plan and change nothing')
    .addOption(outputOption(['text', 'json']));
  layoutAction(command, 'rotate-ca', true);
}
