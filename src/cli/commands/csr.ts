/** `kpki csr generate`: keys and CSRs for an external CA (RKE1: `rke cert generate-csr`). */
import type { Command } from 'commander';
import { outputOption } from '../output.js';
import { layoutAction } from './run-layout.js';
import { addCommonOptions } from './common.js';

/** Registers `csr generate`. Existing keys in the directory are reused. */
export function registerCsr(program: Command): void {
  const csr = program.command('csr').description('certificate signing requests for an external CA');
  const generate = csr.command('generate').description('write <name>-csr.pem and <name>-key.pem for every certificate (keys reused when present)');
  addCommonOptions(generate);
  generate.option('--cert-dir <dir>', 'output directory (RKE default: <cluster file name>_certs beside the cluster file)').addOption(outputOption(['text', 'json']));
  layoutAction(generate, 'csr-generate', false);
}
