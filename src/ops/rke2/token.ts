/**
 * `token`: the secure join tokens of an RKE2/K3s server, from its server CA file and the
 * passwords given or found in `server/token` and `server/agent-token`. Reads only.
 */
import { ValidationError } from '../../errors.js';
import {
  formatJoinTokens,
  hashCa,
  tokenPassword,
  type CaHashBasis,
  type JoinTokens,
} from '../../layouts/rke2/token.js';
import { requireCaWithRole } from '../../layouts/catalogue.js';
import type { Rke2Catalogue } from '../../layouts/rke2/catalogue.js';
import type { OpsContext } from '../shared/ports.js';

/** Inputs of {@link computeJoinTokens}. */
export interface Rke2TokenParams {
  readonly catalogue: Rke2Catalogue;
  /** Server password; default: the one in `server/token`. */
  readonly password?: string;
  /** Agent password; default: the one in `server/agent-token`, else the server password. */
  readonly agentPassword?: string;
}

/** The tokens and how the CA hash was obtained. */
export interface Rke2TokenResult extends JoinTokens {
  readonly caHash: string;
  readonly basis: CaHashBasis;
}

const decoder = new TextDecoder();

/**
 * Computes both tokens.
 * @throws ValidationError `NO_SERVER_CA` when `server/tls/server-ca.crt` is absent, `NO_PASSWORD`
 *   when no password is given or stored; InvalidInputError for a malformed CA file or password.
 */
export async function computeJoinTokens(
  ctx: OpsContext,
  params: Rke2TokenParams,
): Promise<Rke2TokenResult> {
  const caPath = requireCaWithRole(params.catalogue, 'server').certPath;
  const bytes = await ctx.tree.read(caPath);
  if (bytes === undefined)
    throw new ValidationError('NO_SERVER_CA', `"${caPath}" does not exist in "${ctx.tree.root}"`, {
      hint: 'point --dir at a server data dir',
    });
  const { hash, basis } = hashCa(bytes, caPath, ctx.clock.now());
  const stored = await storedPasswords(ctx);
  const server = params.password ?? stored.server;
  if (server === undefined)
    throw new ValidationError(
      'NO_PASSWORD',
      `no --password given and "server/token" does not exist in "${ctx.tree.root}"`,
    );
  const agent = params.agentPassword ?? stored.agent ?? server;
  return { ...formatJoinTokens(hash, server, agent), caHash: hash, basis };
}

/** The passwords of `server/token` and `server/agent-token`; undefined for a file that does not exist. */
export async function storedPasswords(
  ctx: OpsContext,
): Promise<{ server: string | undefined; agent: string | undefined }> {
  const stored = async (path: string): Promise<string | undefined> => {
    const content = await ctx.tree.read(path);
    return content === undefined ? undefined : tokenPassword(decoder.decode(content));
  };
  return { server: await stored('server/token'), agent: await stored('server/agent-token') };
}
