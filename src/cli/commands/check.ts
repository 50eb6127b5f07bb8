/** `kpki check`: expiry and health of every certificate, in the distribution's own formats. */
import type { Command } from 'commander';
import { outputOption } from '../output.js';
import { rke2ServiceNames } from '../catalogue-names.js';
import type { Deliver } from '../command-result.js';
import { CHECK_FORMATS, parseCheckOptions } from '../options/check.js';
import { layoutAction } from './run-layout.js';
import { addCommonOptions } from './common.js';

/** Registers `check`. Exit code 4 when a certificate is expired or within --warn-within; 3 when one is broken. */
export function registerCheck(program: Command, deliver: Deliver): void {
  const command = program
    .command('check')
    .description(
      'report expiry and problems of every certificate (kubeadm check-expiration format)',
    );
  addCommonOptions(command);
  command
    .addOption(outputOption(CHECK_FORMATS))
    .option(
      '--warn-within <duration>',
      'exit 4 when a certificate expires within this time (e.g. 30d)',
    );
  command
    .option(
      '--service <list>',
      `rke2/k3s: only these services (comma separated or repeated; ${rke2ServiceNames().join(', ')})`,
      (value: string, all: string[]) => [...all, value],
      [] as string[],
    )
    .option(
      '--renewal-window <duration>',
      'rke2/k3s: WARNING window (default 120d; 90d for releases before May 2025)',
    );
  layoutAction(command, 'check', parseCheckOptions, false, deliver);
}
