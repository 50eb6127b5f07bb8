/** Resolving what a kubeadm command works on: the spec from --config, kubeadm's flags and the host. */
import { readInputText } from '../../stores/bounded-read.js';
import { hostname, networkInterfaces } from 'node:os';
import { FileAccessError } from '../../errors.js';
import type { Catalogue } from '../../layouts/catalogue.js';
import { kubeadmCatalogue } from '../../layouts/kubeadm/catalogue.js';
import { parseKubeadmConfig } from '../../layouts/kubeadm/config.js';
import type { TreeReader } from '../../ops/shared/ports.js';
import { treeHostDefaults } from '../../ops/kubeadm/tree-host.js';
import {
  APISERVER_MANIFEST,
  defaultKubeadmSpec,
  kubernetesVersionFromManifest,
  type HostDefaults,
  type KubeadmSpec,
} from '../../layouts/kubeadm/spec.js';
import type { KubeadmFlags } from '../options/kubeadm-flags.js';
import type { TreeOptions } from '../options/tree.js';

/** The resolved kubeadm spec and catalogue for one command. */
export interface KubeadmLayout {
  readonly spec: KubeadmSpec;
  readonly catalogue: Catalogue;
  readonly warnings: readonly string[];
}

/**
 * Builds the kubeadm spec and catalogue from `--config` (when given), then the flags, over the
 * host defaults. Without a `kubernetesVersion` in the config, the version is read from the tree's
 * kube-apiserver static-pod manifest when `reader` is given and the manifest names one.
 * @throws FileAccessError `UNREADABLE` for an unreadable --config; InvalidInputError for a bad one.
 */
export async function kubeadmLayout(
  tree: Pick<TreeOptions, 'config'>,
  flags: KubeadmFlags,
  reader?: TreeReader,
): Promise<KubeadmLayout> {
  let host = hostDefaults();
  const warnings: string[] = [];
  const config = tree.config;
  if (
    config === undefined &&
    reader &&
    (flags.nodeName === undefined || flags.advertiseAddress === undefined)
  ) {
    const fromTree = await treeHostDefaults(
      reader,
      kubeadmCatalogue(defaultKubeadmSpec(host)).catalogue,
      host,
    );
    if (fromTree.fromTree) {
      host = fromTree.host;
      warnings.push(
        `[spec] no --config: node name "${host.hostname}" and address "${host.address}" taken from the tree's certificates`,
      );
    }
  }
  let spec = defaultKubeadmSpec(host);
  if (config !== undefined) {
    const text = await readInputText(config, 'config').catch((error: unknown) => {
      throw new FileAccessError('UNREADABLE', `cannot read config "${config}"`, { cause: error });
    });
    const parsed = parseKubeadmConfig(text, config, host);
    spec = parsed.spec;
    warnings.push(...parsed.warnings);
  }
  spec = applyFlags(spec, flags);
  if (spec.kubernetesVersion === undefined && reader) {
    const manifest = await reader.read(APISERVER_MANIFEST).catch(() => undefined);
    const version = manifest && kubernetesVersionFromManifest(new TextDecoder().decode(manifest));
    if (version) spec = { ...spec, kubernetesVersion: version };
  }
  const built = kubeadmCatalogue(spec);
  return { spec, catalogue: built.catalogue, warnings: [...warnings, ...built.warnings] };
}

function applyFlags(spec: KubeadmSpec, flags: KubeadmFlags): KubeadmSpec {
  const set = <K extends keyof KubeadmSpec>(
    key: K,
    value: KubeadmSpec[K] | undefined,
  ): Partial<KubeadmSpec> => (value === undefined ? {} : { [key]: value });
  return {
    ...spec,
    ...set('nodeName', flags.nodeName),
    ...set('advertiseAddress', flags.advertiseAddress),
    ...set('bindPort', flags.bindPort),
    ...set('controlPlaneEndpoint', flags.controlPlaneEndpoint),
    ...set('certSANs', flags.extraSans && [...spec.certSANs, ...flags.extraSans]),
    ...set('serviceSubnet', flags.serviceCidr),
    ...set('dnsDomain', flags.dnsDomain),
  };
}

/** The host name and the first non-internal IPv4 address (kubeadm uses the default route's). */
function hostDefaults(): HostDefaults {
  const addresses = Object.values(networkInterfaces())
    .flat()
    .filter((a) => a !== undefined);
  const address = addresses.find((a) => a.family === 'IPv4' && !a.internal)?.address ?? '127.0.0.1';
  return { hostname: hostname(), address };
}
