/**
 * The kubeadm catalogue (kubeadm ≥ 1.31 behaviour, reference/kubeadm.md §2–§4): three CAs, seven
 * leaves (four without the etcd ones when etcd is external), the service-account key pair and five
 * kubeconfigs, as pure data computed from the cluster spec.
 */
import { classifySans, dedupeAltNames, canonicalIp, type AltNames } from '../../pki/san.js';
import type { KeyUsageName } from '../../pki/certificate.js';
import type { CaEntry, CaRole, Catalogue, KubeconfigEntry, LeafEntry } from '../catalogue.js';
import {
  controlPlaneUrl,
  kubernetesServiceIp,
  localApiUrl,
  splitHostPort,
  type KubeadmSpec,
} from './spec.js';

/** Components in the order they restart after their files change. */
export const KUBEADM_RESTART_ORDER = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kubelet',
] as const;

const CA_USAGE: readonly KeyUsageName[] = ['digitalSignature', 'keyEncipherment', 'keyCertSign'];
const LEAF_USAGE: readonly KeyUsageName[] = ['digitalSignature', 'keyEncipherment'];
const NO_SANS: AltNames = { dns: [], ip: [] };

/** The catalogue plus kubeadm's warnings (certSANs it dropped). */
export interface KubeadmCatalogue {
  readonly catalogue: Catalogue;
  readonly warnings: readonly string[];
}

/** Computes the kubeadm catalogue for a spec. Pure. */
export function kubeadmCatalogue(spec: KubeadmSpec): KubeadmCatalogue {
  const warnings: string[] = [];
  const pki = (base: string): { certPath: string; keyPath: string } => ({
    certPath: `${spec.certificatesDir}/${base}.crt`,
    keyPath: `${spec.certificatesDir}/${base}.key`,
  });
  const ca = (role: CaRole, name: string, base: string, cn: string, longName: string): CaEntry => ({
    name,
    role,
    longName,
    ...pki(base),
    subject: { cn },
    altNames: { dns: [cn], ip: [] },
    keyUsage: CA_USAGE,
    validityMs: spec.caCertificateValidityMs,
    keyAlgorithm: spec.encryptionAlgorithm,
  });
  const leaf = (
    entry: Omit<
      LeafEntry,
      'kind' | 'certPath' | 'keyPath' | 'keyUsage' | 'validityMs' | 'keyAlgorithm'
    >,
    base: string,
  ): LeafEntry => ({
    kind: 'leaf',
    ...pki(base),
    keyUsage: LEAF_USAGE,
    validityMs: spec.certificateValidityMs,
    keyAlgorithm: spec.encryptionAlgorithm,
    ...entry,
  });

  const cas: CaEntry[] = [
    ca(
      'cluster',
      'ca',
      'ca',
      'kubernetes',
      'self-signed Kubernetes CA to provision identities for other Kubernetes components',
    ),
    ca(
      'request-header',
      'front-proxy-ca',
      'front-proxy-ca',
      'front-proxy-ca',
      'self-signed CA to provision identities for front proxy',
    ),
  ];
  const leaves: LeafEntry[] = [
    leaf(
      {
        name: 'apiserver',
        longName: 'certificate for serving the Kubernetes API',
        ca: 'ca',
        subject: { cn: 'kube-apiserver' },
        altNames: apiserverSans(spec, warnings),
        extKeyUsage: ['serverAuth'],
        restart: ['kube-apiserver'],
      },
      'apiserver',
    ),
    leaf(
      {
        name: 'apiserver-kubelet-client',
        longName: 'certificate for the API server to connect to kubelet',
        ca: 'ca',
        subject: { cn: 'kube-apiserver-kubelet-client', o: ['kubeadm:cluster-admins'] },
        altNames: NO_SANS,
        extKeyUsage: ['clientAuth'],
        restart: ['kube-apiserver'],
      },
      'apiserver-kubelet-client',
    ),
    leaf(
      {
        name: 'front-proxy-client',
        longName: 'certificate for the front proxy client',
        ca: 'front-proxy-ca',
        subject: { cn: 'front-proxy-client' },
        altNames: NO_SANS,
        extKeyUsage: ['clientAuth'],
        restart: ['kube-apiserver'],
      },
      'front-proxy-client',
    ),
  ];
  if (!spec.etcd.external) {
    cas.push(
      ca(
        'etcd',
        'etcd-ca',
        'etcd/ca',
        'etcd-ca',
        'self-signed CA to provision identities for etcd',
      ),
    );
    const etcd = spec.etcd;
    leaves.push(
      leaf(
        {
          name: 'etcd-server',
          longName: 'certificate for serving etcd',
          ca: 'etcd-ca',
          subject: { cn: spec.nodeName },
          altNames: etcdSans(spec, etcd.serverCertSANs, 'etcd-server', warnings),
          extKeyUsage: ['serverAuth', 'clientAuth'],
          restart: ['etcd'],
        },
        'etcd/server',
      ),
      leaf(
        {
          name: 'etcd-peer',
          longName: 'certificate for etcd nodes to communicate with each other',
          ca: 'etcd-ca',
          subject: { cn: spec.nodeName },
          altNames: etcdSans(spec, etcd.peerCertSANs, 'etcd-peer', warnings),
          extKeyUsage: ['serverAuth', 'clientAuth'],
          restart: ['etcd'],
        },
        'etcd/peer',
      ),
      leaf(
        {
          name: 'etcd-healthcheck-client',
          longName: 'certificate for liveness probes to healthcheck etcd',
          ca: 'etcd-ca',
          subject: { cn: 'kube-etcd-healthcheck-client' },
          altNames: NO_SANS,
          extKeyUsage: ['clientAuth'],
          restart: [],
        },
        'etcd/healthcheck-client',
      ),
      leaf(
        {
          name: 'apiserver-etcd-client',
          longName: 'certificate the apiserver uses to access etcd',
          ca: 'etcd-ca',
          subject: { cn: 'kube-apiserver-etcd-client' },
          altNames: NO_SANS,
          extKeyUsage: ['clientAuth'],
          restart: ['kube-apiserver'],
        },
        'apiserver-etcd-client',
      ),
    );
  }
  return {
    catalogue: {
      cas,
      leaves,
      kubeconfigs: kubeconfigEntries(spec),
      keyPairs: [
        {
          name: 'sa',
          keyPath: `${spec.certificatesDir}/sa.key`,
          publicPath: `${spec.certificatesDir}/sa.pub`,
          keyAlgorithm: spec.encryptionAlgorithm,
        },
      ],
    },
    warnings,
  };
}

/** The administrator's kubeconfig, which kubeadm's commands use by default to reach the cluster. */
export const ADMIN_KUBECONFIG = 'admin.conf';

function kubeconfigEntries(spec: KubeadmSpec): KubeconfigEntry[] {
  const entry = (
    name: string,
    longName: string,
    cn: string,
    o: string[],
    server: string,
    restart: string[],
  ): KubeconfigEntry => ({
    kind: 'kubeconfig',
    name,
    longName,
    path: name,
    ca: 'ca',
    subject: o.length > 0 ? { cn, o } : { cn },
    altNames: NO_SANS,
    keyUsage: LEAF_USAGE,
    extKeyUsage: ['clientAuth'],
    validityMs: spec.certificateValidityMs,
    keyAlgorithm: spec.encryptionAlgorithm,
    server,
    clusterName: spec.clusterName,
    userName: cn,
    restart,
  });
  const cpe = controlPlaneUrl(spec);
  const local = localApiUrl(spec);
  return [
    entry(
      ADMIN_KUBECONFIG,
      'certificate embedded in the kubeconfig file for the admin to use and for kubeadm itself',
      'kubernetes-admin',
      ['kubeadm:cluster-admins'],
      cpe,
      [],
    ),
    {
      ...entry(
        'super-admin.conf',
        'certificate embedded in the kubeconfig file for the super-admin',
        'kubernetes-super-admin',
        ['system:masters'],
        cpe,
        [],
      ),
      optional: true,
    },
    entry(
      'controller-manager.conf',
      'certificate embedded in the kubeconfig file for the controller manager to use',
      'system:kube-controller-manager',
      [],
      local,
      ['kube-controller-manager'],
    ),
    entry(
      'scheduler.conf',
      'certificate embedded in the kubeconfig file for the scheduler manager to use',
      'system:kube-scheduler',
      [],
      local,
      ['kube-scheduler'],
    ),
    // kubeadm ≥ 1.33 points the first control-plane kubelet at the local API endpoint (ControlPlaneKubeletLocalMode).
    {
      ...entry(
        'kubelet.conf',
        'certificate embedded in the kubeconfig file for the kubelet to use',
        `system:node:${spec.nodeName}`,
        ['system:nodes'],
        local,
        ['kubelet'],
      ),
      selfRotated: true,
    },
  ];
}

function apiserverSans(spec: KubeadmSpec, warnings: string[]): AltNames {
  const dns = [
    spec.nodeName,
    'kubernetes',
    'kubernetes.default',
    'kubernetes.default.svc',
    `kubernetes.default.svc.${spec.dnsDomain}`,
  ];
  const ip = [kubernetesServiceIp(spec.serviceSubnet), spec.advertiseAddress];
  if (spec.controlPlaneEndpoint) {
    const { host } = splitHostPort(spec.controlPlaneEndpoint);
    const address = canonicalIp(host);
    if (address !== undefined) ip.push(address);
    else dns.push(host);
  }
  return dedupeAltNames(withExtra({ dns, ip }, spec.certSANs, 'apiserver', warnings));
}

function etcdSans(
  spec: KubeadmSpec,
  extra: readonly string[],
  cert: string,
  warnings: string[],
): AltNames {
  const base = {
    dns: [spec.nodeName, 'localhost'],
    ip: [spec.advertiseAddress, '127.0.0.1', '::1'],
  };
  return dedupeAltNames(withExtra(base, extra, cert, warnings));
}

function withExtra(
  base: AltNames,
  extra: readonly string[],
  cert: string,
  warnings: string[],
): AltNames {
  const { names, dropped } = classifySans(extra);
  for (const { value } of dropped) {
    warnings.push(
      `[certificates] WARNING: '${value}' was not added to the '${cert}' SAN, because it is not a valid IP or RFC-1123 compliant DNS entry`,
    );
  }
  return { dns: [...base.dns, ...names.dns], ip: [...base.ip, ...names.ip] };
}
