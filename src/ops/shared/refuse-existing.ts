/** For commands that create files and never overwrite one. */
import { ConflictError } from '../../errors.js';
import type { FileWrite, TreeReader } from './ports.js';

/**
 * Refuses, naming every one, when a file `writes` would create already exists in `out`.
 * @throws ConflictError `FILE_EXISTS`.
 */
export async function refuseExisting(out: TreeReader, writes: readonly FileWrite[]): Promise<void> {
  const existing = [];
  for (const write of writes) if (await out.exists(write.path)) existing.push(write.path);
  if (existing.length > 0)
    throw new ConflictError(
      'FILE_EXISTS',
      `file already exists in "${out.root}": ${existing.join(', ')}`,
      { hint: 'use an empty --out directory' },
    );
}
