import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { heldDirFor, returnHeldManifests, staticPodDriver } from './static-pod.js';

function dirs(): { manifests: string; held: string; remove: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'kpki-static-pod-'));
  const manifests = join(root, 'manifests');
  mkdirSync(manifests);
  writeFileSync(join(manifests, 'kube-scheduler.yaml'), 'kind: Pod\n');
  return {
    manifests,
    held: heldDirFor(manifests),
    remove: () => rmSync(root, { recursive: true }),
  };
}

describe('static-pod driver', () => {
  it('moves the manifest out for at least the file-check period, then back', async () => {
    const d = dirs();
    try {
      let seenOutside = false;
      const probe = {
        host: '127.0.0.1',
        port: 1,
        path: '/healthz',
        credentials: () => {
          seenOutside = readdirSync(d.held).includes('kube-scheduler.yaml');
          return Promise.resolve(undefined);
        },
      };
      const started = Date.now();
      const did = await staticPodDriver(d, 300, 2000).restart({
        component: 'kube-scheduler',
        unit: 'kube-scheduler',
        health: probe,
      });
      assert.ok(Date.now() - started >= 300);
      assert.ok(seenOutside, 'the manifest was not held while the component was stopping');
      assert.deepEqual(readdirSync(d.manifests), ['kube-scheduler.yaml']);
      assert.deepEqual(readdirSync(d.held), []);
      assert.match(did, /moved kube-scheduler\.yaml/);
    } finally {
      d.remove();
    }
  });

  it('a missing manifest is a RESTART_FAILED error and nothing moves', async () => {
    const d = dirs();
    try {
      await assert.rejects(
        staticPodDriver(d, 10, 100).restart({ component: 'etcd', unit: 'etcd', health: undefined }),
        (e: Error & { code?: string }) => e.code === 'RESTART_FAILED',
      );
      assert.deepEqual(readdirSync(d.manifests), ['kube-scheduler.yaml']);
    } finally {
      d.remove();
    }
  });

  it('a manifest left held by a crash goes back on the next run', async () => {
    const d = dirs();
    try {
      mkdirSync(d.held);
      writeFileSync(join(d.held, 'etcd.yaml'), 'kind: Pod\n');
      assert.deepEqual(await returnHeldManifests(d), ['etcd.yaml']);
      assert.deepEqual(readdirSync(d.manifests).sort(), ['etcd.yaml', 'kube-scheduler.yaml']);
      assert.deepEqual(await returnHeldManifests(d), []);
    } finally {
      d.remove();
    }
  });
});
