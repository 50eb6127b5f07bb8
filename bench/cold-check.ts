/**
 * cold-check-kubeadm: `kpki check -o json` on a kubeadm tree (whole process) against a bare node
 * start, and against a shell loop of `openssl x509 -noout -enddate` over the tree's certificates.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { alternate, median, timeProcess, type BenchLine } from './measure.js';

/** Makes a kubeadm tree once, then times check against both peers. Returns two lines. */
export async function benchColdCheck(
  work: string,
  kpki: string,
  runs: number,
): Promise<BenchLine[]> {
  const dir = mkdtempSync(join(work, 'cold-check-'));
  timeProcess(process.execPath, [
    kpki,
    'init',
    '--dir',
    dir,
    '--node-name',
    'n',
    '--apiserver-advertise-address',
    '10.0.0.5',
  ]);
  const crts = [
    ...readdirSync(join(dir, 'pki')).map((f) => join(dir, 'pki', f)),
    ...readdirSync(join(dir, 'pki/etcd')).map((f) => join(dir, 'pki/etcd', f)),
  ].filter((f) => f.endsWith('.crt'));
  // check exits 0 on a fresh tree; 3 or 4 would mean problems or expiry, which a fresh tree has not.
  const check = (): number =>
    timeProcess(process.execPath, [kpki, 'check', '--dir', dir, '-o', 'json']);
  const node = (): number => timeProcess(process.execPath, ['-e', '0']);
  const loop = `for f in ${crts.join(' ')}; do openssl x509 -noout -enddate -in "$f"; done`;
  const openssl = (): number => timeProcess('bash', ['-c', loop]);
  const vsNode = await alternate(runs, check, node);
  const vsOpenssl = await alternate(runs, check, openssl);
  return [
    {
      name: 'cold-check-kubeadm',
      kpki: median(vsNode.a),
      peer: median(vsNode.b),
      unit: 'ms',
      target: 2.5,
      rule: 'le',
      note: 'peer: node -e 0',
    },
    {
      name: 'cold-check-kubeadm-openssl',
      kpki: median(vsOpenssl.a),
      peer: median(vsOpenssl.b),
      unit: 'ms',
      target: 1,
      rule: 'lt',
      note: `peer: openssl x509 -noout -enddate loop over ${crts.length} .crt files`,
    },
  ];
}
