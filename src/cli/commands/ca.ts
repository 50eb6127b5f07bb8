/** `kpki ca generate` (a custom CA hierarchy for a layout) and `kpki ca cross-sign` (RKE2/K3s self-signed CA rotation). */
import type { Command } from 'commander';
import { outputOption } from '../output.js';
import { inNewDir } from '../new-dir.js';
import type { Deliver } from '../command-result.js';
import { parseCaCrossSignOptions, parseCaGenerateOptions } from '../options/ca.js';
import { actionInput } from '../options/raw.js';
import { layoutAction, runLayoutCommand } from './run-layout.js';
import { addCommonOptions, addKubeadmFlags } from './common.js';

/** Registers `ca generate` and `ca cross-sign`. The output directory becomes the tree the layout's handler writes into. */
export function registerCa(program: Command, deliver: Deliver): void {
  const ca = program.command('ca').description('certificate authorities');
  const generate = ca
    .command('generate')
    .description(
      "make root → intermediate → the layout's CAs, with the file names the layout expects",
    );
  generate
    .requiredOption('--layout <layout>', 'layout whose CAs to make: kubeadm, rke2 or k3s')
    .requiredOption(
      '--out <dir>',
      'directory to write into (kubeadm: use it as --dir for kpki init; rke2/k3s: a data dir, whose server/ is a staged directory for rotate-ca --path)',
    )
    .option(
      '--config <file>',
      'cluster spec (kubeadm: key algorithm, external etcd, certificatesDir)',
    )
    .option('--root-cert <file>', 'use this root instead of making one')
    .option('--root-key <file>', 'its key (needed unless an intermediate is given)')
    .option('--intermediate-cert <file>', 'use this intermediate instead of making one')
    .option('--intermediate-key <file>', 'its key')
    .addOption(outputOption(['text', 'json']));
  addKubeadmFlags(generate);
  generate.action(async (...parts: unknown[]) => {
    const options = parseCaGenerateOptions(actionInput(parts, generate));
    deliver(await inNewDir(options.out, () => runLayoutCommand('ca-generate', options, true)));
  });
  const crossSign = ca
    .command('cross-sign')
    .description(
      'rke2/k3s: stage new self-signed CAs cross-signed by the current ones, for rotate-ca --path; prints the new join tokens',
    );
  addCommonOptions(crossSign);
  crossSign
    .requiredOption('--out <dir>', 'staging directory to write (server-dir shaped: <out>/tls/...)')
    .option(
      '--show-tokens',
      'print the new join tokens whole (they carry the cluster password; by default it is left out)',
    )
    .addOption(outputOption(['text', 'json']));
  // Mutating for the lock only: the data dir is read, never written, but not while another kpki commits to it.
  layoutAction(crossSign, 'ca-cross-sign', parseCaCrossSignOptions, true, deliver);
}
