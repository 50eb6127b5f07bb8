/**
 * The mutating commands the fault suite covers, one entry each. Adding a command (rotate,
 * sa-key rotate, …) is one more entry: how to build the tree it runs on, its arguments, which
 * command recovers and reports on the tree afterwards, and when a rerun counts as converged.
 */
import assert from 'node:assert/strict';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kpki, tempDir } from '../support/tools.js';
import type { RunResult } from './kill-harness.js';

/** One mutating command under test. */
export interface FaultCommand {
  /** As printed: `faults <name>: …`. */
  readonly name: string;
  /** Builds, once, the tree the command runs on; the suite works on copies of it. */
  readonly setup: () => string;
  /** The command line for a tree copy at `dir`. */
  readonly args: (dir: string) => string[];
  /** Any kpki command that opens the tree (and so recovers it) and prints `check -o json`. */
  readonly inspect: (dir: string) => string[];
  /**
   * The files that must switch together, given every file a clean run changed. Default: all of
   * them form one set.
   */
  readonly changedSets?: (changed: readonly string[]) => string[][];
  /** Whether a rerun after a fault succeeded; default: exit 0. */
  readonly rerunOk?: (result: RunResult) => boolean;
  /**
   * The problems the inspecting command reported, tree path masked. Default: the `problems` of
   * every row of kubeadm's `check -o json` (kubeadm and RKE1); RKE2/K3s's check prints the
   * native JSON, which has no such field, and reports problems on stderr.
   */
  readonly problems?: (result: RunResult, dir: string) => string[];
  /**
   * Consistency checks the generic judge cannot make (certificates inside an RKE state file, the
   * RKE2 service-account key pair), added to tree-judge's cryptoProblems; none by default.
   */
  readonly judge?: (dir: string) => string[];
  /**
   * Maps a tree-relative path to the name it is compared under. RKE2 rotate's backup directory is
   * named by the second the command ran, so the clean run's `server/tls-<unix>/` and a killed run's
   * are the same files under different names.
   */
  readonly normalizePath?: (path: string) => string;
  /** Stride per syscall, over kill-sweep's SAMPLE_STRIDE, for the commands too slow to kill at every call. */
  readonly sampleStride?: Readonly<Record<string, number>>;
  /**
   * For the heaviest commands: stride per syscall for its calls before the commit point (the
   * journal's rename), where every kill must leave the old files. Calls from the commit point on
   * keep `sampleStride`; renames, unlinks and mkdirs are never thinned this way.
   */
  readonly precommitStride?: Readonly<
    Partial<Record<'fsync' | 'fdatasync' | 'openat' | 'write', number>>
  >;
  /**
   * Fewest kill points the sweep must reach (default 40): lower only for a command that
   * genuinely makes fewer calls, saying so where it is set.
   */
  readonly minKillPoints?: number;
}

/** A kubeadm config with ECDSA keys: each of the many runs stays fast, the write path is the same as with RSA. */
export function writeKubeadmConfig(): string {
  const config = join(tempDir(), 'kubeadm.yaml');
  writeFileSync(
    config,
    'apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nencryptionAlgorithm: ECDSA-P256\n---\napiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\nnodeRegistration: { name: n1 }\nlocalAPIEndpoint: { advertiseAddress: 10.0.0.9 }\n',
  );
  return config;
}

function must(args: readonly string[]): string {
  const result = kpki(args);
  assert.equal(result.status, 0, `setup ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/** An initialised kubeadm tree. */
export function initTree(config: string): string {
  const tree = tempDir();
  must(['init', '--dir', tree, '--config', config]);
  return tree;
}

/** A tree holding only the CAs and the service-account key pair: the start of kubeadm's external-CA flow. */
function caOnlyTree(config: string): string {
  const tree = initTree(config);
  const isCa = (name: string): boolean =>
    /(^|-)ca\.(crt|key)$/.test(name) || name.startsWith('sa.');
  for (const dir of ['', 'pki', 'pki/etcd']) {
    for (const entry of readdirSync(join(tree, dir), { withFileTypes: true })) {
      if (entry.isFile() && !isCa(entry.name)) rmSync(join(tree, dir, entry.name));
    }
  }
  rmSync(join(tree, '.kpki'), { recursive: true, force: true });
  return tree;
}

/** The kubeadm commands that change a tree, with the config they all use. */
export function kubeadmFaultCommands(config: string): FaultCommand[] {
  const inspect = (dir: string): string[] => [
    'check',
    '--dir',
    dir,
    '--layout',
    'kubeadm',
    '--config',
    config,
    '-o',
    'json',
  ];
  const exitedZero = (result: RunResult): boolean => result.status === 0;
  let renewBackup = '';
  return [
    {
      name: 'init',
      setup: () => tempDir(),
      args: (dir) => ['init', '--dir', dir, '--config', config],
      inspect,
    },
    {
      name: 'renew all',
      setup: () => initTree(config),
      args: (dir) => ['renew', 'all', '--dir', dir, '--config', config],
      inspect,
    },
    {
      name: 'rollback',
      setup: () => {
        const tree = initTree(config);
        must(['renew', 'all', '--dir', tree, '--config', config]);
        renewBackup =
          /^(\S+)\s+renew\s/m.exec(must(['rollback', '--list', '--dir', tree]))?.[1] ?? '';
        assert.notEqual(renewBackup, '', 'the renew made a backup');
        return tree;
      },
      // The backup is named so a rerun restores the same state instead of undoing the rollback.
      args: (dir) => ['rollback', '--dir', dir, '--backup', renewBackup],
      inspect,
    },
    {
      name: 'csr generate',
      setup: () => caOnlyTree(config),
      args: (dir) => ['csr', 'generate', '--dir', dir, '--config', config],
      inspect,
      // It never overwrites: after a kill past the commit point the rerun refuses, naming the files.
      rerunOk: (result) =>
        exitedZero(result) || (result.status === 1 && result.stderr.includes('[FILE_EXISTS]')),
    },
    {
      name: 'csr sign',
      setup: () => {
        const tree = caOnlyTree(config);
        must(['csr', 'generate', '--dir', tree, '--config', config]);
        return tree;
      },
      args: (dir) => ['csr', 'sign', '--dir', dir, '--config', config],
      inspect,
    },
  ];
}

/**
 * kubeadm's CA commands: the three phases of `rotate-ca` (each entry's tree has the earlier phases
 * done) and `ca generate` from a given root and intermediate.
 */
export function kubeadmCaFaultCommands(config: string): FaultCommand[] {
  const inspect = (dir: string): string[] => [
    'check',
    '--dir',
    dir,
    '--layout',
    'kubeadm',
    '--config',
    config,
    '-o',
    'json',
  ];
  const phases = ['trust', 'issue', 'finish'] as const;
  const phaseArgs = (dir: string, phase: string): string[] => [
    'rotate-ca',
    '--layout',
    'kubeadm',
    '--phase',
    phase,
    '--dir',
    dir,
    '--config',
    config,
  ];
  // A phase is recorded in .kpki-rotate-ca/state.json by the same commit that writes its files
  // (finish deletes the directory), so a rerun after a kill past the commit point is refused as
  // out of order, naming the phase as done; the set check after the rerun still demands all-new.
  const doneMessage = (phase: string): string =>
    phase === 'finish' ? 'no rotation is in progress' : `phase "${phase}" is done`;
  const rotateCa: FaultCommand[] = phases.map((phase, index) => ({
    name: `rotate-ca --phase ${phase}`,
    setup: () => {
      const tree = initTree(config);
      for (const earlier of phases.slice(0, index)) must(phaseArgs(tree, earlier));
      return tree;
    },
    args: (dir) => phaseArgs(dir, phase),
    inspect,
    rerunOk: (result) =>
      result.status === 0 ||
      (result.status === 1 &&
        result.stderr.includes('[ROTATION_ORDER]') &&
        result.stderr.includes(doneMessage(phase))),
    // Three trees' worth of kills: before the commit point (every outcome a rollback) issue's
    // fsyncs are tried every 3rd, trust's and finish's every 2nd; every one after it is tried.
    precommitStride: { fsync: phase === 'issue' ? 3 : 2 },
  }));
  let given: string | undefined;
  const givenCas = (): string => {
    // RSA-4096 root and intermediate, made once: with them given, each run makes only the layout's CAs.
    given ??= (() => {
      const dir = join(tempDir(), 'given');
      must(['ca', 'generate', '--layout', 'kubeadm', '--out', dir, '--config', config]);
      return dir;
    })();
    return given;
  };
  const caGenerate: FaultCommand = {
    name: 'ca generate',
    setup: () => {
      givenCas();
      return tempDir();
    },
    args: (dir) => [
      'ca',
      'generate',
      '--layout',
      'kubeadm',
      '--out',
      dir,
      '--config',
      config,
      '--root-cert',
      join(givenCas(), 'root-ca.crt'),
      '--intermediate-cert',
      join(givenCas(), 'intermediate-ca.crt'),
      '--intermediate-key',
      join(givenCas(), 'intermediate-ca.key'),
    ],
    inspect,
    // It never overwrites: after a kill past the commit point the rerun refuses, naming the files.
    rerunOk: (result) =>
      result.status === 0 || (result.status === 1 && result.stderr.includes('[FILE_EXISTS]')),
  };
  return [...rotateCa, caGenerate];
}
