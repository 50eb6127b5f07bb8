/** `kpki token rotate`: move the bootstrap record to a new server token, as `k3s token rotate` does. */
import type { Command } from 'commander';
import { rotateBootstrapToken } from '../../ops/rke2/bootstrap/token-rotate.js';
import { nodeRandom } from '../../stores/node-ports.js';
import { print } from '../output.js';
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
export function registerTokenRotate(token: Command): void {
  const rotate = token
    .command('rotate')
    .description(
      "re-encrypt the bootstrap record under a new token and move it to the new token's key",
    );
  addServerOptions(rotate, true).requiredOption('--new-token <token>', 'the new server token');
  rotate.action(async (options: TokenRotateOptions) => {
    const dataDir = dataDirOf(options);
    const oldToken = await tokenOf(options, dataDir);
    const store = await datastoreOf(options, dataDir);
    try {
      const result = await rotateBootstrapToken({
        store,
        oldToken,
        newToken: options.newToken,
        random: nodeRandom,
      });
      print(
        `[token rotate] moved the bootstrap record "${result.from}" to "${result.to}" in ${store.description} (revision ${result.revision})`,
      );
      print(
        "[token rotate] put the new token in every server's config (token: / --token) and server/token before restarting them; old etcd snapshots still need the old token",
      );
    } finally {
      await store.close();
    }
  });
}
