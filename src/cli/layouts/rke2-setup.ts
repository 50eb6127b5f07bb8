/**
 * Resolving what an RKE2/K3s command works on: the program (forced by --layout or detected from
 * the data dir), the node role, and the spec from config.yaml, flags, the host and the
 * environment (CATTLE_NEW_SIGNED_CERT_EXPIRATION_DAYS).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readInputText } from '../../stores/bounded-read.js';
import { hostname, networkInterfaces } from 'node:os';
import { FileAccessError } from '../../errors.js';
import type { OpsContext, TreeReader } from '../../ops/shared/ports.js';
import { parseCertificates } from '../../pki/certificate.js';
import { rke2Catalogue, type Rke2Catalogue } from '../../layouts/rke2/catalogue.js';
import { KUBELET_CLIENT_CERT_PATH } from '../../layouts/rke2/catalogue-entries.js';
import {
  defaultConfigPath,
  defaultDataDir,
  defaultRke2Spec,
  leafValidityFromEnv,
  type Rke2Program,
  type Rke2Spec,
  type Rke2SpecOverrides,
} from '../../layouts/rke2/spec.js';
import {
  dropInDir,
  dropInNames,
  invalidSanWarning,
  mergeRke2Configs,
  withFlags,
  type Rke2ConfigFile,
} from '../../layouts/rke2/config-merge.js';
import { parseSpecRecord, SPEC_RECORD_PATH } from '../../layouts/rke2/spec-record.js';
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
 * so pointing kpki at a copy never mixes in the host's configuration; the file and its
 * `config.yaml.d/*.yaml` drop-ins merge as the server merges them. Without a config, a server dir
 * takes the spec kpki remembered there at its last init or rotate. `flags` override the file
 * (scalars replace, lists add).
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
  const fromConfig = await readConfig(options, program, ctx.tree.root);
  // A remembered spec is replaced by flags; a config is added to by list flags, as the server does.
  const remembered =
    fromConfig === undefined && isServer ? await rememberedSpec(ctx.tree) : undefined;
  const fromFile = fromConfig ?? remembered ?? {};
  const env = leafValidityFromEnv(process.env.CATTLE_NEW_SIGNED_CERT_EXPIRATION_DAYS);
  if (env.warning !== undefined) warnings.push(env.warning);
  // data-dir in config.yaml describes the host path; the tree kpki writes is --dir, so only the
  // references inside kubeconfigs follow it.
  spec = {
    ...spec,
    ...(fromConfig === undefined ? { ...fromFile, ...flags } : withFlags(fromConfig, flags)),
    leafValidityDays: env.days,
  };
  const sanWarning = invalidSanWarning(spec.tlsSans);
  if (sanWarning !== undefined) warnings.push(sanWarning);
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
  const bytes = await tree.read(KUBELET_CLIENT_CERT_PATH).catch(() => undefined);
  if (bytes === undefined) return undefined;
  try {
    const cn = parseCertificates(new TextDecoder().decode(bytes), KUBELET_CLIENT_CERT_PATH)[0]
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

/**
 * The config as the server reads it: the file (when it exists) and its `.d` drop-ins, merged.
 * A missing default file is no config; a missing --config is an error unless drop-ins exist.
 */
async function readConfig(
  options: Pick<TreeOptions, 'config'>,
  program: Rke2Program,
  root: string,
): Promise<Rke2SpecOverrides | undefined> {
  const path =
    options.config ?? (root === defaultDataDir(program) ? defaultConfigPath(program) : undefined);
  if (path === undefined) return undefined;
  const files: Rke2ConfigFile[] = [];
  let mainError: unknown;
  try {
    files.push({ source: path, text: await readInputText(path, 'config') });
  } catch (error) {
    mainError = error;
  }
  const dir = dropInDir(path);
  const names = dropInNames(await readdir(dir).catch(() => []));
  for (const name of names) {
    const source = join(dir, name);
    try {
      files.push({ source, text: await readInputText(source, 'config') });
    } catch (error) {
      throw new FileAccessError('UNREADABLE', `cannot read config drop-in "${source}"`, {
        cause: error,
      });
    }
  }
  if (mainError !== undefined && options.config !== undefined && names.length === 0)
    throw new FileAccessError('UNREADABLE', `cannot read config "${path}"`, { cause: mainError });
  return files.length === 0 ? {} : mergeRke2Configs(files);
}

/** The spec the data dir's certificates were last made from (spec-record.ts), if kpki left one. */
async function rememberedSpec(tree: TreeReader): Promise<Rke2SpecOverrides | undefined> {
  const bytes = await tree.read(SPEC_RECORD_PATH).catch(() => undefined);
  return bytes === undefined
    ? undefined
    : parseSpecRecord(new TextDecoder().decode(bytes), `${tree.root}/${SPEC_RECORD_PATH}`);
}

/** The first non-internal IPv4 address, as K3s picks the node IP from the default interface. */
function hostAddress(): string {
  const addresses = Object.values(networkInterfaces())
    .flat()
    .filter((a) => a !== undefined);
  return addresses.find((a) => a.family === 'IPv4' && !a.internal)?.address ?? '127.0.0.1';
}
