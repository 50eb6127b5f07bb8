/**
 * The `static-pod` driver (kubeadm): the kubelet stops a static pod when its manifest leaves the
 * manifests directory and starts it when it comes back, checking the directory every
 * `fileCheckFrequency` (20 s by default). So: move the manifest to a kpki-held directory beside
 * it, wait until the component stops answering and at least one file-check period, move it back.
 * The held directory is the journal: a manifest found there belongs back in the manifests
 * directory, and {@link returnHeldManifests} (run by every restart and prove) puts it back.
 */
import { mkdir, readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { OperationError } from '../errors.js';
import { syncDir } from '../stores/fs-sync.js';
import type { RestartDriver } from './driver.js';
import { waitStopped } from './health.js';

/** Where manifests live and wait. */
export interface StaticPodDirs {
  readonly manifests: string;
  /** A directory the kubelet does not watch, on the same file system (renames are atomic). */
  readonly held: string;
}

/** The held directory kpki uses beside `manifests`. */
export function heldDirFor(manifests: string): string {
  return `${manifests.replace(/\/+$/, '')}.kpki-held`;
}

/**
 * Moves every manifest left in the held directory back (a restart interrupted by a crash) and
 * returns their names. Nothing to do when the held directory does not exist.
 */
export async function returnHeldManifests(dirs: StaticPodDirs): Promise<string[]> {
  const names = await readdir(dirs.held).catch(() => [] as string[]);
  const back = names.filter(
    (n) => n.endsWith('.yaml') || n.endsWith('.yml') || n.endsWith('.json'),
  );
  for (const name of back) await rename(join(dirs.held, name), join(dirs.manifests, name));
  if (back.length > 0) {
    await syncDir(dirs.held);
    await syncDir(dirs.manifests);
  }
  return back;
}

async function move(from: string, to: string, name: string): Promise<void> {
  await rename(join(from, name), join(to, name));
  await syncDir(from);
  await syncDir(to);
}

/**
 * The static-pod driver. `filePeriodMs` is the kubelet's file-check period; `stopTimeoutMs` how
 * long to wait for the component to stop answering once its manifest is gone.
 */
export function staticPodDriver(
  dirs: StaticPodDirs,
  filePeriodMs: number,
  stopTimeoutMs: number,
): RestartDriver {
  return {
    name: 'static-pod',
    async restart(target) {
      const name = `${target.unit}.yaml`;
      await mkdir(dirs.held, { recursive: true, mode: 0o700 });
      try {
        await move(dirs.manifests, dirs.held, name);
      } catch (error) {
        throw new OperationError(
          'RESTART_FAILED',
          `cannot move the manifest of "${target.component}" out of "${dirs.manifests}"`,
          { cause: error },
        );
      }
      const started = Date.now();
      try {
        const stopped =
          target.health === undefined ? true : await waitStopped(target.health, stopTimeoutMs);
        const left = filePeriodMs - (Date.now() - started);
        if (left > 0) await sleep(left);
        if (!stopped)
          throw new OperationError(
            'RESTART_FAILED',
            `"${target.component}" still answers ${stopTimeoutMs / 1000} s after its manifest left "${dirs.manifests}"`,
            { hint: 'is the kubelet running and watching that directory?' },
          );
      } finally {
        await move(dirs.held, dirs.manifests, name);
      }
      return `moved ${name} out of ${dirs.manifests} and back after ${Math.round((Date.now() - started) / 1000)} s`;
    },
  };
}
