/** Options shared by commands. */
import type { Command } from 'commander';

/** `--dir`, `--config`, `--layout`. */
export function addCommonOptions(command: Command): Command {
  return command
    .option('--dir <root>', 'tree root (kubeadm: the directory holding admin.conf and pki/)', '/etc/kubernetes')
    .option('--config <file>', 'cluster spec (kubeadm: InitConfiguration + ClusterConfiguration YAML)')
    .option('--layout <layout>', 'force the layout instead of detecting it (kubeadm)');
}

/** kubeadm init's flags that shape the certificates. */
export function addKubeadmFlags(command: Command): Command {
  return command
    .option('--node-name <name>', 'node name (etcd certificate CN, apiserver SAN)')
    .option('--apiserver-advertise-address <ip>', 'address the API server advertises')
    .option('--apiserver-bind-port <port>', 'API server port (default 6443)')
    .option('--control-plane-endpoint <host[:port]>', 'shared endpoint for all control-plane nodes')
    .option('--apiserver-cert-extra-sans <list>', 'extra SANs for the apiserver certificate, comma separated')
    .option('--service-cidr <cidr>', 'service subnet (default 10.96.0.0/12)')
    .option('--service-dns-domain <domain>', 'cluster DNS domain (default cluster.local)');
}
