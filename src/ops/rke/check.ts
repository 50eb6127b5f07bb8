/**
 * `check` for RKE1 (RKE has no such command): every certificate of the state, in the same report
 * shape as the other layouts. Beyond expiry it reports what RKE never looks at: unparsable PEMs,
 * keys that do not match, certificates not signed by their CA (signature checked), per-host
 * entries of hosts that left, entries the cluster file needs but the state lacks, SANs the cluster
 * file asks for that a certificate lacks, and entries where desiredState and currentState differ.
 */
import type { CheckReport, CheckRow } from '../../layouts/check-report.js';
import { chainProblems, type LoadedEntry } from '../../layouts/rke/bundle.js';
import {
  EXTERNAL_ETCD_CLIENT,
  EXTERNAL_ETCD_CLIENT_CA,
  familyOf,
  KUBE_CA,
  type RkeCertEntry,
} from '../../layouts/rke/catalogue.js';
import { readRkeTree, requireState, type RkeTree } from './tree.js';
import type { RkeFiles } from '../../layouts/rke/files.js';
import type { OpsContext } from '../shared/ports.js';

/** Reads the state and reports every entry. Changes nothing. Rows are sorted by name. */
export async function checkRkeState(ctx: OpsContext, files: RkeFiles): Promise<CheckReport> {
  const at = ctx.clock.now();
  const tree = requireState(await readRkeTree(ctx.tree, files));
  const caNames = new Set(tree.catalogue.cas.map((ca) => ca.name).concat(EXTERNAL_ETCD_CLIENT_CA));
  const authorities = [...caNames]
    .filter((name) => name in tree.bundle || tree.catalogue.cas.some((ca) => ca.name === name))
    .map((name) => row(tree, name, 'ca', undefined, at, []));
  const leafNames = new Set([
    ...tree.catalogue.leaves.map((leaf) => leaf.name),
    ...Object.keys(tree.bundle).filter((name) => !caNames.has(name)),
  ]);
  const certificates = [...leafNames].map((name) => {
    const entry = tree.catalogue.leaves.find((leaf) => leaf.name === name);
    const caName = entry?.ca ?? (name === EXTERNAL_ETCD_CLIENT ? EXTERNAL_ETCD_CLIENT_CA : KUBE_CA);
    return row(tree, name, 'leaf', caName, at, leafProblems(tree, name, entry, caName, at));
  });
  const byName = (a: CheckRow, b: CheckRow): number =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  return { at, certificates: certificates.sort(byName), authorities: authorities.sort(byName) };
}

function leafProblems(
  tree: RkeTree,
  name: string,
  entry: RkeCertEntry | undefined,
  caName: string,
  at: Date,
): string[] {
  const loaded = tree.loaded.get(name);
  if (!loaded) return [];
  // The service-account certificate is never verified by anything (only its key is used), and
  // custom-certificate clusters carry a self-signed dummy there (rke#2164).
  const problems =
    entry?.preserveKey === true ? [] : chainProblems(loaded, tree.loaded.get(caName), caName, at);
  if (!entry && familyOf(name) !== undefined)
    problems.push(`its host is no longer in "${tree.files.clusterFile}"; kpki rotate removes it`);
  if (entry && loaded.cert && entry.altNames.dns.length + entry.altNames.ip.length > 0) {
    const missing = [
      ...entry.altNames.dns.filter((dns) => !loaded.cert?.dnsNames.includes(dns)),
      ...entry.altNames.ip.filter((ip) => !loaded.cert?.ipAddresses.includes(ip)),
    ];
    if (missing.length > 0)
      problems.push(
        `lacks SANs ${missing.join(', ')} that "${tree.files.clusterFile}" asks for; kpki rotate --service ${entry.service ?? 'all'} adds them`,
      );
  }
  return problems;
}

function row(
  tree: RkeTree,
  name: string,
  kind: CheckRow['kind'],
  caName: string | undefined,
  at: Date,
  extra: string[],
): CheckRow {
  const loaded: LoadedEntry | undefined = tree.loaded.get(name);
  const cert = loaded?.cert;
  const problems = [...(loaded?.problems ?? []), ...extra, ...stateDrift(tree, name)];
  if (loaded && !cert) problems.push('no certificate in the entry');
  const caLoaded = caName === undefined ? loaded : tree.loaded.get(caName);
  return {
    name,
    kind,
    path: `${tree.files.stateFile}#${tree.source}.certificatesBundle.${name}`,
    caName,
    missing: loaded === undefined,
    optional: false,
    notAfter: cert?.notAfter,
    residualMs: cert ? cert.notAfter.getTime() - at.getTime() : undefined,
    externallyManaged: caLoaded !== undefined && caLoaded.key === undefined,
    problems,
    certificate: cert,
  };
}

/** desiredState and currentState disagree on the entry: an `rke up` has not finished. */
function stateDrift(tree: RkeTree, name: string): string[] {
  const desired = tree.state?.bundles.desiredState?.[name];
  const current = tree.state?.bundles.currentState?.[name];
  if (desired === undefined || current === undefined) return [];
  const same =
    desired.certificatePEM === current.certificatePEM && desired.keyPEM === current.keyPEM;
  return same
    ? []
    : ['desiredState and currentState hold different certificates (an rke up has not finished)'];
}
