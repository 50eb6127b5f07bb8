import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatGoDuration, humanDuration, parseDuration } from './duration.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('humanDuration (kubeadm ≥ 1.31 residual time)', () => {
  const cases: Array<[number, string]> = [
    [1.5 * S, '1s'],
    [-1.5 * S, '0s'],
    [119 * S, '119s'],
    [5 * M, '5m'],
    [5 * M + 7 * S, '5m7s'],
    [150 * M, '150m'],
    [5 * H + 30 * M, '5h30m'],
    [30 * H, '30h'],
    [3 * D + 4 * H, '3d4h'],
    [364 * D + 23 * H, '364d'],
    [3650 * D - 5 * M, '9y'],
    [7 * 365 * D + 70 * D, '7y70d'],
    [-45 * D, '-45d'],
  ];
  for (const [ms, text] of cases)
    it(`${ms} ms → ${text}`, () => assert.equal(humanDuration(ms), text));
});

describe('parseDuration', () => {
  const cases: Record<string, number> = {
    '8760h0m0s': 8760 * H,
    '8760h': 8760 * H,
    '30d': 30 * D,
    '1h30m': 90 * M,
    '1y': 365 * D,
    '90s': 90 * S,
  };
  for (const [text, ms] of Object.entries(cases))
    it(`${text}`, () => assert.equal(parseDuration(text, 'x'), ms));
  for (const bad of ['', '30', 'abc', '1x', '30 d']) {
    it(`rejects "${bad}"`, () =>
      assert.throws(
        () => parseDuration(bad, '--expiring-within'),
        /--expiring-within: .* is not a duration/,
      ));
  }
  it('formats like Go', () => {
    assert.equal(formatGoDuration(8760 * H), '8760h0m0s');
    assert.equal(formatGoDuration(90 * S), '1m30s');
  });
});
