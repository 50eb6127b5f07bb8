/**
 * The two duration renderings `certificate check` uses: go-humanize's `RelTime` (the table's
 * RESIDUAL TIME) and Go's `time.Duration.String` (yaml.v2's rendering of ResidualTime).
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const MONTH = 30 * DAY;
const YEAR = 12 * MONTH;

/** go-humanize's default magnitudes: upper bound, format, divisor (1 = fixed text). */
const MAGNITUDES: ReadonlyArray<readonly [number, string, number]> = [
  [SECOND, 'now', SECOND],
  [2 * SECOND, '1 second', 1],
  [MINUTE, '%d seconds', SECOND],
  [2 * MINUTE, '1 minute', 1],
  [HOUR, '%d minutes', MINUTE],
  [2 * HOUR, '1 hour', 1],
  [DAY, '%d hours', HOUR],
  [2 * DAY, '1 day', 1],
  [WEEK, '%d days', DAY],
  [2 * WEEK, '1 week', 1],
  [MONTH, '%d weeks', WEEK],
  [2 * MONTH, '1 month', 1],
  [YEAR, '%d months', MONTH],
  [18 * MONTH, '1 year', 1],
  [2 * YEAR, '2 years', 1],
  [37 * YEAR, '%d years', YEAR],
  [Number.MAX_SAFE_INTEGER, 'a long while', 1],
];

/**
 * `humanize.RelTime(a, b, "", "")`: the distance between two instants in the largest fitting unit
 * (`1 year`, `10 years`, `3 months`), direction-less because both labels are empty. Go leaves a
 * trailing space from the empty label; it is trimmed here (invisible in a padded table cell).
 */
export function relTime(a: Date, b: Date): string {
  const diff = Math.abs(b.getTime() - a.getTime());
  const found = MAGNITUDES.find(([bound]) => bound > diff) ?? MAGNITUDES[MAGNITUDES.length - 1];
  if (!found) return '';
  const [, format, divisor] = found;
  return format.replace('%d', String(Math.floor(diff / divisor)));
}

/** Go's time.Duration.String for a duration in milliseconds: `8759h59m59.5s`, `1.5s`, `250ms`, `0s`. */
export function goDurationString(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(Math.round(ms));
  if (abs < SECOND) return `${sign}${abs}ms`;
  const hours = Math.floor(abs / HOUR);
  const minutes = Math.floor((abs % HOUR) / MINUTE);
  const millis = abs % MINUTE;
  const seconds = `${Math.floor(millis / 1000)}${
    millis % 1000 === 0
      ? ''
      : `.${String(millis % 1000)
          .padStart(3, '0')
          .replace(/0+$/, '')}`
  }s`;
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}`;
  return `${sign}${seconds}`;
}
