/**
 * The names help texts list, computed from the layouts' catalogues so that a certificate or
 * service added there shows up in `--help` without editing a string here.
 */
import { issuedEntries } from '../layouts/catalogue.js';
import { kubeadmCatalogue } from '../layouts/kubeadm/catalogue.js';
import { defaultKubeadmSpec } from '../layouts/kubeadm/spec.js';
import { RKE_SERVICES } from '../layouts/rke/catalogue.js';
import { allServices } from '../layouts/rke2/services.js';

/** The names depend on no host value; these only fill the spec's required fields. */
const PLACEHOLDER_HOST = { hostname: 'node', address: '127.0.0.1' };

/** The default kubeadm catalogue (stacked etcd: every certificate kubeadm can have). */
function defaultKubeadmCatalogue(): ReturnType<typeof kubeadmCatalogue>['catalogue'] {
  return kubeadmCatalogue(defaultKubeadmSpec(PLACEHOLDER_HOST)).catalogue;
}

/** The names `kpki renew` accepts on kubeadm trees (leaves and kubeconfigs), sorted as its error lists them. */
export function kubeadmRenewNames(): string[] {
  return issuedEntries(defaultKubeadmCatalogue())
    .map((entry) => entry.name)
    .sort();
}

/** The kubeadm CA names, in catalogue order (what `rotate-ca --ca` takes). */
export function kubeadmCaNames(): string[] {
  return defaultKubeadmCatalogue().cas.map((ca) => ca.name);
}

/**
 * The RKE2/K3s service names in K3s's order, with the program name shown as `<prog>` where the
 * two programs differ (`<prog>-server`).
 */
export function rke2ServiceNames(): string[] {
  const k3s = allServices('k3s');
  return allServices('rke2').map((name, i) =>
    name === k3s[i] ? name : name.replace('rke2', '<prog>'),
  );
}

/** The RKE1 `--service` names (`rke cert rotate --service`). */
export function rkeServiceNames(): string[] {
  return [...RKE_SERVICES];
}
