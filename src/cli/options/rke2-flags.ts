/** RKE2/K3s flags that shape certificates (their config.yaml keys), parsed once into spec overrides. */
import { splitList, type Rke2SpecOverrides } from '../../layouts/rke2/spec.js';
import { flagOf, listOf, textOf, type RawOptions } from './raw.js';

/** The spec fields the flags override; a field is present only when its flag was given. */
export type Rke2Flags = Rke2SpecOverrides;

/**
 * Reads the RKE2 flags present in `raw`. Lists are split at commas; the node name is lower-cased
 * as RKE2 does. `--node-name` and `--service-cidr` are read whoever registered them (init takes
 * them from its kubeadm flags).
 */
export function parseRke2Flags(raw: RawOptions): Rke2Flags {
  const list = (key: string): string[] | undefined => {
    const values = listOf(raw, key);
    return values.length > 0 ? splitList(values) : undefined;
  };
  const out: Record<string, unknown> = {
    tlsSans: list('tlsSan'),
    nodeIps: list('nodeIp'),
    nodeExternalIps: list('nodeExternalIp'),
    nodeName: textOf(raw, 'nodeName')?.toLowerCase(),
    advertiseAddress: textOf(raw, 'advertiseAddress'),
    serviceCidr: textOf(raw, 'serviceCidr'),
    clusterDomain: textOf(raw, 'clusterDomain'),
    disableEtcd: flagOf(raw, 'disableEtcd') ? true : undefined,
  };
  return Object.fromEntries(Object.entries(out).filter(([, value]) => value !== undefined));
}
