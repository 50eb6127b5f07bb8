/**
 * Running the openssl CLI over many certificates in one shell, so property tests can check
 * hundreds of certificates with real OpenSSL in a second or two instead of one process per call.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SEPARATOR = '=====kpki-openssl-batch=====';

/**
 * `openssl x509 -noout -text` (signature and key bytes left out: they are allowed to differ) for
 * each PEM, in order.
 */
export function opensslText(pems: readonly string[]): string[] {
  return withFiles(pems, (dir, names) => {
    const script = `for f in ${names.join(' ')}; do openssl x509 -in "$f" -noout -text -certopt no_sigdump,no_pubkey 2>&1; echo '${SEPARATOR}'; done`;
    const out = execFileSync('bash', ['-c', script], {
      cwd: dir,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    return out.split(`${SEPARATOR}\n`).slice(0, pems.length);
  });
}

/**
 * `openssl verify -x509_strict` of each PEM against `caPem` at a fixed time (so the result does
 * not depend on today's date). `ok[i]` is true when openssl printed `<file>: OK` for `pems[i]`;
 * `output` is everything openssl printed, for the failure message.
 */
export function opensslVerify(
  caPem: string,
  pems: readonly string[],
  at: Date,
): { ok: boolean[]; output: string } {
  return withFiles([caPem, ...pems], (dir, [ca, ...names]) => {
    const attime = String(Math.floor(at.getTime() / 1000));
    const script = `openssl verify -x509_strict -attime ${attime} -CAfile ${ca ?? ''} ${names.join(' ')} 2>&1 || true`;
    const out = execFileSync('bash', ['-c', script], {
      cwd: dir,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const lines = new Set(out.split('\n'));
    return { ok: names.map((name) => lines.has(`${name}: OK`)), output: out };
  });
}

function withFiles<T>(pems: readonly string[], run: (dir: string, names: string[]) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'kpki-openssl-'));
  try {
    const names = pems.map((pem, i) => {
      const name = `c${i}.pem`;
      writeFileSync(join(dir, name), pem);
      return name;
    });
    return run(dir, names);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
