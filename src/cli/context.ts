/**
 * Turning command-line options into what ops need: the tree store, the ports, the layout and the
 * kubeadm spec (from --config, flags and the host's defaults).
 */
import { readFile } from 'node:fs/promises';
import { hostname, networkInterfaces } from 'node:os';
import { FileAccessError, UsageError } from '../errors.js';
import { openTreeStore } from '../stores/fs-tree-store.js';
import { externalFiles, nodeKeyGenerator, nodeRandom, systemClock } from '../stores/node-ports.js';
import type { OpsContext, TreeReader } from '../ops/ports.js';
import { parseKubeadmConfig } from '../layouts/kubeadm/config.js';
import { defaultKubeadmSpec, KUBEADM_DEFAULTS, type HostDefaults, type KubeadmSpec } from '../layouts/kubeadm/spec.js';
import { kubeadmCatalogue, KUBEADM_RESTART_ORDER } from '../layouts/kubeadm/catalogue.js';
import type { Catalogue } from '../layouts/catalogue.js';

/** Options every command takes. */
export interface CommonOptions {
  readonly dir: string;
  readonly config?: string;
  readonly layout?: string;
}

/** kubeadm init-style flags that override the config. */
export interface KubeadmFlags {
  readonly nodeName?: string;
  readonly apiserverAdvertiseAddress?: string;
  readonly apiserverBindPort?: string;
  readonly controlPlaneEndpoint?: string;
  readonly apiserverCertExtraSans?: string;
  readonly serviceCidr?: string;
  readonly serviceDnsDomain?: string;
}

/** A resolved layout: its catalogue and rules. */
export interface LayoutContext {
  readonly layout: 'kubeadm';
  readonly spec: KubeadmSpec;
  readonly catalogue: Catalogue;
  readonly warnings: readonly string[];
  readonly backdateMs: number;
  readonly restartOrder: readonly string[];
}

/** Opens the tree and the ports. */
export async function openContext(options: CommonOptions): Promise<OpsContext> {
  const tree = await openTreeStore(options.dir);
  return { tree, clock: systemClock, keys: nodeKeyGenerator, random: nodeRandom, external: externalFiles };
}

/**
 * Decides the layout: `--layout` when given, else from what the tree holds.
 * @throws UsageError when the tree matches no layout, or a layout kpki does not support yet.
 */
export async function detectLayout(tree: TreeReader, forced: string | undefined): Promise<'kubeadm'> {
  const layout = forced ?? (await guessLayout(tree));
  if (layout === 'kubeadm') return layout;
  if (layout === undefined) {
    throw new UsageError(`cannot tell which distribution "${tree.root}" belongs to`, { hint: 'pass --layout kubeadm (and --dir) to say it' });
  }
  throw new UsageError(`layout "${layout}" is not supported yet; supported: kubeadm`);
}

async function guessLayout(tree: TreeReader): Promise<string | undefined> {
  if ((await tree.exists('pki')) || (await tree.exists('admin.conf'))) return 'kubeadm';
  if (await tree.exists('server/tls')) return (await tree.exists('server/tls/etcd')) ? 'rke2' : 'k3s';
  if (await tree.exists('cluster.rkestate')) return 'rke';
  return undefined;
}

/** Builds the kubeadm layout from --config, flags and host defaults. */
export async function kubeadmLayout(options: CommonOptions, flags: KubeadmFlags = {}): Promise<LayoutContext> {
  const host = hostDefaults();
  let spec = defaultKubeadmSpec(host);
  const warnings: string[] = [];
  if (options.config !== undefined) {
    const text = await readFile(options.config, 'utf8').catch((error: unknown) => {
      throw new FileAccessError('UNREADABLE', `cannot read config "${options.config}"`, { cause: error });
    });
    const parsed = parseKubeadmConfig(text, options.config, host);
    spec = parsed.spec;
    warnings.push(...parsed.warnings);
  }
  spec = applyFlags(spec, flags);
  const built = kubeadmCatalogue(spec);
  return {
    layout: 'kubeadm', spec, catalogue: built.catalogue, warnings: [...warnings, ...built.warnings],
    backdateMs: KUBEADM_DEFAULTS.backdateMs, restartOrder: KUBEADM_RESTART_ORDER,
  };
}

function applyFlags(spec: KubeadmSpec, flags: KubeadmFlags): KubeadmSpec {
  const port = flags.apiserverBindPort === undefined ? undefined : Number(flags.apiserverBindPort);
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) {
    throw new UsageError(`--apiserver-bind-port: "${flags.apiserverBindPort}" is not a port number`);
  }
  return {
    ...spec,
    ...(flags.nodeName !== undefined && { nodeName: flags.nodeName }),
    ...(flags.apiserverAdvertiseAddress !== undefined && { advertiseAddress: flags.apiserverAdvertiseAddress }),
    ...(port !== undefined && { bindPort: port }),
    ...(flags.controlPlaneEndpoint !== undefined && { controlPlaneEndpoint: flags.controlPlaneEndpoint }),
    ...(flags.apiserverCertExtraSans !== undefined && { certSANs: [...spec.certSANs, ...flags.apiserverCertExtraSans.split(',').map((s) => s.trim()).filter(Boolean)] }),
    ...(flags.serviceCidr !== undefined && { serviceSubnet: flags.serviceCidr }),
    ...(flags.serviceDnsDomain !== undefined && { dnsDomain: flags.serviceDnsDomain }),
  };
}

/** The host name and the first non-internal IPv4 address (kubeadm uses the default route's). */
function hostDefaults(): HostDefaults {
  const addresses = Object.values(networkInterfaces()).flat().filter((a) => a !== undefined);
  const address = addresses.find((a) => a.family === 'IPv4' && !a.internal)?.address ?? '127.0.0.1';
  return { hostname: hostname(), address };
}
