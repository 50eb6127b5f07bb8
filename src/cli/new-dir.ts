/** Output directories that a failed command leaves as it found them. */
import { mkdir, rm, stat } from 'node:fs/promises';

/**
 * Runs `work` with `path` existing (created 0700 when absent). When `work` fails and `path` did
 * not exist before, it is removed again, so an error leaves nothing behind.
 */
export async function inNewDir<T>(path: string, work: () => Promise<T>): Promise<T> {
  const existed = await stat(path).then(
    () => true,
    () => false,
  );
  await mkdir(path, { recursive: true, mode: 0o700 });
  try {
    return await work();
  } catch (error) {
    if (!existed) await rm(path, { recursive: true, force: true });
    throw error;
  }
}
