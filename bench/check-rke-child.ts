/**
 * One timed pass over an RKE state in a fresh process, so its peak memory is its own. Bundled by
 * the bench with esbuild and run with plain node, as the CLI is.
 *   kpki:    read, JSON.parse, kpki's check core (pki/bulk-check: parse, expiry, signature of
 *            every certificate against its CA), rows serialised as JSON (what -o json prints).
 *   ceiling: read, JSON.parse, node's X509Certificate over every certificatePEM in one loop.
 * Prints {"certs", "ms", "maxRssMb"}.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { checkBundle, type BundleEntry } from '../src/pki/bulk-check.js';

type Bundle = Record<string, { certificatePEM?: string }>;
interface State {
  desiredState?: { certificatesBundle?: Bundle };
  currentState?: { certificatesBundle?: Bundle };
}

function entries(state: State): BundleEntry[] {
  const out: BundleEntry[] = [];
  for (const [which, part] of [
    ['desired', state.desiredState],
    ['current', state.currentState],
  ] as const) {
    for (const [name, cert] of Object.entries(part?.certificatesBundle ?? {})) {
      if (cert.certificatePEM) out.push({ name: `${which}/${name}`, pem: cert.certificatePEM });
    }
  }
  return out;
}

const [mode, path] = process.argv.slice(2);
const start = process.hrtime.bigint();
const state = JSON.parse(readFileSync(path ?? '', 'utf8')) as State;
const list = entries(state);
let certs = 0;
if (mode === 'kpki') {
  const rows = checkBundle(list, new Date());
  const json = JSON.stringify(
    rows.map((r) => ({
      name: r.name,
      expirationDate: r.notAfter?.toISOString(),
      residualTime: r.residualMs,
      issuer: r.issuer,
      problems: r.problems,
    })),
  );
  if (rows.some((r) => r.problems.length > 0) || json.length === 0)
    throw new Error('the generated state should check clean');
  certs = rows.length;
} else {
  for (const entry of list) {
    const cert = new X509Certificate(entry.pem);
    if (cert.validTo.length === 0) throw new Error('unreadable');
    certs++;
  }
}
const ms = Number(process.hrtime.bigint() - start) / 1e6;
process.stdout.write(
  JSON.stringify({ certs, ms, maxRssMb: process.resourceUsage().maxRSS / 1024 }),
);
