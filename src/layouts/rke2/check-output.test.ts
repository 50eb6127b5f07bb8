import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import {
  certificateStatus,
  formatRke2Json,
  formatRke2Table,
  formatRke2Text,
  formatRke2Yaml,
  tableTime,
  type Rke2CheckRecord,
} from './check-output.js';
import { goDurationString, relTime } from './humanize.js';
import { testdata } from '../../../test/support/testdata.js';

const DAY = 86_400_000;
const REAL = testdata('real');
const MONTHS: Record<string, number> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

/** Parses `Jun 12, 2026 11:12 UTC` back into a date, to rebuild records from a real table. */
function fromTable(text: string): Date {
  const m = /^(\w{3}) (\d{2}), (\d{4}) (\d{2}):(\d{2}) UTC$/.exec(text);
  assert.ok(m, text);
  return new Date(
    Date.UTC(Number(m[3]), MONTHS[m[1] ?? ''] ?? 0, Number(m[2]), Number(m[4]), Number(m[5])),
  );
}

/** The table lines of a real capture (from the header on) and records rebuilt from its columns. */
function realTable(file: string, at: Date): { lines: string[]; records: Rke2CheckRecord[] } {
  const all = readFileSync(`${REAL}/${file}`, 'utf8').split('\n');
  const lines = all
    .slice(all.findIndex((line) => line.startsWith('FILENAME')))
    .filter((line) => line !== '' && !line.startsWith('['));
  const records = lines.slice(2).map((line) => {
    const [filename = '', subject = '', usages = '', expires = '', , status = ''] =
      line.split(/ {3,}/);
    const expiry = fromTable(expires);
    return {
      filename,
      subject,
      issuer: '',
      usages: usages.split(','),
      expiryTime: expiry,
      residualMs: expiry.getTime() - at.getTime(),
      status: status as Rke2CheckRecord['status'],
    };
  });
  return { lines, records };
}

describe('formatRke2Table against real `certificate check --output table` captures', () => {
  const cases: Record<string, { file: string; at: string }> = {
    'the rke2-docs worker node example': {
      file: 'text-rke2-rancher-rke2-docs/rke2-certificate-check-table-worker-node.txt',
      at: '2025-06-12T11:12:00Z',
    },
    'a Feb 2026 server node (17 files, 34 rows, three CAs, etcd base names)': {
      file: 'text-rke2-sirzzang-blog/rke2-certificate-check-table-server-node.txt',
      at: '2026-02-19T12:00:00Z',
    },
    'a Feb 2026 worker node': {
      file: 'text-rke2-sirzzang-blog/rke2-certificate-check-table-worker-node.txt',
      at: '2026-02-19T12:00:00Z',
    },
  };
  for (const [name, { file, at }] of Object.entries(cases)) {
    it(`reproduces ${name} byte for byte`, () => {
      const when = new Date(at);
      const { lines, records } = realTable(file, when);
      assert.ok(records.length >= 8);
      const out = formatRke2Table(records, when);
      assert.ok(out.startsWith('\n'), 'a blank line precedes the table');
      assert.deepEqual(out.slice(1).trimEnd().split('\n'), lines);
    });
  }

  it('prints only the header and dashes for an empty data dir, like the capture after rotate', () => {
    const real = readFileSync(
      `${REAL}/text-rke2-sirzzang-blog/rke2-certificate-check-table-empty-after-rotate.txt`,
      'utf8',
    )
      .split('\n')
      .filter((l) => l.startsWith('FILENAME') || l.startsWith('--------'));
    assert.deepEqual(formatRke2Table([], new Date()).split('\n').filter(Boolean), real);
  });
});

describe('certificateStatus and the warning window', () => {
  const notBefore = new Date('2025-01-01T00:00:00Z');
  const notAfter = new Date('2026-01-01T00:00:00Z');
  const window = 120 * DAY;
  const cases: Record<string, [number, string]> = {
    'one second before NotBefore is NOT YET VALID': [notBefore.getTime() - 1000, 'NOT YET VALID'],
    'exactly at NotBefore is OK': [notBefore.getTime(), 'OK'],
    'one second before the window is OK': [notAfter.getTime() - window - 1000, 'OK'],
    'exactly at the window edge is still OK (now + window > NotAfter is strict)': [
      notAfter.getTime() - window,
      'OK',
    ],
    'one second inside the window is WARNING': [notAfter.getTime() - window + 1000, 'WARNING'],
    'exactly at NotAfter is WARNING, not yet EXPIRED': [notAfter.getTime(), 'WARNING'],
    'one second after NotAfter is EXPIRED': [notAfter.getTime() + 1000, 'EXPIRED'],
  };
  for (const [name, [at, status]] of Object.entries(cases)) {
    it(name, () =>
      assert.equal(certificateStatus({ notBefore, notAfter }, new Date(at), window), status),
    );
  }
  it('a 90-day window (releases before May 2025) moves the edge', () => {
    const at = new Date(notAfter.getTime() - 100 * DAY);
    assert.equal(certificateStatus({ notBefore, notAfter }, at, 120 * DAY), 'WARNING');
    assert.equal(certificateStatus({ notBefore, notAfter }, at, 90 * DAY), 'OK');
  });
});

describe('the JSON, YAML and text shapes of §7', () => {
  const at = new Date('2026-01-01T00:00:00Z');
  const record: Rke2CheckRecord = {
    filename: 'client-admin.crt',
    subject: 'system:admin',
    issuer: 'rke2-client-ca@1',
    usages: ['ClientAuth'],
    expiryTime: new Date('2026-12-31T23:59:59Z'),
    residualMs: new Date('2026-12-31T23:59:59Z').getTime() - at.getTime(),
    status: 'OK',
  };
  it('JSON: Go field names and types, nanosecond residual time, RFC 3339 expiry', () => {
    const parsed = JSON.parse(formatRke2Json([record])) as {
      Certificates: Record<string, unknown>[];
    };
    assert.deepEqual(Object.keys(parsed), ['Certificates']);
    assert.deepEqual(parsed.Certificates[0], {
      Filename: 'client-admin.crt',
      Subject: 'system:admin',
      Issuer: 'rke2-client-ca@1',
      Usages: ['ClientAuth'],
      ExpiryTime: '2026-12-31T23:59:59Z',
      ResidualTime: 31_535_999_000_000_000,
      Status: 'OK',
    });
  });
  it('YAML: yaml.v2 lower-case keys, sequences not indented, Go duration strings', () => {
    const text = formatRke2Yaml([record]);
    assert.match(
      text,
      /^certificates:\n- filename: client-admin\.crt\n {2}subject: system:admin\n {2}issuer: rke2-client-ca@1\n {2}usages:\n {2}- ClientAuth\n {2}expirytime: 2026-12-31T23:59:59Z\n {2}residualtime: 8759h59m59s\n {2}status: OK\n$/,
    );
    assert.equal(
      (parse(text) as { certificates: { status: string }[] }).certificates[0]?.status,
      'OK',
    );
  });
  it('text: one log line per certificate at the level K3s uses', () => {
    const lines = formatRke2Text(
      [
        record,
        { ...record, status: 'WARNING' },
        { ...record, status: 'EXPIRED' },
        { ...record, status: 'NOT YET VALID' },
      ],
      120,
    ).split('\n');
    assert.equal(
      lines[0],
      'INFO[0000] client-admin.crt: certificate system:admin (ClientAuth) is ok, expires at 2026-12-31T23:59:59Z',
    );
    assert.equal(
      lines[1],
      'WARN[0000] client-admin.crt: certificate system:admin (ClientAuth) will expire within 120 days at 2026-12-31T23:59:59Z',
    );
    assert.equal(
      lines[2],
      'ERRO[0000] client-admin.crt: certificate system:admin (ClientAuth) expired at 2026-12-31T23:59:59Z',
    );
    assert.equal(
      lines[3],
      'ERRO[0000] client-admin.crt: certificate system:admin (ClientAuth) is not valid before 2026-12-31T23:59:59Z',
    );
  });
});

describe('humanize', () => {
  const t0 = new Date('2026-01-01T00:00:00Z');
  const rel: Record<string, [number, string]> = {
    'under a second': [500, 'now'],
    '90 seconds': [90_000, '1 minute'],
    '3 hours': [3 * 3600_000, '3 hours'],
    '10 days': [10 * DAY, '1 week'],
    '100 days': [100 * DAY, '3 months'],
    '365 days': [365 * DAY, '1 year'],
    '500 days': [500 * DAY, '1 year'],
    '600 days (past 18 months)': [600 * DAY, '2 years'],
    '730 days': [730 * DAY, '2 years'],
    '3650 days': [3650 * DAY, '10 years'],
    'expired 30 days ago (no direction shown)': [-30 * DAY, '1 month'],
  };
  for (const [name, [ms, text]] of Object.entries(rel))
    it(`relTime: ${name} → ${text}`, () =>
      assert.equal(relTime(t0, new Date(t0.getTime() + ms)), text));
  it('goDurationString follows time.Duration.String', () => {
    assert.equal(goDurationString(0), '0s');
    assert.equal(goDurationString(1500), '1.5s');
    assert.equal(goDurationString(250), '250ms');
    assert.equal(goDurationString(-3_600_000), '-1h0m0s');
    assert.equal(goDurationString(365 * DAY + 1), '8760h0m0.001s');
  });
  it('tableTime is Go\'s "Jan 02, 2006 15:04 MST" in UTC', () =>
    assert.equal(tableTime(new Date('2026-06-09T10:17:59Z')), 'Jun 09, 2026 10:17 UTC'));
});
