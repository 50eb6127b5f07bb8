/**
 * The shapes of the RKE2/K3s catalogue (reference/rke2-k3s.md §1–§4) and the tree-relative
 * directories its paths live under.
 */
import type { CaEntry, LeafEntry } from '../catalogue.js';
import type { Rke2Program } from './spec.js';

/** A leaf of a service; the file holds the leaf followed by the whole CA bundle. */
export interface Rke2Leaf extends LeafEntry {
  readonly service: string;
}

/** A key file without a certificate (the server-side legacy signing keys of agent certificates). */
export interface Rke2KeyFile {
  readonly name: string;
  readonly service: string;
  readonly keyPath: string;
}

/** A component kubeconfig: every credential a file reference (absolute paths). */
export interface Rke2Kubeconfig {
  readonly path: string;
  readonly server: string;
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** Name of the leaf whose files it references. */
  readonly leaf: string;
}

/** A copy of a CA bundle: whole (agent copies) or its first certificate only (`*.nochain.crt`). */
export interface Rke2CaCopy {
  readonly path: string;
  readonly ca: string;
  readonly firstOnly: boolean;
  readonly mode: number;
}

/** Everything one RKE2/K3s node's data dir holds. */
export interface Rke2Catalogue {
  readonly program: Rke2Program;
  readonly role: 'server' | 'agent';
  readonly cas: readonly CaEntry[];
  readonly leaves: readonly Rke2Leaf[];
  readonly keyFiles: readonly Rke2KeyFile[];
  readonly kubeconfigs: readonly Rke2Kubeconfig[];
  readonly copies: readonly Rke2CaCopy[];
  /** The kubeconfig for people (`rke2.yaml`/`k3s.yaml`), embedding the admin credentials. */
  readonly userKubeconfig:
    | { readonly path: string; readonly server: string; readonly leaf: string; readonly ca: string }
    | undefined;
  readonly serviceKeyPath: string;
  readonly serviceCurrentKeyPath: string;
  readonly dynamicCertPath: string;
  readonly regenerateTriggerPath: string;
  /** RKE2 only: the marker that makes the next start re-create the control-plane static pods. */
  readonly forceRestartPath: string | undefined;
  /** Servers only: kpki's record of the spec these certificates were made from (spec-record.ts). */
  readonly specRecord: { readonly path: string; readonly text: string } | undefined;
}

/** Tree-relative directories. */
export const SERVER_TLS = 'server/tls';
export const AGENT_DIR = 'agent';

/** The kubelet's client certificate (`system:node:<name>`), every node has it. */
export const KUBELET_CLIENT_CERT_PATH = `${AGENT_DIR}/client-kubelet.crt`;

/** The service-account key file: every key the API server accepts, the signing key first. */
export const SERVICE_KEY_PATH = `${SERVER_TLS}/service.key`;

/** The key file beside a certificate file (`x.crt` → `x.key`), as K3s pairs them. */
export function keyPathOf(certPath: string): string {
  return certPath.replace(/\.crt$/, '.key');
}

/** The certificate file beside a key file (`x.key` → `x.crt`). */
export function certPathOf(keyPath: string): string {
  return keyPath.replace(/\.key$/, '.crt');
}

/** True for a key file's path (written 0600). */
export function isKeyPath(path: string): boolean {
  return path.endsWith('.key');
}
