/** Options shared by commands. */
import type { Command } from 'commander';

/** Help of `--allow-insecure-dir`, which every command that writes a tree has. */
export const ALLOW_INSECURE_DIR_HELP =
  'write even when the tree root or a directory written into is writable by group or others (refused by default: [INSECURE_DIR])';

/** `--dir`, `--config`, `--layout`, `--allow-insecure-dir`. */
export function addCommonOptions(command: Command): Command {
  return command
    .option('--allow-insecure-dir', ALLOW_INSECURE_DIR_HELP)
    .option(
      '--dir <root>',
      'tree root (kubeadm: the directory holding admin.conf and pki/)',
      '/etc/kubernetes',
    )
    .option(
      '--config <file>',
      'cluster spec (kubeadm: InitConfiguration + ClusterConfiguration YAML)',
    )
    .option(
      '--layout <layout>',
      'force the layout instead of detecting it (kubeadm, rke2, k3s); with rke2/k3s, --dir defaults to /var/lib/rancher/<layout>',
    );
}

/**
 * kubeadm init's flags that shape the certificates; `withNodeName: false` leaves out the flags a
 * command already has from the RKE2 flags under the same name and meaning (--node-name,
 * --service-cidr).
 */
export function addKubeadmFlags(command: Command, withNodeName = true): Command {
  if (withNodeName)
    command
      .option('--node-name <name>', 'node name (etcd certificate CN, apiserver SAN)')
      .option('--service-cidr <cidr>', 'service subnet (default 10.96.0.0/12)');
  return command
    .option('--apiserver-advertise-address <ip>', 'address the API server advertises')
    .option('--apiserver-bind-port <port>', 'API server port (default 6443)')
    .option('--control-plane-endpoint <host[:port]>', 'shared endpoint for all control-plane nodes')
    .option(
      '--apiserver-cert-extra-sans <list>',
      'extra SANs for the apiserver certificate, comma separated',
    )
    .option('--service-dns-domain <domain>', 'cluster DNS domain (default cluster.local)');
}

const collect = (value: string, all: string[]): string[] => [...all, value];

/**
 * RKE2/K3s flags that shape certificates (their config.yaml keys); `skip` leaves out flags a
 * command already has under the same name and meaning (init's kubeadm --node-name, --service-cidr).
 */
export function addRke2Flags(command: Command, skip: readonly string[] = []): Command {
  const flags: [string, string, boolean][] = [
    [
      '--tls-san',
      'rke2/k3s: extra SAN for the API server, supervisor and etcd certificates; repeatable or comma separated',
      true,
    ],
    ['--node-name', 'node name (kubelet certificates, SANs)', false],
    ['--node-ip', 'rke2/k3s: node IP(s); repeatable or comma separated', true],
    ['--node-external-ip', 'rke2/k3s: external node IP(s); repeatable or comma separated', true],
    ['--advertise-address', 'rke2/k3s: address the API server advertises', false],
    ['--service-cidr', 'service CIDR(s) (rke2/k3s default 10.43.0.0/16)', false],
    ['--cluster-domain', 'rke2/k3s: cluster DNS domain (default cluster.local)', false],
  ];
  for (const [flag, help, repeatable] of flags) {
    if (skip.includes(flag)) continue;
    const value = `${flag} <${flag.slice(2)}>`;
    if (repeatable) command.option(value, help, collect, [] as string[]);
    else command.option(value, help);
  }
  if (!skip.includes('--disable-etcd'))
    command.option('--disable-etcd', 'rke2/k3s: no etcd server and peer certificates');
  return command;
}
