/**
 * Reading a kubeadm `--config` file (InitConfiguration + ClusterConfiguration, v1beta3 and v1beta4,
 * several YAML documents) into a {@link KubeadmSpec}. Fields kpki reads are checked strictly, as
 * kubeadm's strict decoder does; other kubeadm fields are accepted and ignored.
 */
import { InvalidInputError } from '../../errors.js';
import { parseYamlValues } from '../safe-parse.js';
import { isKeyAlgorithm } from '../../pki/keys.js';
import { parseDuration } from '../../pki/duration.js';
import {
  defaultKubeadmSpec,
  KUBEADM_DEFAULTS,
  type EtcdSpec,
  type HostDefaults,
  type KubeadmSpec,
} from './spec.js';

type Obj = Record<string, unknown>;
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const GROUP = 'kubeadm.k8s.io';
const VERSIONS = ['v1beta3', 'v1beta4'];
const FIELDS: Readonly<Record<string, readonly string[]>> = {
  InitConfiguration: [
    'apiVersion',
    'kind',
    'bootstrapTokens',
    'nodeRegistration',
    'localAPIEndpoint',
    'certificateKey',
    'skipPhases',
    'patches',
    'timeouts',
    'dryRun',
  ],
  ClusterConfiguration: [
    'apiVersion',
    'kind',
    'etcd',
    'networking',
    'kubernetesVersion',
    'controlPlaneEndpoint',
    'apiServer',
    'controllerManager',
    'scheduler',
    'dns',
    'proxy',
    'certificatesDir',
    'imageRepository',
    'featureGates',
    'clusterName',
    'encryptionAlgorithm',
    'certificateValidityPeriod',
    'caCertificateValidityPeriod',
    'upgrade',
  ],
  nodeRegistration: [
    'name',
    'criSocket',
    'taints',
    'kubeletExtraArgs',
    'ignorePreflightErrors',
    'imagePullPolicy',
    'imagePullSerial',
  ],
  localAPIEndpoint: ['advertiseAddress', 'bindPort'],
  networking: ['serviceSubnet', 'podSubnet', 'dnsDomain'],
  etcd: ['local', 'external'],
  'etcd.local': [
    'imageRepository',
    'imageTag',
    'dataDir',
    'extraArgs',
    'extraEnvs',
    'serverCertSANs',
    'peerCertSANs',
  ],
  'etcd.external': ['endpoints', 'caFile', 'certFile', 'keyFile'],
  apiServer: ['certSANs', 'extraArgs', 'extraVolumes', 'extraEnvs', 'timeoutForControlPlane'],
};
const V1BETA4_ONLY = [
  'encryptionAlgorithm',
  'certificateValidityPeriod',
  'caCertificateValidityPeriod',
];

/** A parsed config and kubeadm's warnings about it. */
export interface ParsedKubeadmConfig {
  readonly spec: KubeadmSpec;
  readonly warnings: readonly string[];
}

/**
 * Parses a kubeadm config file. Documents of other kinds (KubeletConfiguration, JoinConfiguration…)
 * are ignored. `source` names the file in errors.
 * @throws InvalidInputError `BAD_CONFIG` naming the field for unknown fields, wrong types, bad
 *   values, or fields that the document's apiVersion does not have.
 */
export function parseKubeadmConfig(
  text: string,
  source: string,
  host: HostDefaults,
): ParsedKubeadmConfig {
  const spec: Mutable<KubeadmSpec> = { ...defaultKubeadmSpec(host) };
  const warnings: string[] = [];
  // Never the parser's message: it quotes the damaged line (a bootstrap token, a key).
  for (const value of parseYamlValues(text, source, 'BAD_CONFIG', (detail) =>
    bad(source, `invalid YAML (${detail})`),
  )) {
    if (value === null || value === undefined) continue;
    const obj = asObject(value, source, '(document)');
    const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
    const [group, version] = apiVersion.split('/');
    if (group !== GROUP) continue;
    if (!VERSIONS.includes(version ?? ''))
      throw bad(
        source,
        `apiVersion "${apiVersion}" is not supported (use ${GROUP}/v1beta3 or v1beta4)`,
      );
    if (obj.kind === 'InitConfiguration') readInit(obj, spec, source);
    else if (obj.kind === 'ClusterConfiguration') readCluster(obj, spec, source, version ?? '');
  }
  warnings.push(...validityWarnings(spec));
  return { spec, warnings };
}

function readInit(obj: Obj, spec: Mutable<KubeadmSpec>, source: string): void {
  checkFields(obj, 'InitConfiguration', source);
  const reg = optionalObject(obj.nodeRegistration, source, 'nodeRegistration');
  if (reg) {
    checkFields(reg, 'nodeRegistration', source);
    if (reg.name !== undefined) spec.nodeName = str(reg.name, source, 'nodeRegistration.name');
  }
  const ep = optionalObject(obj.localAPIEndpoint, source, 'localAPIEndpoint');
  if (ep) {
    checkFields(ep, 'localAPIEndpoint', source);
    if (ep.advertiseAddress !== undefined)
      spec.advertiseAddress = str(ep.advertiseAddress, source, 'localAPIEndpoint.advertiseAddress');
    if (ep.bindPort !== undefined)
      spec.bindPort = port(ep.bindPort, source, 'localAPIEndpoint.bindPort');
  }
}

function readCluster(obj: Obj, spec: Mutable<KubeadmSpec>, source: string, version: string): void {
  checkFields(obj, 'ClusterConfiguration', source);
  if (version === 'v1beta3') {
    const field = V1BETA4_ONLY.find((name) => obj[name] !== undefined);
    if (field)
      throw bad(
        source,
        `ClusterConfiguration.${field}: field not known in ${GROUP}/v1beta3 (it needs v1beta4)`,
      );
    const gates = optionalObject(obj.featureGates, source, 'featureGates');
    if (gates?.PublicKeysECDSA === true) spec.encryptionAlgorithm = 'ECDSA-P256';
  }
  if (obj.controlPlaneEndpoint !== undefined)
    spec.controlPlaneEndpoint = str(obj.controlPlaneEndpoint, source, 'controlPlaneEndpoint');
  if (obj.clusterName !== undefined) spec.clusterName = str(obj.clusterName, source, 'clusterName');
  if (obj.kubernetesVersion !== undefined)
    spec.kubernetesVersion = str(obj.kubernetesVersion, source, 'kubernetesVersion');
  if (obj.certificatesDir !== undefined)
    spec.certificatesDir = certificatesDir(
      str(obj.certificatesDir, source, 'certificatesDir'),
      source,
    );
  if (obj.encryptionAlgorithm !== undefined)
    spec.encryptionAlgorithm = algorithm(obj.encryptionAlgorithm, source);
  if (obj.certificateValidityPeriod !== undefined)
    spec.certificateValidityMs = duration(
      obj.certificateValidityPeriod,
      source,
      'certificateValidityPeriod',
    );
  if (obj.caCertificateValidityPeriod !== undefined)
    spec.caCertificateValidityMs = duration(
      obj.caCertificateValidityPeriod,
      source,
      'caCertificateValidityPeriod',
    );
  readNetworking(obj, spec, source);
  const apiServer = optionalObject(obj.apiServer, source, 'apiServer');
  if (apiServer) {
    checkFields(apiServer, 'apiServer', source);
    if (apiServer.certSANs !== undefined)
      spec.certSANs = strList(apiServer.certSANs, source, 'apiServer.certSANs');
  }
  if (obj.etcd !== undefined) spec.etcd = readEtcd(obj.etcd, source);
}

function readNetworking(obj: Obj, spec: Mutable<KubeadmSpec>, source: string): void {
  const net = optionalObject(obj.networking, source, 'networking');
  if (!net) return;
  checkFields(net, 'networking', source);
  if (net.serviceSubnet !== undefined)
    spec.serviceSubnet = str(net.serviceSubnet, source, 'networking.serviceSubnet');
  if (net.dnsDomain !== undefined)
    spec.dnsDomain = str(net.dnsDomain, source, 'networking.dnsDomain');
}

function readEtcd(value: unknown, source: string): EtcdSpec {
  const etcd = asObject(value, source, 'etcd');
  checkFields(etcd, 'etcd', source);
  if (etcd.external !== undefined && etcd.local !== undefined)
    throw bad(source, 'etcd: set either etcd.local or etcd.external, not both');
  if (etcd.external !== undefined) {
    checkFields(asObject(etcd.external, source, 'etcd.external'), 'etcd.external', source);
    return { external: true };
  }
  const local = optionalObject(etcd.local, source, 'etcd.local') ?? {};
  checkFields(local, 'etcd.local', source);
  return {
    external: false,
    serverCertSANs:
      local.serverCertSANs === undefined
        ? []
        : strList(local.serverCertSANs, source, 'etcd.local.serverCertSANs'),
    peerCertSANs:
      local.peerCertSANs === undefined
        ? []
        : strList(local.peerCertSANs, source, 'etcd.local.peerCertSANs'),
  };
}

/** kubeadm only warns about long or inverted validity periods (PR #126538); so does kpki. */
function validityWarnings(spec: KubeadmSpec): string[] {
  const warnings: string[] = [];
  if (spec.certificateValidityMs > KUBEADM_DEFAULTS.certificateValidityMs) {
    warnings.push('certificateValidityPeriod is more than the recommended default of 8760h0m0s');
  }
  if (spec.caCertificateValidityMs > KUBEADM_DEFAULTS.caCertificateValidityMs) {
    warnings.push('caCertificateValidityPeriod is more than the recommended default of 87600h0m0s');
  }
  if (spec.certificateValidityMs > spec.caCertificateValidityMs) {
    warnings.push('certificateValidityPeriod is longer than caCertificateValidityPeriod');
  }
  return warnings;
}

/** Maps kubeadm's absolute certificatesDir into the tree, which is rooted at /etc/kubernetes. */
function certificatesDir(value: string, source: string): string {
  const prefix = `${KUBEADM_DEFAULTS.kubeconfigDir}/`;
  if (!value.startsWith(prefix) || value.includes('..')) {
    throw bad(
      source,
      `certificatesDir: "${value}" must be under ${KUBEADM_DEFAULTS.kubeconfigDir}; point --dir at the tree instead`,
    );
  }
  return value.slice(prefix.length).replace(/\/+$/, '');
}

function algorithm(value: unknown, source: string): KubeadmSpec['encryptionAlgorithm'] {
  if (value === '') return KUBEADM_DEFAULTS.encryptionAlgorithm;
  if (typeof value === 'string' && isKeyAlgorithm(value)) return value;
  throw bad(
    source,
    `encryptionAlgorithm: "${String(value)}" is not one of RSA-2048, RSA-3072, RSA-4096, ECDSA-P256, ECDSA-P384`,
  );
}

function duration(value: unknown, source: string, field: string): number {
  const text = str(value, source, field);
  try {
    return parseDuration(text, field);
  } catch {
    throw bad(source, `${field}: "${text}" is not a duration (use e.g. 8760h0m0s)`);
  }
}

function checkFields(obj: Obj, where: string, source: string): void {
  const allowed = FIELDS[where] ?? [];
  const unknown = Object.keys(obj).find((key) => !allowed.includes(key));
  if (unknown !== undefined) throw bad(source, `${where}.${unknown}: unknown field`);
}

function asObject(value: unknown, source: string, field: string): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw bad(source, `${field}: expected a mapping`);
  return value as Obj;
}

function optionalObject(value: unknown, source: string, field: string): Obj | undefined {
  return value === undefined || value === null ? undefined : asObject(value, source, field);
}

function str(value: unknown, source: string, field: string): string {
  if (typeof value !== 'string') throw bad(source, `${field}: expected a string`);
  return value;
}

function strList(value: unknown, source: string, field: string): string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string'))
    throw bad(source, `${field}: expected a list of strings`);
  return value as string[];
}

function port(value: unknown, source: string, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535)
    throw bad(source, `${field}: expected a port number`);
  return value;
}

function bad(source: string, what: string): InvalidInputError {
  return new InvalidInputError('BAD_CONFIG', `invalid kubeadm config "${source}": ${what}`);
}
