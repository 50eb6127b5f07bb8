/**
 * Durations: Go duration strings (kubeadm's `certificateValidityPeriod: 8760h0m0s`), the day
 * suffix users expect on the command line (`30d`), and the human forms kubeadm prints.
 */
import { InvalidInputError } from '../errors.js';

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  y: 365 * 86_400_000,
};

/**
 * Parses `8760h0m0s`, `1h30m`, `90d`, `1y` into milliseconds. `d` (24h) and `y` (365d) extend Go's
 * units for command-line use. A bare number is rejected: the unit is required.
 * @throws InvalidInputError `BAD_DURATION` naming `what`.
 */
export function parseDuration(text: string, what: string): number {
  const value = text.trim();
  const parts = /^-?((\d+(\.\d+)?)(ns|us|µs|ms|s|m|h|d|y))+$/.test(value);
  if (!parts) {
    throw new InvalidInputError(
      'BAD_DURATION',
      `${what}: "${text}" is not a duration (use e.g. 8760h, 720h0m0s, 30d)`,
    );
  }
  let total = 0;
  for (const match of value.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d|y)/g)) {
    total += Number(match[1]) * (UNIT_MS[match[2] ?? 's'] ?? 0);
  }
  return value.startsWith('-') ? -total : total;
}

/** Formats milliseconds the way Go's time.Duration.String does for whole seconds (`8760h0m0s`). */
export function formatGoDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let seconds = Math.floor(Math.abs(ms) / 1000);
  if (seconds === 0) return '0s';
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}

/**
 * kubeadm's residual-time format (apimachinery HumanDuration, kubeadm ≥ 1.31): `364d`, `9y`,
 * `7y151d`, `5h30m`. Negative values are printed with a leading `-` rather than kubeadm's
 * `<invalid>`, so an expired certificate still shows how long ago it expired.
 */
export function humanDuration(ms: number): string {
  if (ms < 0 && ms > -2000) return '0s';
  if (ms < 0) return `-${humanDuration(-ms)}`;
  const seconds = Math.floor(ms / 1000);
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return withRest(minutes, 'm', seconds % 60, 's');
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return withRest(hours, 'h', minutes % 60, 'm');
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 8) return withRest(days, 'd', hours % 24, 'h');
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (hours < 24 * 365 * 8) return withRest(years, 'y', days % 365, 'd');
  return `${years}y`;
}

function withRest(major: number, majorUnit: string, minor: number, minorUnit: string): string {
  return minor === 0 ? `${major}${majorUnit}` : `${major}${majorUnit}${minor}${minorUnit}`;
}
