import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInputError, UsageError } from '../../errors.js';
import { parseCaGenerateOptions } from './ca.js';
import { parseCheckOptions } from './check.js';
import { parseKubeadmFlags } from './kubeadm-flags.js';
import { parseRenewOptions } from './renew.js';
import { parseRke2Flags } from './rke2-flags.js';
import { parseRotateCaOptions } from './rotate.js';
import type { ActionInput, RawOptions } from './raw.js';

const input = (raw: RawOptions, args: string[] = []): ActionInput => ({
  raw,
  dirSource: 'cli',
  args,
});

describe('parseKubeadmFlags', () => {
  it('reads the flags, splitting the extra SANs at commas', () => {
    const flags = parseKubeadmFlags({
      nodeName: 'cp-1',
      apiserverBindPort: '8443',
      apiserverCertExtraSans: 'a.example, 10.0.0.9,,',
    });
    assert.equal(flags.nodeName, 'cp-1');
    assert.equal(flags.bindPort, 8443);
    assert.deepEqual(flags.extraSans, ['a.example', '10.0.0.9']);
    assert.equal(flags.serviceCidr, undefined);
  });
  const badPorts: Record<string, string> = {
    'a word': 'abc',
    zero: '0',
    'past 65535': '65536',
    'a fraction': '64.5',
  };
  for (const [what, port] of Object.entries(badPorts))
    it(`rejects a bind port that is ${what} as a usage error`, () => {
      assert.throws(() => parseKubeadmFlags({ apiserverBindPort: port }), UsageError);
    });
});

describe('parseRke2Flags', () => {
  it('gives only the flags that were set, lists split and the node name lower-cased', () => {
    assert.deepEqual(
      parseRke2Flags({ tlsSan: ['a,b', 'c'], nodeIp: [], nodeName: 'Node1', disableEtcd: true }),
      { tlsSans: ['a', 'b', 'c'], nodeName: 'node1', disableEtcd: true },
    );
  });
  it('is empty for a command without the flags', () => {
    assert.deepEqual(parseRke2Flags({}), {});
  });
});

describe('command option parsers', () => {
  it('renew takes the positional names and parses --expiring-within', () => {
    const options = parseRenewOptions(
      input({ dir: '/t', expiringWithin: '30d', service: ['etcd'] }, ['apiserver']),
    );
    assert.deepEqual(options.names, ['apiserver']);
    assert.deepEqual(options.services, ['etcd']);
    assert.equal(options.expiringWithinMs, 30 * 86_400_000);
    assert.equal(options.dryRun, false);
    assert.equal(options.output, 'text');
  });
  it('check rejects a bad --warn-within as invalid input, as before', () => {
    assert.throws(() => parseCheckOptions(input({ warnWithin: 'soon' })), InvalidInputError);
  });
  it('rotate-ca splits --ca and leaves the phase undefined when absent', () => {
    const options = parseRotateCaOptions(input({ ca: 'ca, etcd-ca' }));
    assert.deepEqual(options.cas, ['ca', 'etcd-ca']);
    assert.equal(options.phase, undefined);
  });
  it('ca generate makes --out the tree and refuses a root key without its certificate', () => {
    assert.equal(parseCaGenerateOptions(input({ out: '/o', layout: 'k3s' })).dir, '/o');
    assert.throws(() => parseCaGenerateOptions(input({ out: '/o', rootKey: 'k.pem' })), UsageError);
  });
});
