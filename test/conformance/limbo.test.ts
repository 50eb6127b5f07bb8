// x509-limbo conformance (../shared/testdata/x509-limbo/limbo.json, 289 cases) over the subset
// a server-side validator without CRLs, policies, DN constraints or CN fallback is measured on
// (reference/testing-methods.md §1 and the data README). Each case prints PASS/FAIL/EXCEPTION;
// deliberate divergences live in limbo-exceptions.json, and both a new divergence and a listed
// exception that no longer diverges fail the test, as rustls-webpki's harness does.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buildAndValidatePath, parsePemCertificates } from '../../src/pki/verify/index.js';
import type { PathValidationResult } from '../../src/pki/verify/index.js';
import { testdata } from '../support/testdata.js';

interface LimboCase {
  readonly id: string;
  readonly features?: readonly string[] | null;
  readonly validation_kind: 'SERVER' | 'CLIENT';
  readonly trusted_certs: readonly string[];
  readonly untrusted_intermediates: readonly string[];
  readonly peer_certificate: string;
  readonly validation_time: string | null;
  readonly expected_result: 'SUCCESS' | 'FAILURE';
  readonly expected_peer_name: {
    readonly kind: 'DNS' | 'IP' | 'RFC822';
    readonly value: string;
  } | null;
}

const LIMBO = testdata('x509-limbo', 'limbo.json');
const EXCEPTIONS = 'test/conformance/limbo-exceptions.json';
const SKIPPED_FEATURES = new Set([
  'has-crl',
  'max-chain-depth',
  'name-constraint-dn',
  'has-policy-constraints',
  'has-cert-policies',
  'no-cert-policies',
  'rfc5280-incompatible-with-webpki',
]);
// A null validation_time means "now". Generated certificates are valid 1970-2969, so only the
// online::* chains care; they were captured upstream on 2026-03-22 (commit 91cf392, see the
// data README), so "now" is pinned to that day to keep the suite deterministic.
const SNAPSHOT_NOW = new Date('2026-03-22T00:00:00Z');

function inSubset(c: LimboCase): boolean {
  const features = c.features ?? [];
  return (
    c.validation_kind === 'SERVER' &&
    !features.some((f) => SKIPPED_FEATURES.has(f) || f.startsWith('pedantic-')) &&
    !c.id.startsWith('webpki::cn::') &&
    !c.id.startsWith('crl::')
  );
}

function pem(text: string, what: string): Uint8Array {
  const [der] = parsePemCertificates(text, what);
  return der!;
}

function run(c: LimboCase): PathValidationResult {
  const peer = c.expected_peer_name;
  return buildAndValidatePath({
    leaf: pem(c.peer_certificate, `${c.id} peer`),
    intermediates: c.untrusted_intermediates.map((p) => pem(p, `${c.id} intermediate`)),
    anchors: c.trusted_certs.map((p) => pem(p, `${c.id} anchor`)),
    time: c.validation_time === null ? SNAPSHOT_NOW : new Date(c.validation_time),
    purpose: 'server',
    ...(peer?.kind === 'DNS'
      ? { host: peer.value }
      : peer?.kind === 'IP'
        ? { ip: peer.value }
        : {}),
  });
}

const suite = (JSON.parse(readFileSync(LIMBO, 'utf8')) as { testcases: LimboCase[] }).testcases;
const subset = suite.filter(inSubset);
const exceptionsFile = JSON.parse(readFileSync(EXCEPTIONS, 'utf8')) as {
  version: number;
  exceptions: Record<string, string>;
};
const exceptions = new Map(Object.entries(exceptionsFile.exceptions));

interface Outcome {
  readonly c: LimboCase;
  readonly got: 'SUCCESS' | 'FAILURE';
  readonly reason: string;
  readonly ms: number;
}

const outcomes: Outcome[] = subset.map((c) => {
  const start = performance.now();
  const result = run(c);
  const ms = performance.now() - start;
  return {
    c,
    got: result.valid ? 'SUCCESS' : 'FAILURE',
    reason: result.valid ? 'valid' : `${result.code}: ${result.reason}`,
    ms,
  };
});

let passed = 0;
let failed = 0;
let excepted = 0;
for (const o of outcomes) {
  if (o.got === o.c.expected_result) {
    passed++;
    console.log(`PASS ${o.c.id}`);
  } else if (exceptions.has(o.c.id)) {
    excepted++;
    console.log(`EXCEPTION ${o.c.id}`);
  } else {
    failed++;
    console.log(`FAIL ${o.c.id} expected ${o.c.expected_result} got ${o.got}: ${o.reason}`);
  }
}
console.log(`limbo: ${passed} passed, ${failed} failed`);
console.log(`limbo: ${excepted} exceptions`);

describe('x509-limbo conformance', () => {
  it('selects the documented subset (235 cases: 95 SUCCESS, 140 FAILURE)', () => {
    assert.equal(subset.length, 235);
    assert.equal(subset.filter((c) => c.expected_result === 'SUCCESS').length, 95);
  });

  it('keeps a versioned exceptions file that names only subset cases', () => {
    assert.equal(exceptionsFile.version, 1);
    const ids = new Set(subset.map((c) => c.id));
    assert.deepEqual(
      [...exceptions.keys()].filter((id) => !ids.has(id)),
      [],
    );
  });

  for (const o of outcomes) {
    it(o.c.id, () => {
      const diverges = o.got !== o.c.expected_result;
      if (exceptions.has(o.c.id)) {
        assert.ok(
          diverges,
          `listed exception no longer diverges (got ${o.got}); remove it from ${EXCEPTIONS}`,
        );
      } else {
        assert.equal(o.got, o.c.expected_result, o.reason);
      }
      // Hostile graphs (pathological::*, denial-of-service) must end fast, not just correctly.
      assert.ok(o.ms < 5000, `took ${Math.round(o.ms)} ms`);
    });
  }
});

// Outside the subset, but kpki refuses unusable leaf keys too, so these cases must hold.
describe('x509-limbo beyond the subset: subscriber keys', () => {
  const keyCases = suite.filter((c) =>
    (c.features ?? []).includes('pedantic-webpki-subscriber-key'),
  );
  it('has the four subscriber-key cases', () => assert.equal(keyCases.length, 4));
  for (const c of keyCases) {
    it(c.id, () => {
      const result = run(c);
      assert.equal(result.valid ? 'SUCCESS' : 'FAILURE', c.expected_result);
      assert.equal(result.valid ? '' : result.code, 'UNSUPPORTED_KEY');
    });
  }
});
