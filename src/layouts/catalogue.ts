/**
 * The shapes every layout's catalogue uses. A catalogue is immutable data computed by pure
 * functions of the cluster spec; commands iterate over it and never hard-code certificate names.
 */
import type { ExtKeyUsageName, KeyUsageName } from '../pki/certificate.js';
import type { KeyAlgorithm } from '../pki/keys.js';
import type { SubjectFields } from '../pki/name.js';
import type { AltNames } from '../pki/san.js';

/**
 * What a CA is for, across layouts, so ops ask for "the server CA" instead of spelling its name:
 * `cluster` signs the API server and its clients (kubeadm `ca`, RKE `kube-ca`); RKE2/K3s split it
 * into `server` (serving certificates) and `client` (client certificates); `request-header` is
 * the aggregation-layer CA (kubeadm `front-proxy-ca`); `etcd` is kubeadm's one etcd CA, which
 * RKE2/K3s split into `etcd-server` and `etcd-peer`.
 */
export type CaRole =
  | 'cluster'
  | 'server'
  | 'client'
  | 'request-header'
  | 'etcd'
  | 'etcd-server'
  | 'etcd-peer';

/** A certificate authority: where it lives and what a new one looks like. */
export interface CaEntry {
  /** User-facing name, as the distribution names it (`ca`, `etcd-ca`). */
  readonly name: string;
  /** What it is for; unique within a catalogue. */
  readonly role: CaRole;
  /** One-line description, as the distribution prints it. */
  readonly longName: string;
  /** Certificate and key paths relative to the tree root. */
  readonly certPath: string;
  readonly keyPath: string;
  readonly subject: SubjectFields;
  readonly altNames: AltNames;
  readonly keyUsage: readonly KeyUsageName[];
  readonly validityMs: number;
  readonly keyAlgorithm: KeyAlgorithm;
  /** The CA that signs this one; undefined for a self-signed root. */
  readonly parent?: string;
}

/** What a leaf certificate is for, and who must restart when it changes. */
interface IssuedEntry {
  readonly name: string;
  readonly longName: string;
  /** Name of the signing CA in the same catalogue. */
  readonly ca: string;
  readonly subject: SubjectFields;
  readonly altNames: AltNames;
  readonly keyUsage: readonly KeyUsageName[];
  readonly extKeyUsage: readonly ExtKeyUsageName[];
  readonly validityMs: number;
  readonly keyAlgorithm: KeyAlgorithm;
  /** Components that load this file, in the order they must restart. */
  readonly restart: readonly string[];
  /**
   * Absent on a healthy node (kubeadm's `super-admin.conf` exists only where `kubeadm init` ran, and
   * only from v1.29): `check` lists it as missing, as kubeadm does, without counting the tree broken.
   */
  readonly optional?: boolean;
}

/** A leaf kept as a certificate file and a key file. */
export interface LeafEntry extends IssuedEntry {
  readonly kind: 'leaf';
  readonly certPath: string;
  readonly keyPath: string;
}

/** A client certificate embedded in a kubeconfig file. */
export interface KubeconfigEntry extends IssuedEntry {
  readonly kind: 'kubeconfig';
  readonly path: string;
  /** `server:` URL written into the cluster entry. */
  readonly server: string;
  readonly clusterName: string;
  /** User entry name; the context is `<user>@<cluster>`. */
  readonly userName: string;
  /** kubelet.conf: reported but not renewed unless asked for by name (the kubelet rotates it). */
  readonly selfRotated?: boolean;
}

/** A key pair that is not a certificate (kubeadm's `sa.key`/`sa.pub`). */
export interface KeyPairEntry {
  readonly name: string;
  readonly keyPath: string;
  readonly publicPath: string;
  readonly keyAlgorithm: KeyAlgorithm;
}

/** Everything one layout manages. */
export interface Catalogue {
  readonly cas: readonly CaEntry[];
  readonly leaves: readonly LeafEntry[];
  readonly kubeconfigs: readonly KubeconfigEntry[];
  readonly keyPairs: readonly KeyPairEntry[];
}

/** A leaf or a kubeconfig: anything signed by a CA of the catalogue. */
export type IssuedCertEntry = LeafEntry | KubeconfigEntry;

/** Leaves and kubeconfigs together, in catalogue order. */
export function issuedEntries(catalogue: Catalogue): IssuedCertEntry[] {
  return [...catalogue.leaves, ...catalogue.kubeconfigs];
}

/** The CA entry called `name`; undefined when the catalogue has none (e.g. etcd-ca with external etcd). */
export function findCa(catalogue: Catalogue, name: string): CaEntry | undefined {
  return catalogue.cas.find((ca) => ca.name === name);
}

/** The CA entry with `role`; undefined when the catalogue has none (e.g. etcd with external etcd). */
export function caWithRole(
  catalogue: { readonly cas: readonly CaEntry[] },
  role: CaRole,
): CaEntry | undefined {
  return catalogue.cas.find((ca) => ca.role === role);
}

/**
 * The CA entry with `role`, which the layout's catalogue always has.
 * @throws Error when it has none: a catalogue built without it is a programming error.
 */
export function requireCaWithRole(
  catalogue: { readonly cas: readonly CaEntry[] },
  role: CaRole,
): CaEntry {
  const ca = caWithRole(catalogue, role);
  if (!ca) throw new Error(`the catalogue has no ${role} CA`);
  return ca;
}

/** The last component of a tree-relative path: the name a plan shows for a file (`service.key`). */
export function fileNameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Modes the distributions give their files (DESIGN.md): keys and kubeconfigs 0600, certificates 0644. */
export const CATALOGUE_MODE = { key: 0o600, cert: 0o644, kubeconfig: 0o600 } as const;

/**
 * Every file of a catalogue with the mode the distribution gives it (kubeadm's `sa.pub` is 0600,
 * as kubeadm writes it). Pure; used to judge what a rollback may write and where `check` looks.
 */
export function catalogueFileModes(catalogue: Catalogue): Map<string, number> {
  const modes = new Map<string, number>();
  for (const entry of [...catalogue.cas, ...catalogue.leaves]) {
    modes.set(entry.certPath, CATALOGUE_MODE.cert);
    modes.set(entry.keyPath, CATALOGUE_MODE.key);
  }
  for (const entry of catalogue.kubeconfigs) modes.set(entry.path, CATALOGUE_MODE.kubeconfig);
  for (const pair of catalogue.keyPairs) {
    modes.set(pair.keyPath, CATALOGUE_MODE.key);
    modes.set(pair.publicPath, CATALOGUE_MODE.key);
  }
  return modes;
}
