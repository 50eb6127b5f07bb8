/** `kpki bootstrap save|restore`: the RKE2/K3s bootstrap record between a server's disk and the datastore. */
import type { Command } from 'commander';
import { mkdir } from 'node:fs/promises';
import { restoreBootstrap } from '../../ops/rke2/bootstrap/restore.js';
import { saveBootstrap } from '../../ops/rke2/bootstrap/save.js';
import { openFileTimes } from '../../stores/file-times.js';
import { openTreeStore } from '../../stores/fs-tree-store.js';
import { nodeRandom } from '../../stores/node-ports.js';
import { succeeded, type CommandResult, type Deliver } from '../command-result.js';
import { warn } from '../output.js';
import {
  addServerOptions,
  dataDirOf,
  datastoreOf,
  tokenOf,
  type ServerOptions,
} from '../server-data-dir.js';

interface SaveOptions extends ServerOptions {
  readonly override?: boolean;
}

interface RestoreOptions extends ServerOptions {
  readonly force?: boolean;
}

/** Registers `bootstrap save` and `bootstrap restore`. */
export function registerBootstrap(program: Command, deliver: Deliver): void {
  const group = program
    .command('bootstrap')
    .description('RKE2/K3s CA material in the cluster datastore, encrypted with the server token');
  const save = group
    .command('save')
    .description('write the CA files of this server to the datastore record');
  addServerOptions(save, true).option(
    '--override',
    'replace an existing record (compare-and-swap on its revision)',
  );
  save.action(async (options: SaveOptions) => deliver(await runSave(options)));

  const restore = group
    .command('restore')
    .description("write the datastore record's files to this server, all or nothing");
  addServerOptions(restore, true).option(
    '--force',
    'also overwrite files newer than the record (backed up first; undo with kpki rollback)',
  );
  restore.action(async (options: RestoreOptions) => deliver(await runRestore(options)));
}

/** Saves this server's CA files to the datastore record. */
async function runSave(options: SaveOptions): Promise<CommandResult> {
  const dataDir = dataDirOf(options);
  const token = await tokenOf(options, dataDir);
  const tree = await openTreeStore(dataDir, {
    allowInsecureDir: options.allowInsecureDir === true,
  });
  const store = await datastoreOf(options, dataDir);
  try {
    const result = await saveBootstrap({
      tree,
      times: openFileTimes(dataDir),
      store,
      token,
      product: options.layout,
      override: options.override === true,
      random: nodeRandom,
    });
    if (result.missing.length > 0) warn(result.missing.map((p) => `skipped "${p}": not on disk`));
    return succeeded(
      `[bootstrap save] ${result.replaced ? 'replaced' : 'created'} "${result.key}" in ${store.description} at revision ${result.revision} (${result.saved.length} files)`,
    );
  } finally {
    await store.close();
  }
}

/** Restores the datastore record's files to this server under the tree's lock. */
async function runRestore(options: RestoreOptions): Promise<CommandResult> {
  const dataDir = dataDirOf(options);
  const token = await tokenOf(options, dataDir);
  // Restoring reads a record: a missing embedded store is an error, never a new directory, and
  // it is opened before the data dir is made, so a restore from nowhere leaves no trace.
  const store = await datastoreOf(options, dataDir, false);
  try {
    // A new server's data dir may not exist yet; RKE2 creates it 0700 too.
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const tree = await openTreeStore(dataDir, {
      allowInsecureDir: options.allowInsecureDir === true,
    });
    const result = await tree.exclusive(() =>
      restoreBootstrap({
        tree,
        times: openFileTimes(dataDir),
        store,
        token,
        product: options.layout,
        force: options.force === true,
      }),
    );
    if (result.ignored.length > 0)
      warn(
        result.ignored.map((f) => `record field "${f}" has no file in kpki's list; not written`),
      );
    if (result.written.length === 0)
      return succeeded(
        `[bootstrap restore] "${dataDir}" already matches "${result.key}"; nothing written`,
      );
    if (result.overwrittenNewer.length > 0)
      warn(result.overwrittenNewer.map((p) => `overwrote "${p}", which was newer than the record`));
    return succeeded(
      `[bootstrap restore] wrote ${result.written.length} files from "${result.key}" to "${dataDir}"; previous files backed up as ${result.backupId ?? ''} (${result.backupPath ?? ''})\n` +
        `[bootstrap restore] undo with: kpki rollback --dir ${dataDir}; restart ${options.layout}-server to load the files\n`,
    );
  } finally {
    await store.close();
  }
}
