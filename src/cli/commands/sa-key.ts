/** `kpki sa-key rotate`: a new service-account signing key, old keys kept for verification. */
import type { Command } from 'commander';
import { outputOption } from '../output.js';
import type { Deliver } from '../command-result.js';
import { parseSaKeyRotateOptions } from '../options/sa-key-token.js';
import { layoutAction } from './run-layout.js';
import { addCommonOptions } from './common.js';

/** Registers `sa-key rotate`. */
export function registerSaKey(program: Command, deliver: Deliver): void {
  const saKey = program.command('sa-key').description('service-account signing keys');
  const rotate = saKey
    .command('rotate')
    .description(
      'rke2/k3s: put a new RSA 2048 key first in service.key (old keys kept after it) and make it service.current.key',
    );
  addCommonOptions(rotate);
  rotate
    .option('--dry-run', 'print the plan and change nothing')
    .addOption(outputOption(['text', 'json']));
  layoutAction(rotate, 'sa-key-rotate', parseSaKeyRotateOptions, true, deliver);
}
