// Chromium/BoringSSL verify_certificate_chain_unittest cases (../shared/testdata/chain-rollover):
// every .test file must give the verdict it states. Those files describe BoringSSL's verifier,
// which does not insist on the "conforming CA" encoding rules, so they run under the compat
// profile, with anchor checks taken from the file's last_cert_trust.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { buildAndValidatePath, parsePemCertificates } from '../../src/pki/verify/index.js';
import type { AnchorChecks, Purpose } from '../../src/pki/verify/index.js';
import { testdata } from '../support/testdata.js';

const ROOT = testdata('chain-rollover');

interface RolloverCase {
  readonly file: string;
  readonly chain: string;
  readonly trust: string;
  readonly time: Date;
  readonly purpose: Purpose;
  readonly expectValid: boolean;
}

const ANCHOR_MODES: Readonly<Record<string, AnchorChecks | 'leaf'>> = {
  TRUSTED_ANCHOR: { validity: false, constraints: false, requireBasicConstraints: false },
  TRUSTED_ANCHOR_WITH_EXPIRATION: {
    validity: true,
    constraints: false,
    requireBasicConstraints: false,
  },
  TRUSTED_ANCHOR_WITH_CONSTRAINTS: {
    validity: false,
    constraints: true,
    requireBasicConstraints: false,
  },
  TRUSTED_ANCHOR_WITH_EXPIRATION_AND_CONSTRAINTS: {
    validity: true,
    constraints: true,
    requireBasicConstraints: false,
  },
  // The README: REQUIRE_BASIC_CONSTRAINTS only bites together with constraint enforcement.
  TRUSTED_ANCHOR_WITH_REQUIRE_BASIC_CONSTRAINTS: {
    validity: false,
    constraints: false,
    requireBasicConstraints: true,
  },
  TRUSTED_ANCHOR_WITH_CONSTRAINTS_REQUIRE_BASIC_CONSTRAINTS: {
    validity: false,
    constraints: true,
    requireBasicConstraints: true,
  },
  TRUSTED_LEAF: 'leaf',
};

function utcTime(value: string): Date {
  const v = value === 'DEFAULT' ? '211005120000Z' : value;
  const m = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(v);
  assert.ok(m, `bad utc_time ${value}`);
  const [, yy, mo, dd, hh, mi, ss] = m.map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return new Date(Date.UTC(yy < 50 ? 2000 + yy : 1900 + yy, mo - 1, dd, hh, mi, ss));
}

function parseCase(file: string): RolloverCase {
  const text = readFileSync(file, 'utf8');
  const [head = '', errors = ''] = text.split(/^expected_errors:/m);
  const fields = new Map<string, string>();
  for (const line of head.split('\n')) {
    const m = /^(\w+):\s*(.*)$/.exec(line.trim());
    if (m && !line.startsWith('#')) fields.set(m[1]!, m[2]!);
  }
  const purpose = fields.get('key_purpose');
  assert.equal(purpose, 'SERVER_AUTH', `${file}: only SERVER_AUTH is mapped`);
  return {
    file,
    chain: join(dirname(file), fields.get('chain') ?? ''),
    trust: fields.get('last_cert_trust') ?? '',
    time: utcTime(fields.get('utc_time') ?? ''),
    purpose: 'server',
    expectValid: !/^ERROR: /m.test(errors),
  };
}

function collect(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? collect(join(dir, e.name))
      : e.name.endsWith('.test')
        ? [join(dir, e.name)]
        : [],
  );
}

const cases = collect(ROOT).sort().map(parseCase);

describe('chain-rollover conformance (BoringSSL verify_certificate_chain_unittest)', () => {
  it('finds all 35 cases', () => assert.equal(cases.length, 35));
  for (const c of cases) {
    it(`${relative(ROOT, c.file)} is ${c.expectValid ? 'valid' : 'invalid'}`, () => {
      const certs = parsePemCertificates(readFileSync(c.chain, 'utf8'), c.chain);
      const mode = ANCHOR_MODES[c.trust];
      assert.ok(mode !== undefined, `unknown last_cert_trust ${c.trust}`);
      const leaf = certs[0]!;
      const anchor = certs[certs.length - 1]!;
      const result = buildAndValidatePath({
        leaf,
        intermediates: certs.slice(1, -1),
        anchors: [anchor],
        time: c.time,
        purpose: c.purpose,
        policy: { profile: 'compat', ...(mode === 'leaf' ? {} : { anchor: mode }) },
      });
      const detail = result.valid
        ? result.path.map((p) => p.subject).join(' <- ')
        : `${result.code}: ${result.reason}`;
      assert.equal(result.valid, c.expectValid, detail);
    });
  }
});
