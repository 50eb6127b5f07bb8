/**
 * `kpki verify CERT --ca BUNDLE`: validates a certificate chain with pki/verify and prints the
 * path. Reads the files (the CLI layer's job); the validation itself is pure.
 */
import type { Command } from 'commander';
import { FileAccessError, UsageError, ValidationError } from '../../errors.js';
import { readBoundedText } from '../../stores/bounded-read.js';
import type { Purpose, ValidationPolicy } from '../../pki/verify/index.js';
import type * as VerifyModule from '../../pki/verify/index.js';
import { succeeded, type CommandResult, type Deliver } from '../command-result.js';

// pki/verify is loaded on use: its ASN.1 library costs every other command start-up time.
const loadVerify = (): Promise<typeof VerifyModule> => import('../../pki/verify/index.js');

interface VerifyOptions {
  ca: string;
  untrusted?: string;
  at?: string;
  host?: string;
  ip?: string;
  purpose: string;
  profile: string;
}

async function readCertificates(path: string, what: string): Promise<Uint8Array[]> {
  // Bounded and regular only: `verify /dev/urandom` is refused, not read for a gigabyte.
  const text = await readBoundedText(path, 'pem');
  if (text === undefined)
    throw new FileAccessError('FILE_UNREADABLE', `cannot read ${what} from "${path}": ENOENT`);
  return (await loadVerify()).parsePemCertificates(text, path);
}

function parseTime(at: string | undefined): Date {
  if (at === undefined) return new Date();
  const time = new Date(at);
  if (Number.isNaN(time.getTime()))
    throw new UsageError(
      `--at "${at}" is not a date and time (use RFC 3339, e.g. 2026-01-31T12:00:00Z)`,
    );
  return time;
}

function parseChoice<T extends string>(flag: string, value: string, choices: readonly T[]): T {
  const found = choices.find((c) => c === value);
  if (found === undefined)
    throw new UsageError(`${flag} must be one of ${choices.join(', ')}, not "${value}"`);
  return found;
}

async function runVerify(certPath: string, opts: VerifyOptions): Promise<CommandResult> {
  if (opts.host !== undefined && opts.ip !== undefined)
    throw new UsageError('give --host or --ip, not both');
  const purpose: Purpose = parseChoice('--purpose', opts.purpose, ['server', 'client'] as const);
  const profile: ValidationPolicy['profile'] = parseChoice('--profile', opts.profile, [
    'strict',
    'compat',
  ] as const);
  const time = parseTime(opts.at);
  // Certificates after the first in CERT are a served chain: use them as untrusted intermediates.
  const [leaf, ...bundled] = await readCertificates(certPath, 'certificate');
  const anchors = await readCertificates(opts.ca, 'CA bundle');
  const untrusted =
    opts.untrusted === undefined
      ? []
      : await readCertificates(opts.untrusted, 'untrusted certificates');
  const result = (await loadVerify()).buildAndValidatePath({
    leaf: leaf!,
    intermediates: [...bundled, ...untrusted],
    anchors,
    time,
    purpose,
    policy: { profile },
    ...(opts.host !== undefined ? { host: opts.host } : {}),
    ...(opts.ip !== undefined ? { ip: opts.ip } : {}),
  });
  if (!result.valid) {
    throw new ValidationError(result.code, `"${certPath}" does not verify: ${result.reason}`);
  }
  return succeeded(`OK: ${result.path.map((p) => p.subject).join(' <- ')}\n`);
}

/**
 * Registers `verify` on `program`. Exit 0 and `OK: <leaf> <- ... <- <anchor>` on success;
 * throws ValidationError (exit 3) with the reason when the chain is invalid, InvalidInputError
 * (exit 3) for PEM without certificates, FileAccessError (exit 1) for unreadable files and
 * UsageError (exit 2) for bad flag values. Without --at, validates at the current time.
 */
export function registerVerify(program: Command, deliver: Deliver): void {
  program
    .command('verify')
    .description(
      'verify a certificate chain against trusted CA certificates (RFC 5280 path validation)',
    )
    .argument(
      '<cert>',
      'PEM file with the certificate to verify (more certificates after it are used as intermediates)',
    )
    .requiredOption('--ca <bundle>', 'PEM file with the trusted CA certificates')
    .option('--untrusted <file>', 'PEM file with more intermediate certificates')
    .option('--at <time>', 'validate at this time (RFC 3339) instead of now')
    .option('--host <name>', 'require the certificate to be valid for this DNS name')
    .option('--ip <ip>', 'require the certificate to be valid for this IP address')
    .option('--purpose <purpose>', 'server or client', 'server')
    .option(
      '--profile <profile>',
      'compat (default: tolerates the missing key identifiers of older kubeadm, K3s and RKE trees) or strict (RFC 5280 conforming-CA rules)',
      'compat',
    )
    .action(async (cert: string, opts: VerifyOptions) => deliver(await runVerify(cert, opts)));
}
