/**
 * `kpki rotate`: rotate certificates the way the layout's own rotate command does (RKE1:
 * `rke cert rotate`; RKE2/K3s: `certificate rotate`, but issuing at once instead of at next start).
 */
import type { Command } from 'commander';
import { outputOption } from '../output.js';
import { rke2ServiceNames, rkeServiceNames } from '../catalogue-names.js';
import type { Deliver } from '../command-result.js';
import { parseRotateOptions } from '../options/rotate.js';
import { layoutAction } from './run-layout.js';
import { addCommonOptions, addRke2Flags } from './common.js';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Registers `rotate`. Unknown --service names are an error (exit 2); nothing changes unless every file is issued. */
export function registerRotate(program: Command, deliver: Deliver): void {
  const command = program
    .command('rotate')
    .description(
      'rotate certificates (RKE: all services or --service, --rotate-ca for new CAs; RKE2/K3s: back up server/tls, new keys and certificates for the services, restart markers; all or nothing)',
    );
  addCommonOptions(command);
  addRke2Flags(command);
  command
    .option(
      '--service <name>',
      `service whose certificates to rotate (repeatable; rke2/k3s also comma separated). RKE: ${rkeServiceNames().join(', ')}. RKE2/K3s: ${rke2ServiceNames().join(', ')}`,
      collect,
      [],
    )
    .option('--rotate-ca', 'RKE: rotate the CAs and every certificate')
    .option(
      '--server-data-dir <dir>',
      'rke2/k3s agent dirs: server data dir whose CAs sign the new certificates',
    )
    .option('--dry-run', 'print the plan and change nothing')
    .addOption(outputOption(['text', 'json']));
  layoutAction(command, 'rotate', parseRotateOptions, true, deliver);
}
