/** `kpki token`: the secure join tokens of an RKE2/K3s server. */
import type { Command } from 'commander';
import { outputOption } from '../output.js';
import type { Deliver } from '../command-result.js';
import { parseTokenOptions } from '../options/sa-key-token.js';
import { layoutAction } from './run-layout.js';
import { addCommonOptions } from './common.js';

/**
 * Registers `token` (prints secrets by design: the tokens are the output) and returns it, so
 * `token rotate` can hang below it.
 */
export function registerToken(program: Command, deliver: Deliver): Command {
  const command = program
    .command('token')
    .description(
      "rke2/k3s: print K10<ca-hash>::server:<pw> and K10<ca-hash>::node:<pw> for this server's CA",
    );
  addCommonOptions(command);
  command
    .option('--password <password>', 'server token password (default: the one in server/token)')
    .option(
      '--agent-password <password>',
      'agent token password (default: server/agent-token, else the server password)',
    )
    .addOption(outputOption(['text', 'json']));
  layoutAction(command, 'token', parseTokenOptions, false, deliver);
  return command;
}
