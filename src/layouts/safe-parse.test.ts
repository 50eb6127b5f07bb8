import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInputError } from '../errors.js';
import { parseKubeadmConfig } from './kubeadm/config.js';
import { readKubeconfig } from './kubeconfig.js';
import { parseClusterYaml } from './rke/spec.js';
import { parseRkeState } from './rke/state.js';
import { parseRke2Config } from './rke2/spec.js';
import { MAX_YAML_ALIASES, parseJsonValue } from './safe-parse.js';

const SECRET = 'c2VjcmV0LWtleS1tYXRlcmlhbC0wMTIzNDU2Nzg5';
const HOST = { hostname: 'n1', address: '10.0.0.9' };

/** Runs `parse`, expecting an InvalidInputError without any 8-character window of SECRET. */
function refusal(parse: () => unknown): string {
  try {
    parse();
  } catch (error) {
    assert.ok(error instanceof InvalidInputError, String(error));
    assert.equal(error.cause, undefined, 'no parser error chained: its message quotes the source');
    for (let i = 0; i + 8 <= SECRET.length; i++)
      assert.ok(!error.message.includes(SECRET.slice(i, i + 8)), error.message);
    return error.message;
  }
  assert.fail('expected a refusal');
}

const CASES: Record<string, () => unknown> = {
  'a kubeconfig with an unterminated client-key-data': () =>
    readKubeconfig(`apiVersion: v1\nusers:\n- user:\n    client-key-data: "${SECRET}\n`, 'a.conf'),
  'an RKE2 config.yaml with a broken token line': () =>
    parseRke2Config(`token: [${SECRET}\nnode-name: x\n`, 'config.yaml'),
  'a kubeadm config with a broken bootstrap token': () =>
    parseKubeadmConfig(`bootstrapTokens:\n- token: {${SECRET}\n`, 'k.yaml', HOST),
  'a cluster.yml with a broken private key line': () =>
    parseClusterYaml(`private_key: "${SECRET}\nnodes: []\n`, 'cluster.yml'),
  'a cluster.rkestate cut inside a key': () =>
    parseRkeState(`{"currentState": {"certificatesBundle": {"k": {"key": "${SECRET}`, 's'),
  'a JSON state with garbage after a key': () => parseJsonValue(`{"key": "${SECRET}" x}`, 's', 'X'),
};

describe('secret-safe parse errors', () => {
  for (const [name, parse] of Object.entries(CASES))
    it(`${name}: file, line and column, no source text`, () => {
      assert.match(refusal(parse), /line \d+, column \d+|unknown place/);
    });

  it('a YAML alias bomb is invalid input, not an internal error', () => {
    const bomb = `a: &a [x, x]\nb: [${Array.from({ length: MAX_YAML_ALIASES + 5 }, () => '*a').join(', ')}]\n`;
    assert.match(
      refusal(() => parseRke2Config(bomb, 'config.yaml')),
      /alias/,
    );
  });
});
