/** `kpki token rotate`: move the bootstrap record to a new server token, as `k3s token rotate` does. */
import type { Command } from 'commander';
import { rotateBootstrapToken } from '../../ops/rke2/bootstrap/token-rotate.js';
import { nodeRandom } from '../../stores/node-ports.js';
import { succeeded, type CommandResult, type Deliver } from '../command-result.js';
import {
  addServerOptions,
  dataDirOf,
  datastoreOf,
  tokenOf,
  type ServerOptions,
} from '../server-data-dir.js';

interface TokenRotateOptions extends ServerOptions {
  readonly newToken: string;
}

/** Registers `token rotate` below the `token` command. */
export function registerTokenRotate(token: Command, deliver: Deliver): void {
  const rotate = token
    .command('rotate')
    .description(
      "re-encrypt the bootstrap record under a new token and move it to the new token's key",
    );
  addServerOptions(rotate, true).requiredOption('--new-token <token>', 'the new server token');
  // `token` has a --dir and --layout of its own (/etc/kubernetes, any layout): positional options
  // (here and on the program) keep them from taking `token rotate --dir X --layout k3s`.
  token.enablePositionalOptions();
  rotate.action(async (options: TokenRotateOptions) => deliver(await runTokenRotate(options)));
}

/** Moves the bootstrap record to the new token's key; the tokens never appear in the output. */
async function runTokenRotate(options: TokenRotateOptions): Promise<CommandResult> {
  const dataDir = dataDirOf(options);
  const oldToken = await tokenOf(options, dataDir);
  // Moving a record never makes a datastore: a missing embedded store is an error, not a new dir.
  const store = await datastoreOf(options, dataDir, false);
  try {
    const result = await rotateBootstrapToken({
      store,
      oldToken,
      newToken: options.newToken,
      random: nodeRandom,
    });
    return succeeded(
      `[token rotate] moved the bootstrap record "${result.from}" to "${result.to}" in ${store.description} (revision ${result.revision})\n` +
        "[token rotate] put the new token in every server's config (token: / --token) and server/token before restarting them; old etcd snapshots still need the old token\n",
    );
  } finally {
    await store.close();
  }
}
