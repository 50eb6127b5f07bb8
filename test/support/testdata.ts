/**
 * Where the shared test data lives: the conformance suites (x509-limbo/, wycheproof/,
 * chain-rollover/) and the artifacts of the real kubeadm, K3s/RKE2 and RKE (real/), read in place.
 * `KPKI_TESTDATA` names the directory (relative to the current directory); by default it is
 * `../shared/testdata` from the project root. A missing directory stops the importing test file
 * at once with one message naming the variable, instead of an ENOENT per test.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The project root (this file is test/support/testdata.ts). */
const PROJECT_ROOT = resolve(import.meta.dirname, '../..');

/** The test data directory, absolute. */
export const TESTDATA = resolve(
  process.env.KPKI_TESTDATA ?? join(PROJECT_ROOT, '..', 'shared', 'testdata'),
);

if (!existsSync(TESTDATA) || !statSync(TESTDATA).isDirectory()) {
  throw new Error(
    `test data not found at "${TESTDATA}": set KPKI_TESTDATA to the directory holding ` +
      'x509-limbo/, wycheproof/, chain-rollover/ and real/ (default ../shared/testdata from the ' +
      'project root)',
  );
}

/** A path below the test data directory: `testdata('real', 'kubeadm-…')`. */
export function testdata(...parts: string[]): string {
  return join(TESTDATA, ...parts);
}

/** The real distributions' artifacts (PKI trees, state files, command outputs). */
export const REAL_TESTDATA = testdata('real');
