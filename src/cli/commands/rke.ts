/** `kpki rke import|export`: RKE1 custom certificates in, per-node file sets out. */
import type { Command } from 'commander';
import { outputOption } from '../output.js';
import { runLayoutCommand } from './run-layout.js';
import type { Deliver } from '../command-result.js';
import { actionInput } from '../options/raw.js';
import { parseRkeExportOptions, parseRkeImportOptions } from '../options/rke.js';

function addClusterOption(command: Command): Command {
  return command
    .option('--config <file>', 'RKE cluster file; the state file sits beside it', 'cluster.yml')
    .addOption(outputOption(['text', 'json']));
}

/** Registers `rke import` and `rke export`. */
export function registerRke(program: Command, deliver: Deliver): void {
  const rke = program.command('rke').description('RKE1-only commands');
  const importCommand = addClusterOption(
    rke
      .command('import')
      .description(
        'validate a custom certificate directory (signatures, keys, SANs, usages) and put it into the state',
      ),
  );
  importCommand.option(
    '--cert-dir <dir>',
    'custom certificate directory (default: <cluster file name>_certs beside the cluster file)',
  );
  importCommand.action(async (...parts: unknown[]) => {
    const options = parseRkeImportOptions(actionInput(parts, importCommand));
    deliver(await runLayoutCommand('rke-import', options, true));
  });
  const exportCommand = addClusterOption(
    rke
      .command('export')
      .description("write the files a node's /etc/kubernetes/ssl holds for its roles"),
  );
  exportCommand
    .requiredOption('--node <address>', 'node address (or internal address, or hostname override)')
    .requiredOption('--out <dir>', 'output directory');
  exportCommand.action(async (...parts: unknown[]) => {
    const options = parseRkeExportOptions(actionInput(parts, exportCommand));
    deliver(await runLayoutCommand('rke-export', options, false));
  });
}
