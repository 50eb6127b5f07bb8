/** kubeadm init's flags that shape the certificates, parsed and checked once. */
import { UsageError } from '../../errors.js';
import { commaListOf, textOf, type RawOptions } from './raw.js';

/** The kubeadm flags a command was given (absent ones undefined). */
export interface KubeadmFlags {
  readonly nodeName: string | undefined;
  readonly advertiseAddress: string | undefined;
  readonly bindPort: number | undefined;
  readonly controlPlaneEndpoint: string | undefined;
  /** `--apiserver-cert-extra-sans`, split at commas; undefined when not given. */
  readonly extraSans: readonly string[] | undefined;
  readonly serviceCidr: string | undefined;
  readonly dnsDomain: string | undefined;
}

/**
 * Reads the kubeadm flags present in `raw`. `--node-name` and `--service-cidr` are read whoever
 * registered them: on renew and rotate-ca they come with the RKE2 flags and shape kubeadm's spec too.
 * @throws UsageError when `--apiserver-bind-port` is not a port number.
 */
export function parseKubeadmFlags(raw: RawOptions): KubeadmFlags {
  const portText = textOf(raw, 'apiserverBindPort');
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535))
    throw new UsageError(`--apiserver-bind-port: "${portText}" is not a port number`);
  return {
    nodeName: textOf(raw, 'nodeName'),
    advertiseAddress: textOf(raw, 'apiserverAdvertiseAddress'),
    bindPort: port,
    controlPlaneEndpoint: textOf(raw, 'controlPlaneEndpoint'),
    extraSans:
      textOf(raw, 'apiserverCertExtraSans') === undefined
        ? undefined
        : commaListOf(raw, 'apiserverCertExtraSans'),
    serviceCidr: textOf(raw, 'serviceCidr'),
    dnsDomain: textOf(raw, 'serviceDnsDomain'),
  };
}

/** No kubeadm flags (commands that take none). */
export const NO_KUBEADM_FLAGS: KubeadmFlags = parseKubeadmFlags({});
