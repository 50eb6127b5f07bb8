/**
 * Go's `time.RFC3339Nano` (`2006-01-02T15:04:05.999999999Z07:00`) for the bootstrap record's
 * timestamps: trailing zeros of the fraction dropped, no fraction when it is zero. Times are held
 * as nanoseconds since the Unix epoch (bigint) so nothing is lost between Go and kpki.
 */

const NS_PER_SECOND = 1_000_000_000n;
const PATTERN = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;

/** Formats nanoseconds since the epoch as RFC 3339 with nanoseconds, in UTC (`Z`). */
export function formatRfc3339Nano(epochNs: bigint): string {
  let seconds = epochNs / NS_PER_SECOND;
  let nanos = epochNs % NS_PER_SECOND;
  if (nanos < 0n) {
    nanos += NS_PER_SECOND;
    seconds -= 1n;
  }
  const base = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  const fraction = nanos === 0n ? '' : `.${nanos.toString().padStart(9, '0').replace(/0+$/, '')}`;
  return `${base}${fraction}Z`;
}

/** Parses an RFC 3339 time with an optional fraction of up to 9 digits; undefined when malformed. */
export function parseRfc3339Nano(text: string): bigint | undefined {
  const m = PATTERN.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0–99 to 1900–1999, and Go's zero time is year 1.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  if (
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  )
    return undefined;
  const zone = m[8] ?? 'Z';
  const offsetMinutes =
    zone === 'Z'
      ? 0
      : (zone.startsWith('-') ? -1 : 1) *
        (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  const seconds = BigInt(date.getTime() / 1000 - offsetMinutes * 60);
  return seconds * NS_PER_SECOND + BigInt((m[7] ?? '').padEnd(9, '0') || '0');
}
