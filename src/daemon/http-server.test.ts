import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createKpkiMetrics } from '../metrics/registry.js';
import { startHttpServer } from './http-server.js';

describe('serve HTTP endpoints', () => {
  it('serves metrics, health, readiness that turns on after the first check, 404 elsewhere', async () => {
    const metrics = createKpkiMetrics();
    let ready = false;
    metrics.recordRenewal('t', 'success');
    const running = await startHttpServer(
      { registry: metrics.registry, ready: () => ready },
      '127.0.0.1:0',
    );
    try {
      const url = (path: string): string => `http://${running.address}${path}`;
      const scraped = await fetch(url('/metrics'));
      assert.equal(scraped.status, 200);
      assert.match(scraped.headers.get('content-type') ?? '', /^text\/plain/);
      assert.match(await scraped.text(), /^kpki_renewals_total\{tree="t",result="success"\} 1$/m);
      assert.equal((await fetch(url('/healthz'))).status, 200);
      assert.equal((await fetch(url('/readyz'))).status, 503);
      ready = true;
      assert.equal((await fetch(url('/readyz'))).status, 200);
      assert.equal((await fetch(url('/'))).status, 503);
      assert.equal((await fetch(url('/nope'))).status, 404);
      assert.equal((await fetch(url('/metrics'), { method: 'POST' })).status, 405);
    } finally {
      await running.close();
    }
  });

  it('refuses an address in use with the listen error', async () => {
    const metrics = createKpkiMetrics();
    const state = { registry: metrics.registry, ready: () => true };
    const first = await startHttpServer(state, '127.0.0.1:0');
    try {
      await assert.rejects(startHttpServer(state, first.address), /EADDRINUSE/);
    } finally {
      await first.close();
    }
  });
});
