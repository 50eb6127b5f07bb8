import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInputError } from '../errors.js';
import { parseKubeadmConfig } from './kubeadm/config.js';
import { readKubeconfig } from './kubeconfig.js';
import { parseClusterYaml } from './rke/spec.js';
import { parseRkeState } from './rke/state.js';
import { parseRke2Config } from './rke2/spec.js';
import { MAX_YAML_ALIASES, parseJsonValue, parseYamlValue, parseYamlValues } from './safe-parse.js';

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

/** Values go-yaml v2 gives for these documents decoded into interface{} (resolve.go, decode.go). */
const GO_YAML_V2: Record<string, { readonly text: string; readonly value: unknown }> = {
  'a merge key copies the anchored mapping': {
    text: 'base: &b {role: [etcd], user: a}\nnode: {<<: *b, address: x}\n',
    value: {
      base: { role: ['etcd'], user: 'a' },
      node: { role: ['etcd'], user: 'a', address: 'x' },
    },
  },
  'a key of the node wins over a merged one, before or after the merge': {
    text: 'b: &b {user: a, port: 1}\nm: {user: z, <<: *b, port: 2}\n',
    value: { b: { user: 'a', port: 1 }, m: { user: 'z', port: 2 } },
  },
  'a merge of a list of mappings: the first one wins': {
    text: 'a: &a {k: 1}\nb: &b {k: 2, j: 3}\nm: {<<: [*a, *b]}\n',
    value: { a: { k: 1 }, b: { k: 2, j: 3 }, m: { k: 1, j: 3 } },
  },
  'YAML 1.1 booleans': {
    text: 'v: [yes, No, ON, off, y, N, True, FALSE]\n',
    value: { v: [true, false, true, false, true, false, true, false] },
  },
  'quoted booleans stay strings': { text: 'v: ["yes", \'on\']\n', value: { v: ['yes', 'on'] } },
  'a leading zero is octal (0644 is 420); 0o is not an integer in YAML 1.1': {
    text: 'mode: 0644\nother: 0o644\n',
    value: { mode: 420, other: '0o644' },
  },
  'hex, binary and _ separators': {
    text: 'v: [0x1F, 0b101, 1_000]\n',
    value: { v: [31, 5, 1000] },
  },
  'a base-60 number and a timestamp stay strings': {
    text: 'v: [12:30, 2001-12-14, 2001-12-14T21:59:43Z]\n',
    value: { v: ['12:30', '2001-12-14', '2001-12-14T21:59:43Z'] },
  },
  'null spellings': { text: 'v: [~, null, Null]\nw:\n', value: { v: [null, null, null], w: null } },
  'y and n are booleans even as keys, as in go-yaml v2': {
    text: 'y: 1\nn: 2\n',
    value: { true: 1, false: 2 },
  },
};

describe('one YAML policy for files Go programs read (go-yaml v2 rules)', () => {
  for (const [name, { text, value }] of Object.entries(GO_YAML_V2)) {
    it(`${name}`, () => {
      assert.deepEqual(parseYamlValue(text, 'f.yaml', 'X'), value);
      assert.deepEqual(parseYamlValues(text, 'f.yaml', 'X'), [value]);
    });
  }

  it('the policy reaches each reader: cluster.yml, config.yaml and kubeadm configs merge', () => {
    const rke = parseClusterYaml(
      'x: &n {role: [etcd]}\nnodes:\n- {<<: *n, address: 10.0.0.1}\n',
      'cluster.yml',
    );
    assert.deepEqual(rke.nodes[0]?.roles, ['etcd']);
    const rke2 = parseRke2Config('s: &s [a.example]\ntls-san: *s\ndisable-etcd: yes\n', 'c.yaml');
    assert.deepEqual(rke2.tlsSans, ['a.example']);
    assert.equal(rke2.disableEtcd, true);
  });
});
