/**
 * The kubeadm layout as a library namespace (`import { kubeadm } from 'kpki'`): its catalogue and
 * spec (what kubeadm's `certs` and `kubeconfig` phases create, from a `KubeadmSpec` or a kubeadm
 * config file) and its use cases, each a plan (a plain value, nothing written) and an apply that
 * executes that plan in one all-or-nothing commit to the `TreeStore` of its context.
 * Re-exported whole, so a renamed or added use case appears here without an edit.
 */
export * from '../../layouts/kubeadm/spec.js';
export * from '../../layouts/kubeadm/config.js';
export * from '../../layouts/kubeadm/catalogue.js';
export * from '../../layouts/kubeadm/hierarchy.js';
export * from '../../layouts/kubeadm/check-output.js';
export * from './init.js';
export * from './check.js';
export * from './renew.js';
export * from './csr-generate.js';
export * from './csr-sign.js';
export * from './kubeconfig-user.js';
export * from './rotate-ca-phases.js';
