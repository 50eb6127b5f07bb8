/**
 * `check`: the expiry and health of every certificate a catalogue names. Reports what kubeadm's
 * check-expiration reports, plus what it leaves out: key/certificate mismatches, certificates not
 * signed by their CA, kubeconfigs whose CA data differs from the CA file.
 */
import type { CheckReport, CheckRow } from '../../layouts/check-report.js';
import { issuedEntries, type Catalogue, type IssuedCertEntry } from '../../layouts/catalogue.js';
import { leafFitProblems } from '../../layouts/leaf-fit.js';
import { chainProblems, loadCa, loadIssued, type Loaded } from './load-tree.js';
import type { OpsContext } from '../shared/ports.js';

/** Options for {@link checkTree}. */
export interface CheckParams {
  readonly catalogue: Catalogue;
  /**
   * The catalogue comes from a known spec (--config), so SANs, CN/O and server URLs are compared
   * too; otherwise only whether each certificate's usages serve its role. Default false.
   */
  readonly specKnown?: boolean;
}

/** Reads every entry of the catalogue and reports it. Changes nothing. Rows are sorted by name. */
export async function checkTree(ctx: OpsContext, params: CheckParams): Promise<CheckReport> {
  const at = ctx.clock.now();
  const cas = await Promise.all(params.catalogue.cas.map((entry) => loadCa(ctx.tree, entry)));
  const byName = new Map(cas.map((ca) => [ca.entry.name, ca]));
  const authorities = cas.map((ca) =>
    row(ca, 'ca', undefined, at, ca.exists && !ca.keyExists, [], false),
  );
  const issued = await Promise.all(
    issuedEntries(params.catalogue).map((entry) => loadIssued(ctx.tree, entry, ctx.external)),
  );
  const certificates = issued.map((loaded) => {
    const ca = byName.get(loaded.entry.ca);
    const external = ca !== undefined && ca.exists && !ca.keyExists;
    return row(
      loaded,
      loaded.entry.kind,
      loaded.entry.ca,
      at,
      external,
      [...chainProblems(loaded, ca, at), ...fitProblems(loaded, at, params.specKnown === true)],
      loaded.entry.optional === true,
    );
  });
  const byRowName = (a: CheckRow, b: CheckRow): number =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  return {
    at,
    certificates: certificates.sort(byRowName),
    authorities: authorities.sort(byRowName),
  };
}

function row(
  loaded: Loaded<{ name: string }>,
  kind: CheckRow['kind'],
  caName: string | undefined,
  at: Date,
  external: boolean,
  extra: string[],
  optional: boolean,
): CheckRow {
  const cert = loaded.cert;
  return {
    name: loaded.entry.name,
    kind,
    path: loaded.source,
    caName,
    missing: !loaded.exists,
    optional,
    notAfter: cert?.notAfter,
    residualMs: cert ? cert.notAfter.getTime() - at.getTime() : undefined,
    externallyManaged: external,
    problems: [...loaded.problems, ...extra],
    certificate: cert,
  };
}

/** How the certificate fails its role (and, with a known spec, the spec); expiry has its own columns. */
function fitProblems(loaded: Loaded<IssuedCertEntry>, at: Date, spec: boolean): string[] {
  if (!loaded.cert) return [];
  return leafFitProblems(
    loaded.entry,
    { cert: loaded.cert, server: loaded.kubeconfig?.credentials.server },
    at,
    { spec, validity: false },
  );
}
