/**
 * The RKE2 commands that change a server data dir, as fault-suite entries: rotate-ca from a
 * cross-signed staged directory, rotate (every service;
 * `--service kubelet` runs the same code on a subset and would add ~190 kill points), sa-key rotate, and bootstrap restore from the embedded datastore (onto a
 * server with no certificates yet, and --force over another cluster's CAs).
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { kpki, tempDir } from '../support/tools.js';
import type { FaultCommand } from './fault-commands.js';
import type { RunResult } from './kill-harness.js';
import { rke2CheckProblems, rke2ServiceKeyProblems } from './layout-judges.js';

const NODE = ['--node-name', 'n1', '--node-ip', '10.0.0.9'];
const TOKEN = 'fault-suite-token';

function must(args: readonly string[]): void {
  const result = kpki(args);
  assert.equal(result.status, 0, `setup ${args.join(' ')}: ${result.stderr}`);
}

/** A server data dir made by `kpki init --layout rke2`. */
export function rke2ServerDir(): string {
  const dir = tempDir();
  must(['init', '--layout', 'rke2', '--dir', dir, ...NODE]);
  return dir;
}

const exitedZero = (result: RunResult): boolean => result.status === 0;
const refused = (result: RunResult, code: string): boolean =>
  result.status === 1 && result.stderr.includes(`[${code}]`);

/** Inspecting, problems and judge shared by every RKE2 entry. */
const rke2Common = {
  inspect: (dir: string): string[] => ['check', '--layout', 'rke2', '--dir', dir, '-o', 'json'],
  problems: rke2CheckProblems,
  judge: rke2ServiceKeyProblems,
} as const;

/**
 * rotate's `server/tls-<unix>` backup is named by the second it ran in; the clean run's and a
 * killed run's hold the same files.
 */
const backupDirAsOne = (path: string): string =>
  path.replace(/^server\/tls-\d+\//, 'server/tls-<unix>/');

/**
 * rotate never converges to a fixed point (each run makes new keys); "converged" is: every file
 * of the one commit — backup copy, keys, certificates, kubeconfigs, markers — is the new one. A
 * rerun within the second of a kill past the commit point finds the backup directory it would
 * make and refuses with BACKUP_EXISTS; the set check after the rerun still demands all-new, so a
 * refusal on a tree left old (a stray backup directory) fails the case.
 */
const rotateRerunOk = (result: RunResult): boolean =>
  exitedZero(result) || refused(result, 'BACKUP_EXISTS');

/** A data dir holding only what a joining server has: the embedded datastore with `source`'s record. */
function joiningServer(source: string): string {
  const dir = tempDir();
  mkdirSync(join(dir, 'server/db'), { recursive: true, mode: 0o700 });
  cpSync(join(source, 'server/db/kpki'), join(dir, 'server/db/kpki'), { recursive: true });
  return dir;
}

/**
 * A server whose CA files are another cluster's, written an hour after the record: restore
 * refuses them as newer (DISK_NEWER) unless --force, and with it replaces every one, backed up.
 */
function serverWithNewerCas(source: string): string {
  const dir = joiningServer(source);
  const other = rke2ServerDir();
  const isBootstrapFile = (name: string): boolean =>
    /-ca\.(crt|key)$/.test(name) || name === 'service.key';
  const later = new Date(Date.now() + 3600_000);
  for (const sub of ['server/tls', 'server/tls/etcd']) {
    mkdirSync(join(dir, sub), { recursive: true, mode: 0o700 });
    for (const name of readdirSync(join(other, sub)).filter(
      (n) => statSync(join(other, sub, n)).isFile() && isBootstrapFile(n),
    )) {
      cpSync(join(other, sub, name), join(dir, sub, name));
      utimesSync(join(dir, sub, name), later, later);
    }
  }
  mkdirSync(join(dir, 'server/cred'), { mode: 0o700 });
  rmSync(other, { recursive: true, force: true });
  return dir;
}

/** The RKE2 entries. */
export function rke2FaultCommands(): FaultCommand[] {
  const rotate = (dir: string): string[] => ['rotate', '--layout', 'rke2', '--dir', dir, ...NODE];
  let saved = '';
  const savedServer = (): string => {
    if (saved === '') {
      saved = rke2ServerDir();
      must(['bootstrap', 'save', '--layout', 'rke2', '--dir', saved, '--token', TOKEN]);
    }
    return saved;
  };
  const restore = (dir: string): string[] => [
    'bootstrap',
    'restore',
    '--layout',
    'rke2',
    '--dir',
    dir,
    '--token',
    TOKEN,
  ];
  // One staged cross-signed rotation of the base tree, read (never written) by every run.
  let stage = '';
  const crossSigned = (): string => {
    const dir = rke2ServerDir();
    stage = join(tempDir(), 'stage');
    must(['ca', 'cross-sign', '--layout', 'rke2', '--dir', dir, '--out', stage]);
    return dir;
  };
  return [
    {
      name: 'rke2 rotate',
      setup: rke2ServerDir,
      args: rotate,
      ...rke2Common,
      normalizePath: backupDirAsOne,
      rerunOk: rotateRerunOk,
      // The heaviest entry (89 files in one commit, the server/tls-<unix> copy included): every
      // rename, unlink, mkdir and every fsync from the commit point on; before it, where every
      // kill must roll back, every 4th fsync and sparser openat/write.
      sampleStride: { openat: 36, write: 400 },
      precommitStride: { fsync: 4 },
    },
    {
      name: 'rke2 rotate-ca --path',
      setup: crossSigned,
      args: (dir) => ['rotate-ca', '--layout', 'rke2', '--dir', dir, '--path', stage, ...NODE],
      ...rke2Common,
      // After a kill past the commit point the tree already holds the staged material, so the
      // rerun finds nothing to install; the set check still demands that every file is new.
      rerunOk: (result) =>
        exitedZero(result) ||
        (result.status === 3 && result.stderr.includes('[NOTHING_TO_ROTATE]')),
      // Like rotate: ~50 files in one commit, so fsyncs before the commit point every 4th.
      sampleStride: { openat: 36, write: 400 },
      precommitStride: { fsync: 4 },
    },
    // A rerun puts one more key first: service.key and service.current.key both differ from the start, the judge checks they agree.
    {
      name: 'rke2 sa-key rotate',
      setup: rke2ServerDir,
      args: (dir) => ['sa-key', 'rotate', '--layout', 'rke2', '--dir', dir],
      ...rke2Common,
      sampleStride: { openat: 6 },
    },
    // A rerun finds the files equal to the record and writes nothing (exit 0).
    {
      name: 'rke2 bootstrap restore (joining server)',
      setup: () => joiningServer(savedServer()),
      args: restore,
      ...rke2Common,
    },
    {
      name: 'rke2 bootstrap restore --force',
      setup: () => serverWithNewerCas(savedServer()),
      args: (dir) => [...restore(dir), '--force'],
      ...rke2Common,
    },
  ];
}
