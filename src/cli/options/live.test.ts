import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseEndpoints, parseRestartOptions } from './live.js';

describe('restart options', () => {
  it('parses name=host:port endpoints, IPv6 in brackets', () => {
    assert.deepEqual(
      [...parseEndpoints(['etcd-server=127.0.0.1:2379', 'apiserver=[::1]:6443'])],
      [
        ['etcd-server', { host: '127.0.0.1', port: 2379 }],
        ['apiserver', { host: '::1', port: 6443 }],
      ],
    );
  });
  const bad: Record<string, Record<string, unknown>> = {
    'an endpoint without a port': { endpoint: ['apiserver=10.0.0.1'] },
    'an unknown driver': { restart: true, restartDriver: 'ssh' },
    'the command driver without a template': { restart: true, restartDriver: 'command' },
    'a driver without --restart': { restartDriver: 'systemd' },
  };
  for (const [name, raw] of Object.entries(bad))
    it(`refuses ${name} (usage error)`, () => {
      assert.throws(
        () => parseRestartOptions(raw),
        (e: Error & { exitCode?: number }) => e.exitCode === 2,
      );
    });
  it('a --restart-command alone chooses the command driver; defaults 2m and 20s', () => {
    const o = parseRestartOptions({ restart: true, restartCommand: 'systemctl restart {unit}' });
    assert.equal(o.driver, 'command');
    assert.equal(o.healthTimeoutMs, 120_000);
    assert.equal(o.filePeriodMs, 20_000);
  });
});
