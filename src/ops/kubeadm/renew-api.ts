/**
 * `renew NAME...|all --use-api`: renewal through the Kubernetes certificates API. For each entry
 * a new key and a CertificateSigningRequest with the identity kubeadm's renewal keeps (CN, O, DNS
 * and IP SANs of the current certificate), the catalogue's usages and validity, and the signer
 * `apiSignerFor` names; then every answer is awaited and checked (signed by the entry's CA, for
 * this key, with the identity and usages asked for). Only when every CSR came back good are the
 * files made, as one change, as a local renewal's are. The CA key is never needed: this is how an
 * external-CA tree renews.
 */
import { ValidationError } from '../../errors.js';
import type { Catalogue, IssuedCertEntry } from '../../layouts/catalogue.js';
import { chainProblem } from '../../layouts/chain-problem.js';
import { apiSignerFor, usagesOf } from '../../layouts/request-policy.js';
import { parseCertificate, type Certificate } from '../../pki/certificate.js';
import { buildCsr } from '../../pki/csr.js';
import { spkiOf, type PrivateKey } from '../../pki/keys.js';
import type { CertificatesApi, CsrResult } from '../shared/certificates-api.js';
import { PreparedChange, restartOrder, type Planned, type PlanItem } from '../shared/plan.js';
import type { FileWrite, OpsContext } from '../shared/ports.js';
import { copiedIdentity, issuedFiles, type Identity } from './issue-entry.js';
import { loadCa, loadIssued, requireLoaded } from './load-tree.js';
import { selectEntries } from './renew.js';

/** Inputs of a renewal through the API. */
export interface RenewViaApiParams {
  readonly catalogue: Catalogue;
  /** Entry names, or `['all']`. */
  readonly names: readonly string[];
  readonly restartOrder: readonly string[];
  readonly api: CertificatesApi;
  /** How long to wait for every answer, from submission. */
  readonly timeoutMs: number;
  /** Progress lines (CSR names to approve, state changes). */
  readonly progress: (line: string) => void;
  /** Plan only: say what would be requested, submit nothing. */
  readonly dryRun: boolean;
}

interface Request {
  readonly entry: IssuedCertEntry;
  readonly identity: Identity;
  readonly key: PrivateKey | undefined;
  readonly ca: Certificate;
  readonly signerName: string;
  readonly kubeconfigText: string | undefined;
}

/**
 * Plans, and unless `dryRun` obtains, the renewal of the named entries through the API.
 * @throws UnknownNameError for a name not in the catalogue; ValidationError `BROKEN_ENTRY` for an
 *   entry without a readable certificate, `CA_MISSING` without its CA certificate,
 *   `CSR_NOT_ISSUED` listing every CSR denied, failed or unanswered in time, `CSR_BAD_CERT`
 *   listing every certificate that is not what was asked for. The tree is never written here.
 */
export async function planRenewViaApi(
  ctx: OpsContext,
  params: RenewViaApiParams,
): Promise<Planned> {
  const requests = await Promise.all(
    selectEntries(params.catalogue, params.names).map((entry) => requestFor(ctx, params, entry)),
  );
  const items: PlanItem[] = requests.map(({ entry, signerName }) => ({
    name: entry.name,
    action: 'renew',
    reason: `${params.dryRun ? 'would be signed' : 'signed'} through the certificates API by ${signerName}`,
    files: entry.kind === 'leaf' ? [entry.certPath, entry.keyPath] : [entry.path],
  }));
  const plan = {
    operation: 'renew',
    root: ctx.tree.root,
    items,
    restart: restartOrder(
      requests.flatMap((r) => r.entry.restart),
      params.restartOrder,
    ),
    warnings: [],
  };
  if (params.dryRun) return { plan, change: new PreparedChange('renew', []) };
  const keyed = await Promise.all(
    requests.map(async (r) => ({ ...r, key: await ctx.keys.generate(r.entry.keyAlgorithm) })),
  );
  const submitted = await Promise.all(
    keyed.map(async (r) => {
      const csr = await buildCsr(r.identity.subject, r.identity.altNames, r.key);
      const name = await params.api.submit({
        entry: r.entry.name,
        requestPem: csr.pem,
        signerName: r.signerName,
        usages: usagesOf(r.entry),
        expirationSeconds: Math.floor(r.entry.validityMs / 1000),
      });
      params.progress(
        `CSR ${name} for ${r.entry.name} (signer ${r.signerName}) waits for approval`,
      );
      return { ...r, csrName: name };
    }),
  );
  const deadline = new Date(ctx.clock.now().getTime() + params.timeoutMs);
  // One refusal ends the renewal: the others are not waited for.
  const refused = new AbortController();
  const answers = await Promise.all(
    submitted.map(async (r) => {
      const result = await params.api.wait(r.csrName, deadline, params.progress, refused.signal);
      if (result.kind === 'denied' || result.kind === 'failed') refused.abort();
      return { ...r, result };
    }),
  );
  const unanswered = answers.flatMap((a) =>
    a.result.kind === 'issued'
      ? []
      : [`${a.csrName} (${a.entry.name}): ${unansweredWhy(a.result, params.timeoutMs)}`],
  );
  if (unanswered.length > 0)
    throw new ValidationError(
      'CSR_NOT_ISSUED',
      `nothing was renewed: not every CSR was issued:\n  ${unanswered.join('\n  ')}`,
      { hint: 'approve them with kubectl certificate approve NAME, then run the renewal again' },
    );
  const writes: FileWrite[] = [];
  const problems: string[] = [];
  const at = ctx.clock.now();
  for (const a of answers) {
    if (a.result.kind !== 'issued') continue;
    let certificate: Certificate;
    try {
      certificate = parseCertificate(a.result.certificatePem, `the answer to ${a.csrName}`);
    } catch (error) {
      problems.push(`${a.csrName}: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    const wrong = differences(certificate, a, at);
    if (wrong.length > 0) problems.push(`${a.csrName} (${a.entry.name}): ${wrong.join('; ')}`);
    else
      writes.push(...issuedFiles(a.entry, { certificate, key: a.key }, a.ca.pem, a.kubeconfigText));
  }
  if (problems.length > 0)
    throw new ValidationError(
      'CSR_BAD_CERT',
      `nothing was renewed: certificates that are not what was asked for:\n  ${problems.join('\n  ')}`,
    );
  return { plan, change: new PreparedChange('renew', writes) };
}

function unansweredWhy(result: CsrResult, timeoutMs: number): string {
  switch (result.kind) {
    case 'timeout':
      return `no answer within ${timeoutMs / 1000} s`;
    case 'abandoned':
      return 'not waited for, as another was refused';
    case 'denied':
    case 'failed':
      return `${result.kind}: ${result.reason}`;
    case 'issued':
      return 'issued';
  }
}

async function requestFor(
  ctx: OpsContext,
  params: RenewViaApiParams,
  entry: IssuedCertEntry,
): Promise<Request> {
  const loaded = await loadIssued(ctx.tree, entry);
  if (!loaded.cert)
    throw new ValidationError(
      'BROKEN_ENTRY',
      `cannot renew "${entry.name}": ${loaded.problems.join('; ') || 'no certificate'}`,
    );
  const caEntry = params.catalogue.cas.find((ca) => ca.name === entry.ca);
  const ca = caEntry && (await loadCa(ctx.tree, caEntry));
  if (ca !== undefined) requireLoaded(ca);
  if (!ca?.cert)
    throw new ValidationError(
      'CA_MISSING',
      `cannot renew "${entry.name}" through the API: its CA "${entry.ca}" certificate is missing`,
    );
  return {
    entry,
    identity: copiedIdentity(loaded.cert, entry),
    key: undefined,
    ca: ca.cert,
    signerName: apiSignerFor(params.catalogue, entry),
    kubeconfigText: loaded.kubeconfig?.text,
  };
}

/** How an answer differs from the request: issuer, key, subject, SANs, usages. */
function differences(cert: Certificate, asked: Request & { key: PrivateKey }, at: Date): string[] {
  const out: string[] = [];
  const chain = chainProblem(cert, asked.ca, `CA "${asked.entry.ca}"`, at);
  if (chain !== undefined) out.push(chain.text);
  if (!Buffer.from(cert.spki).equals(spkiOf(asked.key.keyObject)))
    out.push('it is for another key');
  const { subject, altNames } = asked.identity;
  const sorted = (list: readonly string[]): string => [...list].sort().join(',');
  if (cert.subject.cn !== subject.cn || sorted(cert.subject.o) !== sorted(subject.o ?? []))
    out.push(
      `subject CN=${cert.subject.cn ?? ''} O=${cert.subject.o.join('+')}, asked CN=${subject.cn} O=${(subject.o ?? []).join('+')}`,
    );
  if (
    sorted(cert.dnsNames) !== sorted(altNames.dns) ||
    sorted(cert.ipAddresses) !== sorted(altNames.ip)
  )
    out.push(
      `SANs ${[...cert.dnsNames, ...cert.ipAddresses].join(',')}, asked ${[...altNames.dns, ...altNames.ip].join(',')}`,
    );
  const missing = asked.entry.extKeyUsage.filter((eku) => !cert.extKeyUsage.includes(eku));
  if (missing.length > 0) out.push(`without the usages ${missing.join(', ')}`);
  return out;
}
