/** `kpki check`: expiry and health of every certificate, in the distribution's own formats. */
import type { Command } from 'commander';
import { ExitCode } from '../../errors.js';
import { parseDuration } from '../../pki/duration.js';
import { checkTree } from '../../ops/check.js';
import { hasProblems, isExpiring } from '../../layouts/check-report.js';
import { formatKubeadmJson, formatKubeadmTable, formatKubeadmYaml, formatProblems } from '../../layouts/kubeadm/check-output.js';
import { detectLayout, kubeadmLayout, openContext, type CommonOptions } from '../context.js';
import { outputOption, print, warn } from '../output.js';
import { addCommonOptions } from './common.js';

interface CheckOptions extends CommonOptions {
  readonly output: string;
  readonly warnWithin?: string;
}

/** Registers `check`. Exit code 4 when a certificate is expired or within --warn-within; 3 when one is broken. */
export function registerCheck(program: Command): void {
  const command = program.command('check').description('report expiry and problems of every certificate (kubeadm check-expiration format)');
  addCommonOptions(command);
  command.addOption(outputOption(['text', 'json', 'yaml'])).option('--warn-within <duration>', 'exit 4 when a certificate expires within this time (e.g. 30d)');
  command.action(async (options: CheckOptions) => {
    const windowMs = options.warnWithin === undefined ? 0 : parseDuration(options.warnWithin, '--warn-within');
    const ctx = await openContext(options);
    await detectLayout(ctx.tree, options.layout);
    const layout = await kubeadmLayout(options);
    const report = await checkTree(ctx, { catalogue: layout.catalogue });
    if (options.output === 'json') print(formatKubeadmJson(report));
    else if (options.output === 'yaml') print(formatKubeadmYaml(report));
    else {
      print(formatKubeadmTable(report));
      warn(formatProblems(report).split('\n').filter(Boolean));
    }
    const rows = [...report.certificates, ...report.authorities];
    if (rows.some((row) => isExpiring(row, windowMs))) process.exitCode = ExitCode.expiring;
    else if (hasProblems(report)) process.exitCode = ExitCode.invalid;
  });
}
