/** `kpki rotate`: rotate certificates the way the layout's own rotate command does (RKE1: `rke cert rotate`). */
import type { Command } from 'commander';
import { outputOption } from '../output.js';
import { layoutAction } from './run-layout.js';
import { addCommonOptions } from './common.js';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Registers `rotate`. Unknown --service names are an error (exit 2). */
export function registerRotate(program: Command): void {
  const command = program.command('rotate').description('rotate certificates (RKE: all services, or those named with --service; --rotate-ca for new CAs)');
  addCommonOptions(command);
  command.option('--service <name>', 'service whose certificates to rotate (repeatable): kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy, etcd', collect, [])
    .option('--rotate-ca', 'rotate the CAs and every certificate')
    .option('--dry-run', 'print the plan and change nothing').addOption(outputOption(['text', 'json']));
  layoutAction(command, 'rotate', true);
}
