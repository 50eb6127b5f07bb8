/** `kpki init`: create the PKI tree and kubeconfigs a layout needs. */
import { mkdir } from 'node:fs/promises';
import type { Command } from 'commander';
import { outputOption } from '../output.js';
import type { Deliver } from '../command-result.js';
import { parseInitOptions } from '../options/init.js';
import { actionInput } from '../options/raw.js';
import { runLayoutCommand } from './run-layout.js';
import { addCommonOptions, addKubeadmFlags, addRke2Flags } from './common.js';
import { resolveTreeRoot } from '../layouts/registry.js';

/** Registers `init`; the tree directory is created when missing. */
export function registerInit(program: Command, deliver: Deliver): void {
  const command = program
    .command('init')
    .description('create the certificates, keys and kubeconfigs that are missing; never overwrite');
  addCommonOptions(command);
  addKubeadmFlags(command);
  addRke2Flags(command, ['--node-name', '--service-cidr']);
  command
    .option('--agent', 'rke2/k3s: an agent-only data dir (needs --server-data-dir)')
    .option(
      '--server-data-dir <dir>',
      'rke2/k3s: server data dir whose CAs sign agent certificates',
    );
  command
    .option('--dry-run', 'print the plan and change nothing')
    .addOption(outputOption(['text', 'json']));
  command.action(async (...parts: unknown[]) => {
    const options = parseInitOptions(actionInput(parts, command));
    await mkdir(resolveTreeRoot(options.layout, options), { recursive: true, mode: 0o755 });
    deliver(await runLayoutCommand('init', options, true));
  });
}
