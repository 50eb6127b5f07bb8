/** `kpki rotate [--service LIST]`: new keys and certificates for RKE2/K3s services, at once. */
import type { Command } from 'commander';
import { outputOption } from '../output.js';
import { layoutAction } from './run-layout.js';
import { addCommonOptions, addRke2Flags } from './common.js';

/** Registers `rotate`. Unknown service names exit 2; nothing changes unless every file is issued. */
export function registerRotate(program: Command): void {
  const command = program.command('rotate').argument('[services...]', 'services to rotate (as --service)')
    .description('rke2/k3s: back up server/tls, issue new keys and certificates for the services, write the restart markers; all or nothing');
  addCommonOptions(command);
  addRke2Flags(command);
  command.option('--service <list>', 'services (comma separated or repeated); default: every service of the node', (value: string, all: string[]) => [...all, value], [] as string[])
    .option('--server-data-dir <dir>', 'agent dirs: server data dir whose CAs sign the new certificates')
    .option('--dry-run', 'print the plan and change nothing').addOption(outputOption(['text', 'json']));
  layoutAction(command, 'rotate', true);
}
