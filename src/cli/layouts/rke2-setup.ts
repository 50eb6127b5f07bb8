/**
 * Resolving what an RKE2/K3s command works on: the program (forced by --layout or detected from
 * the data dir), the node role, and the spec from config.yaml, flags, the host and the
 * environment (CATTLE_NEW_SIGNED_CERT_EXPIRATION_DAYS).
 */
import { readInputText } from '../../stores/bounded-read.js';
import { hostname, networkInterfaces } from 'node:os';
import { FileAccessError } from '../../errors.js';
import type { OpsContext, TreeReader } from '../../ops/shared/ports.js';
import { parseCertificates } from '../../pki/certificate.js';
import { rke2Catalogue, type Rke2Catalogue } from '../../layouts/rke2/catalogue.js';
import {
  defaultConfigPath,
  defaultDataDir,
  defaultRke2Spec,
  leafValidityFromEnv,
  parseRke2Config,
  type Rke2Program,
  type Rke2Spec,
  type Rke2SpecOverrides,
} from '../../layouts/rke2/spec.js';
import type { Rke2Flags } from '../options/rke2-flags.js';
import type { TreeOptions } from '../options/tree.js';

/** The resolved inputs of one RKE2/K3s command. */
export interface Rke2Setup {
  readonly program: Rke2Program;
  readonly isServer: boolean;
  readonly spec: Rke2Spec;
  readonly catalogue: Rke2Catalogue;
  readonly warnings: readonly string[];
}

/**
 * Builds the setup. `role` forces server or agent (init); otherwise a data dir with `server/` is
 * a server. The default config file is read only when --dir is the program's default data dir,
 * so pointing kpki at a copy never mixes in the host's configuration. `flags` override the file.
 * @throws FileAccessError `UNREADABLE` for an unreadable --config; InvalidInputError for a bad one.
 */
export async function rke2Setup(
  ctx: OpsContext,
  options: Pick<TreeOptions, 'config' | 'layout'>,
  flags: Rke2Flags,
  role?: 'server' | 'agent',
): Promise<Rke2Setup> {
  const program = await programOf(ctx.tree, options);
  const isServer = role === undefined ? await ctx.tree.exists('server') : role === 'server';
  const host = { hostname: hostname(), address: hostAddress() };
  const warnings: string[] = [];
  let spec = defaultRke2Spec(program, ctx.tree.root, host);
  const fromFile = await readConfig(options, program, ctx.tree.root);
  const env = leafValidityFromEnv(process.env.CATTLE_NEW_SIGNED_CERT_EXPIRATION_DAYS);
  if (env.warning !== undefined) warnings.push(env.warning);
  // data-dir in config.yaml describes the host path; the tree kpki writes is --dir, so only the
  // references inside kubeconfigs follow it.
  spec = { ...spec, ...fromFile, ...flags, leafValidityDays: env.days };
  const node = await existingNodeName(ctx.tree);
  if (node !== undefined && node !== spec.nodeName) {
    warnings.push(
      `the kubelet certificate of this data dir is for node "${node}", but new certificates are for "${spec.nodeName}" (${flags.nodeName === undefined && fromFile.nodeName === undefined ? "this host's name" : 'as configured'}); pass --node-name ${node} (and its --node-ip) if this dir belongs to that node`,
    );
  }
  return {
    program,
    isServer,
    spec,
    catalogue: rke2Catalogue(spec, isServer ? 'server' : 'agent', ctx.clock.now()),
    warnings,
  };
}

/** The node an existing `agent/client-kubelet.crt` was issued for (`system:node:<name>`), if any. */
async function existingNodeName(tree: TreeReader): Promise<string | undefined> {
  const bytes = await tree.read('agent/client-kubelet.crt').catch(() => undefined);
  if (bytes === undefined) return undefined;
  try {
    const cn = parseCertificates(new TextDecoder().decode(bytes), 'agent/client-kubelet.crt')[0]
      ?.subject.cn;
    return cn?.startsWith('system:node:') ? cn.slice('system:node:'.length) : undefined;
  } catch {
    return undefined;
  }
}

/** The program: --layout when given, else what the data dir's file names or path say, else rke2. */
export async function programOf(
  tree: TreeReader,
  options: Pick<TreeOptions, 'layout'>,
): Promise<Rke2Program> {
  if (options.layout === 'k3s' || options.layout === 'rke2') return options.layout;
  for (const program of ['rke2', 'k3s'] as const) {
    const marks = [
      `${program}.yaml`,
      `server/tls/client-${program}-cloud-controller.crt`,
      `server/tls/client-${program}-controller.key`,
      `agent/client-${program}-controller.crt`,
      `agent/${program}controller.kubeconfig`,
    ];
    for (const mark of marks) if (await tree.exists(mark)) return program;
  }
  return /k3s/.test(tree.root) ? 'k3s' : 'rke2';
}

async function readConfig(
  options: Pick<TreeOptions, 'config'>,
  program: Rke2Program,
  root: string,
): Promise<Rke2SpecOverrides> {
  const path =
    options.config ?? (root === defaultDataDir(program) ? defaultConfigPath(program) : undefined);
  if (path === undefined) return {};
  let text: string;
  try {
    text = await readInputText(path, 'config');
  } catch (error) {
    if (options.config === undefined) return {};
    throw new FileAccessError('UNREADABLE', `cannot read config "${path}"`, { cause: error });
  }
  return parseRke2Config(text, path);
}

/** The first non-internal IPv4 address, as K3s picks the node IP from the default interface. */
function hostAddress(): string {
  const addresses = Object.values(networkInterfaces())
    .flat()
    .filter((a) => a !== undefined);
  return addresses.find((a) => a.family === 'IPv4' && !a.internal)?.address ?? '127.0.0.1';
}
