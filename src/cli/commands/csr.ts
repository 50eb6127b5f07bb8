/** `kpki csr generate` and `kpki csr sign`: the external-CA workflow. */
import type { Command } from 'commander';
import { outputOption } from '../output.js';
import type { Deliver } from '../command-result.js';
import { parseCsrGenerateOptions, parseCsrSignOptions } from '../options/csr.js';
import { layoutAction } from './run-layout.js';
import { addCommonOptions, addKubeadmFlags } from './common.js';

/** Registers `csr generate` and `csr sign`. */
export function registerCsr(program: Command, deliver: Deliver): void {
  const csr = program.command('csr').description('certificate signing requests for an external CA');
  const generate = csr
    .command('generate')
    .description(
      'write new keys and CSRs (and partial kubeconfigs) for every certificate; never overwrite',
    );
  addCommonOptions(generate);
  addKubeadmFlags(generate);
  generate
    .option(
      '--csr-dir <dir>',
      'write into this directory instead of the tree (same relative paths)',
    )
    .option(
      '--cert-dir <dir>',
      'RKE: output directory (default: <cluster file name>_certs beside the cluster file)',
    )
    .option('--dry-run', 'print the plan and change nothing')
    .addOption(outputOption(['text', 'json']));
  layoutAction(generate, 'csr-generate', parseCsrGenerateOptions, true, deliver);
  const sign = csr
    .command('sign')
    .description(
      "sign the CSRs with the tree's CAs, applying each certificate's usages, and install the results",
    );
  addCommonOptions(sign);
  addKubeadmFlags(sign);
  sign
    .option('--csr-dir <dir>', 'read the CSRs and keys from this directory (default: the tree)')
    .option('--dry-run', 'print the plan and change nothing')
    .addOption(outputOption(['text', 'json']));
  layoutAction(sign, 'csr-sign', parseCsrSignOptions, true, deliver);
}
