/**
 * RKE's two kubeconfig shapes (pki/kubeconfig.go), written byte for byte as RKE's text templates
 * produce them: the component kubeconfig that references files under /etc/kubernetes/ssl and
 * reaches the API through the node's local proxy, and the admin kubeconfig with embedded data.
 * Reading either goes through the shared kubeconfig codec (layouts/kubeconfig.ts).
 */
import { RKE_SSL_DIR } from './catalogue.js';

const b64 = (text: string): string => Buffer.from(text).toString('base64');

/** `kubecfg-<name>.yaml`: every component talks to https://127.0.0.1:6443 (nginx-proxy on workers). */
export function componentKubeconfig(name: string): string {
  return `apiVersion: v1
kind: Config
clusters:
- cluster:
    api-version: v1
    certificate-authority: ${RKE_SSL_DIR}/kube-ca.pem
    server: "https://127.0.0.1:6443"
  name: "local"
contexts:
- context:
    cluster: "local"
    user: "${name}-local"
  name: "local"
current-context: "local"
users:
- name: "${name}-local"
  user:
    client-certificate: ${RKE_SSL_DIR}/${name}.pem
    client-key: ${RKE_SSL_DIR}/${name}-key.pem`;
}

/** What the admin kubeconfig embeds. */
export interface AdminKubeconfigContent {
  readonly server: string;
  readonly clusterName: string;
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

/** `kube_config_<cluster file>`: cluster and context named after the cluster, user `kube-admin-<cluster>`. */
export function adminKubeconfig(content: AdminKubeconfigContent): string {
  const cluster = content.clusterName;
  return `apiVersion: v1
kind: Config
clusters:
- cluster:
    api-version: v1
    certificate-authority-data: ${b64(content.caPem)}
    server: "${content.server}"
  name: "${cluster}"
contexts:
- context:
    cluster: "${cluster}"
    user: "kube-admin-${cluster}"
  name: "${cluster}"
current-context: "${cluster}"
users:
- name: "kube-admin-${cluster}"
  user:
    client-certificate-data: ${b64(content.certPem)}
    client-key-data: ${b64(content.keyPem)}`;
}

/** The admin kubeconfig's server: the first control-plane host on port 6443 (IPv6 in brackets). */
export function adminServer(address: string): string {
  return `https://${address.includes(':') ? `[${address}]` : address}:6443`;
}
