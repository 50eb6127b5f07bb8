/**
 * The RKE2/K3s cluster spec: what shapes the certificates (reference/rke2-k3s.md §1, §4), with
 * the distributions' defaults, read from their `config.yaml` and overridden by flags.
 */
import { InvalidInputError } from '../../errors.js';
import { parseYamlValue } from '../safe-parse.js';
import { kubernetesServiceIp } from '../kubeadm/spec.js';

/** The two programs that share this layout. */
export type Rke2Program = 'rke2' | 'k3s';

/** Everything the RKE2/K3s catalogue is computed from. */
export interface Rke2Spec {
  readonly program: Rke2Program;
  /** Absolute data dir; component kubeconfigs refer to files below it by absolute path. */
  readonly dataDir: string;
  readonly tlsSans: readonly string[];
  readonly nodeName: string;
  readonly nodeIps: readonly string[];
  readonly nodeExternalIps: readonly string[];
  /** Empty when not set: the first external IP, else the first node IP, is advertised. */
  readonly advertiseAddress: string;
  /** Comma-separated, dual-stack allowed; the first address of the first CIDR is a SAN. */
  readonly serviceCidr: string;
  readonly clusterDomain: string;
  readonly disableEtcd: boolean;
  /** Leaf lifetime in days (365, or CATTLE_NEW_SIGNED_CERT_EXPIRATION_DAYS). */
  readonly leafValidityDays: number;
}

/** What the host contributes to the defaults. */
export interface Rke2HostDefaults {
  readonly hostname: string;
  readonly address: string;
}

/** The distribution defaults that are not host facts. */
export const RKE2_DEFAULTS = {
  serviceCidr: '10.43.0.0/16',
  clusterDomain: 'cluster.local',
  leafValidityDays: 365,
  caValidityDays: 3650,
  /** CertificateRenewDays since the May 2025 releases (90 before). */
  renewDays: 120,
} as const;

/** Default data dir of each program (root install). */
export function defaultDataDir(program: Rke2Program): string {
  return `/var/lib/rancher/${program}`;
}

/** Default config file of each program. */
export function defaultConfigPath(program: Rke2Program): string {
  return `/etc/rancher/${program}/config.yaml`;
}

/** The spec with the distribution's defaults for this host. Node names are lower-cased as K3s does. */
export function defaultRke2Spec(
  program: Rke2Program,
  dataDir: string,
  host: Rke2HostDefaults,
): Rke2Spec {
  return {
    program,
    dataDir,
    tlsSans: [],
    nodeName: host.hostname.toLowerCase(),
    nodeIps: [host.address],
    nodeExternalIps: [],
    advertiseAddress: '',
    serviceCidr: RKE2_DEFAULTS.serviceCidr,
    clusterDomain: RKE2_DEFAULTS.clusterDomain,
    disableEtcd: false,
    leafValidityDays: RKE2_DEFAULTS.leafValidityDays,
  };
}

/** Fields a config file or the flags may set. */
export type Rke2SpecOverrides = Partial<Omit<Rke2Spec, 'program'>>;

const LIST_KEYS = {
  'tls-san': 'tlsSans',
  'node-ip': 'nodeIps',
  'node-external-ip': 'nodeExternalIps',
} as const;
const STRING_KEYS = {
  'node-name': 'nodeName',
  'advertise-address': 'advertiseAddress',
  'service-cidr': 'serviceCidr',
  'cluster-domain': 'clusterDomain',
  'data-dir': 'dataDir',
} as const;

/**
 * Reads the certificate-shaping keys of a K3s/RKE2 `config.yaml` (other keys are ignored, as they
 * configure other things). Lists may be YAML sequences or comma-separated strings, as the
 * distributions accept both.
 * @throws InvalidInputError `BAD_CONFIG` naming `source` and the key when the YAML does not parse
 *   or a value has the wrong type.
 */
export function parseRke2Config(text: string, source: string): Rke2SpecOverrides {
  // Never the parser's message: it quotes the damaged line, which may be `token: <secret>`.
  const doc = parseYamlValue(text, source, 'BAD_CONFIG') ?? {};
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw new InvalidInputError('BAD_CONFIG', `"${source}" is not a YAML mapping`);
  return overridesFromConfig(doc as Record<string, unknown>, source);
}

/**
 * The certificate-shaping keys of an already parsed (and merged) config mapping.
 * @throws InvalidInputError `BAD_CONFIG` naming `source` and the key for a value of the wrong type.
 */
export function overridesFromConfig(
  values: Record<string, unknown>,
  source: string,
): Rke2SpecOverrides {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(LIST_KEYS))
    if (key in values) out[field] = listValue(values[key], key, source);
  for (const [key, field] of Object.entries(STRING_KEYS))
    if (key in values) out[field] = stringValue(values[key], key, source);
  if ('disable-etcd' in values) {
    if (typeof values['disable-etcd'] !== 'boolean')
      throw badKey(source, 'disable-etcd', 'a boolean');
    out.disableEtcd = values['disable-etcd'];
  }
  return out;
}

/** Splits a flag or config list: repeated values and comma-separated values both count. */
export function splitList(values: readonly string[]): string[] {
  return values
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter((value) => value !== '');
}

function listValue(value: unknown, key: string, source: string): string[] {
  if (typeof value === 'string') return splitList([value]);
  if (
    Array.isArray(value) &&
    value.every((item) => typeof item === 'string' || typeof item === 'number')
  )
    return splitList(value.map(String));
  throw badKey(source, key, 'a string or a list of strings');
}

// K3s reads config values into interface{} and turns scalars into flag text (convert.ToString),
// so a go-yaml boolean or number becomes its Go spelling: `node-name: n` is the node "false".
function stringValue(value: unknown, key: string, source: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean' || (typeof value === 'number' && Number.isInteger(value)))
    return String(value);
  throw badKey(source, key, 'a string');
}

function badKey(source: string, key: string, what: string): InvalidInputError {
  return new InvalidInputError('BAD_CONFIG', `"${key}" in "${source}" must be ${what}`);
}

/**
 * The leaf lifetime K3s uses: CATTLE_NEW_SIGNED_CERT_EXPIRATION_DAYS when it parses as a positive
 * integer, else 365 days (K3s logs and ignores a bad value; kpki returns a warning).
 */
export function leafValidityFromEnv(value: string | undefined): {
  days: number;
  warning: string | undefined;
} {
  if (value === undefined || value === '')
    return { days: RKE2_DEFAULTS.leafValidityDays, warning: undefined };
  const days = Number(value);
  if (/^\d+$/.test(value.trim()) && days > 0) return { days, warning: undefined };
  return {
    days: RKE2_DEFAULTS.leafValidityDays,
    warning: `CATTLE_NEW_SIGNED_CERT_EXPIRATION_DAYS="${value}" is not a number of days; using ${RKE2_DEFAULTS.leafValidityDays}`,
  };
}

/** First address of the first service CIDR (the `kubernetes` Service IP, a SAN of the API server). */
export function serviceIp(spec: Rke2Spec): string {
  try {
    return kubernetesServiceIp(spec.serviceCidr);
  } catch (error) {
    throw new InvalidInputError('BAD_CONFIG', `service-cidr: "${spec.serviceCidr}" is not a CIDR`, {
      cause: error,
    });
  }
}

/** The advertise address: set explicitly, else the first external IP, else the first node IP. */
export function advertiseAddressOf(spec: Rke2Spec): string {
  return spec.advertiseAddress || spec.nodeExternalIps[0] || spec.nodeIps[0] || '';
}
