/**
 * File names RKE derives from the cluster file name (cluster/state.go, cmd/common.go): the state
 * file, the local admin kubeconfig and the default custom-certificate directory.
 */

/** The files of one RKE cluster, relative to the directory holding the cluster file. */
export interface RkeFiles {
  /** Base name of the cluster file, e.g. `cluster.yml`. */
  readonly clusterFile: string;
  /** `<base name without extension>.rkestate`. */
  readonly stateFile: string;
  /** `kube_config_<cluster file>`. */
  readonly adminKubeconfig: string;
  /** `<base name without extension>_certs`, RKE's default `--cert-dir`. */
  readonly certDir: string;
}

/** The file names for a cluster file base name (`cluster.yml` → `cluster.rkestate`, …). */
export function rkeFiles(clusterFile: string): RkeFiles {
  const dot = clusterFile.lastIndexOf('.');
  const stem = dot > 0 ? clusterFile.slice(0, dot) : clusterFile;
  return {
    clusterFile,
    stateFile: `${stem}.rkestate`,
    adminKubeconfig: `kube_config_${clusterFile}`,
    certDir: `${stem}_certs`,
  };
}
