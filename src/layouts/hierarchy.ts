/**
 * Custom CA hierarchies (root → intermediate → the layout's CAs): the shape a layout declares so
 * one `ca generate` serves every distribution.
 */
import type { KeyAlgorithm } from '../pki/keys.js';

/** One CA the intermediate signs, and where its files go (relative to the output directory). */
export interface HierarchyCa {
  readonly name: string;
  readonly cn: string;
  readonly keyAlgorithm: KeyAlgorithm;
  readonly certPath: string;
  readonly keyPath: string;
  /** Also write the certificate alone here (RKE2's `<type>-ca.pem`); undefined when not used. */
  readonly plainPath?: string;
  /** True: the certificate file holds CA + intermediate + root (RKE2); false: the CA alone (kubeadm). */
  readonly withChain: boolean;
}

/** A layout's custom hierarchy. Lifetimes follow RKE2's generate-custom-ca-certs.sh. */
export interface HierarchySpec {
  readonly rootCn: string;
  readonly intermediateCn: string;
  readonly cas: readonly HierarchyCa[];
  readonly rootDays: number;
  readonly intermediateDays: number;
  readonly caDays: number;
  /**
   * Where a new RSA 2048 service-account key goes, in front of the keys of a file already there
   * (kept so tokens they signed stay valid); undefined when the layout's hierarchy has none.
   */
  readonly serviceKeyPath?: string;
}
