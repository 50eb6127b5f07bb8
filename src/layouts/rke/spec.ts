/**
 * The RKE1 cluster spec: the parts of `cluster.yml` that shape certificates. The same reader
 * accepts the snake_case YAML users write and the camelCase `rkeConfig` RKE stores in
 * `cluster.rkestate`, so a state can be read back with the config it was built from.
 */
import { InvalidInputError } from '../../errors.js';
import { parseYamlValue } from '../safe-parse.js';

/** Node roles RKE knows. */
export const RKE_ROLES = ['controlplane', 'etcd', 'worker'] as const;
/** A node role. */
export type RkeRole = (typeof RKE_ROLES)[number];

/** One host of `nodes:`. Empty strings in the YAML are treated as unset, as RKE does. */
export interface RkeNode {
  readonly address: string;
  readonly internalAddress: string | undefined;
  readonly hostnameOverride: string | undefined;
  readonly roles: readonly RkeRole[];
}

/** External etcd (`services.etcd.external_urls`): RKE then uses the given client cert and CA. */
export interface RkeExternalEtcd {
  readonly urls: readonly string[];
  readonly caCert: string;
  readonly cert: string;
  readonly key: string;
}

/** What the catalogue needs from a cluster.yml. */
export interface RkeSpec {
  /** `cluster_name`, default `local` (names the admin kubeconfig's cluster and user). */
  readonly clusterName: string;
  readonly nodes: readonly RkeNode[];
  /** `services.kube-api.service_cluster_ip_range` split on commas (dual-stack), default 10.43.0.0/16. */
  readonly serviceClusterIpRanges: readonly string[];
  /** `services.kubelet.cluster_domain`, default `cluster.local`. */
  readonly clusterDomain: string;
  /** `services.kubelet.generate_serving_certificate`: per-host `kube-kubelet-<addr>` certificates. */
  readonly generateServingCertificate: boolean;
  readonly externalEtcd: RkeExternalEtcd | undefined;
  /** `authentication.sans`: extra SANs of the kube-apiserver certificate. */
  readonly sans: readonly string[];
}

/** RKE's defaults (cluster/defaults.go). */
export const RKE_DEFAULTS = {
  clusterName: 'local',
  serviceClusterIpRange: '10.43.0.0/16',
  clusterDomain: 'cluster.local',
} as const;

type Obj = Record<string, unknown>;

/**
 * Parses a cluster.yml text.
 * @throws InvalidInputError `BAD_CLUSTER_YML` naming `source` for invalid YAML or wrong types,
 *   `NODE_WITHOUT_ADDRESS` for a node with no address, `UNKNOWN_ROLE` for a role RKE does not know.
 */
export function parseClusterYaml(text: string, source: string): RkeSpec {
  const doc = parseYamlValue(text, source, 'BAD_CLUSTER_YML');
  if (!isObj(doc))
    throw new InvalidInputError(
      'BAD_CLUSTER_YML',
      `"${source}" must be a YAML mapping (an RKE cluster file)`,
    );
  return specFromConfig(doc, source);
}

/**
 * Reads the spec from a parsed cluster config (snake_case YAML or the camelCase `rkeConfig`).
 * @throws InvalidInputError as {@link parseClusterYaml}.
 */
export function specFromConfig(config: Obj, source: string): RkeSpec {
  const services = obj(field(config, 'services'), `${source}: services`);
  const kubeApi = obj(field(services, 'kube-api', 'kubeApi'), `${source}: services.kube-api`);
  const kubelet = obj(field(services, 'kubelet'), `${source}: services.kubelet`);
  const etcd = obj(field(services, 'etcd'), `${source}: services.etcd`);
  const auth = obj(field(config, 'authentication'), `${source}: authentication`);
  const nodesValue = field(config, 'nodes');
  if (nodesValue !== undefined && nodesValue !== null && !Array.isArray(nodesValue))
    throw bad(source, 'nodes must be a list');
  const nodes = ((nodesValue ?? []) as unknown[]).map((node, index) =>
    readNode(node, `${source}: nodes[${index}]`),
  );
  const ranges = str(
    field(kubeApi, 'service_cluster_ip_range', 'serviceClusterIpRange'),
    `${source}: service_cluster_ip_range`,
  );
  return {
    clusterName:
      str(field(config, 'cluster_name', 'clusterName'), `${source}: cluster_name`) ??
      RKE_DEFAULTS.clusterName,
    nodes,
    serviceClusterIpRanges: (ranges ?? RKE_DEFAULTS.serviceClusterIpRange)
      .split(',')
      .map((r) => r.trim())
      .filter(Boolean),
    clusterDomain:
      str(field(kubelet, 'cluster_domain', 'clusterDomain'), `${source}: cluster_domain`) ??
      RKE_DEFAULTS.clusterDomain,
    generateServingCertificate: bool(
      field(kubelet, 'generate_serving_certificate', 'generateServingCertificate'),
      `${source}: generate_serving_certificate`,
    ),
    externalEtcd: readExternalEtcd(etcd, source),
    sans: strList(field(auth, 'sans'), `${source}: authentication.sans`),
  };
}

function readNode(value: unknown, where: string): RkeNode {
  if (!isObj(value)) throw new InvalidInputError('BAD_CLUSTER_YML', `${where} must be a mapping`);
  const address = str(field(value, 'address'), `${where}.address`);
  if (address === undefined) {
    throw new InvalidInputError('NODE_WITHOUT_ADDRESS', `${where} has no address`, {
      hint: 'every node needs "address:" (the IP or name RKE connects to)',
    });
  }
  const roles = strList(field(value, 'role'), `${where}.role`);
  const unknown = roles.filter((role) => !(RKE_ROLES as readonly string[]).includes(role));
  if (unknown.length > 0) {
    throw new InvalidInputError(
      'UNKNOWN_ROLE',
      `${where} (${address}) has unknown role "${unknown.join('", "')}"; roles are ${RKE_ROLES.join(', ')}`,
    );
  }
  return {
    address,
    internalAddress: str(
      field(value, 'internal_address', 'internalAddress'),
      `${where}.internal_address`,
    ),
    hostnameOverride: str(
      field(value, 'hostname_override', 'hostnameOverride'),
      `${where}.hostname_override`,
    ),
    roles: roles as RkeRole[],
  };
}

function readExternalEtcd(etcd: Obj, source: string): RkeExternalEtcd | undefined {
  const urls = strList(
    field(etcd, 'external_urls', 'externalUrls'),
    `${source}: services.etcd.external_urls`,
  );
  if (urls.length === 0) return undefined;
  const text = (key: string, camel: string): string =>
    str(field(etcd, key, camel), `${source}: services.etcd.${key}`) ?? '';
  return {
    urls,
    caCert: text('ca_cert', 'caCert'),
    cert: text('cert', 'cert'),
    key: text('key', 'key'),
  };
}

function field(o: Obj, ...names: string[]): unknown {
  for (const name of names) if (o[name] !== undefined) return o[name];
  return undefined;
}

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function obj(value: unknown, where: string): Obj {
  if (value === undefined || value === null) return {};
  if (!isObj(value)) throw new InvalidInputError('BAD_CLUSTER_YML', `${where} must be a mapping`);
  return value;
}

/** A string, or undefined when absent or empty (RKE treats "" as unset). Numbers are not accepted. */
function str(value: unknown, where: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw new InvalidInputError('BAD_CLUSTER_YML', `${where} must be a string`);
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function strList(value: unknown, where: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw new InvalidInputError('BAD_CLUSTER_YML', `${where} must be a list of strings`);
  }
  return (value as string[]).map((item) => item.trim()).filter(Boolean);
}

function bool(value: unknown, where: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean')
    throw new InvalidInputError('BAD_CLUSTER_YML', `${where} must be true or false`);
  return value;
}

function bad(source: string, what: string): InvalidInputError {
  return new InvalidInputError('BAD_CLUSTER_YML', `"${source}": ${what}`);
}
