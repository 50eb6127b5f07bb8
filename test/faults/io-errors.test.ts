/**
 * I/O errors instead of kills: strace makes one write, fsync, rename or openat fail (ENOSPC, EIO,
 * EXDEV, EACCES) at points spread over the command's calls. The command must fail with a clear
 * message and a non-zero exit, print no secret, and the next kpki command must see the tree
 * exactly as before — or, when the error struck after the commit point, the whole new set.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { KPKI } from '../support/tools.js';
import { kubeadmFaultCommands, writeKubeadmConfig, type FaultCommand } from './fault-commands.js';
import { rke2FaultCommands } from './rke2-fault-commands.js';
import { rkeFaultCommands } from './rke-fault-commands.js';
import {
  copyTree,
  countSyscalls,
  kpkiAsync,
  mapLimit,
  runInjected,
  strayTemps,
  type RunResult,
} from './kill-harness.js';
import { referenceRun, type Reference } from './kill-sweep.js';
import { cryptoProblems, leftoverState, setStates, snapshot } from './tree-judge.js';

const FAULTS = [
  { syscall: 'write', error: 'ENOSPC' },
  { syscall: 'write', error: 'EIO' },
  { syscall: 'fsync', error: 'EIO' },
  { syscall: 'rename', error: 'EXDEV' },
  { syscall: 'openat', error: 'EACCES' },
] as const;

/**
 * Where to strike among the calls that touch the tree: a quarter in, halfway, and the last one.
 * Calls on node's own descriptors are left alone: libuv aborts on a failed eventfd write, which
 * says nothing about kpki.
 */
const FRACTIONS = [0.25, 0.5, 1];

function strikePoints(inTree: ReadonlySet<number> | undefined): number[] {
  const calls = [...(inTree ?? [])].sort((a, b) => a - b);
  return [
    ...new Set(
      FRACTIONS.map((f) => calls[Math.max(0, Math.ceil(calls.length * f) - 1)]).filter(
        (k) => k !== undefined,
      ),
    ),
  ];
}

type Outcome = 'unchanged' | 'rolled forward' | 'absorbed' | 'aborted' | 'not started';

/** Key material or anything shaped like a PEM body line must never reach the terminal. */
function leaksSecret(result: RunResult): boolean {
  const out = result.stdout + result.stderr;
  return /PRIVATE KEY|client-key-data/.test(out) || /[A-Za-z0-9+/]{64}/.test(out);
}

async function errorCase(
  command: FaultCommand,
  reference: Reference,
  syscall: string,
  error: string,
  k: number,
): Promise<Outcome> {
  const dir = copyTree(reference.base);
  const where = `${command.name}, ${syscall}:error=${error}:when=${k}`;
  try {
    const result = await runInjected(dir, command.args, { syscall, k, action: `error=${error}` });
    assert.equal(leaksSecret(result), false, `${where}: output shows a secret`);
    await kpkiAsync(command.inspect(dir));
    assert.deepEqual(
      [...strayTemps(dir), ...leftoverState(dir)],
      [],
      `${where}: leftovers after the next command`,
    );
    const states = setStates(reference.baseSnapshot, snapshot(dir), reference.sets);
    assert.deepEqual(
      [...cryptoProblems(dir), ...(command.judge?.(dir) ?? [])],
      [],
      `${where}: inconsistent tree`,
    );
    assert.ok(!states.includes('mixed'), `${where}: mixed sets ${states.join(',')}`);
    // write K counts libuv's eventfd wake-ups too, whose number varies run to run; when the error
    // lands on one, libuv aborts node. That is a crash, judged like a kill: old or new, never mixed.
    if (result.signal === 'SIGABRT') return 'aborted';
    // when=K counts per thread: a K aimed at the pool's calls can land on the main thread's load of
    // the bundle itself, or on node's own open of openssl.cnf when crypto first starts (node exits
    // with "OpenSSL configuration error"). kpki never ran on; the tree must be exactly as before.
    if (
      result.stderr.includes(`open '${KPKI}'`) ||
      result.stderr.includes('OpenSSL configuration error')
    ) {
      assert.deepEqual(
        snapshot(dir),
        reference.baseSnapshot,
        `${where}: the tree changed although kpki never started`,
      );
      return 'not started';
    }
    if (result.status === 0) {
      // The failed call was one kpki may ignore (e.g. removing an absent file): the change landed whole.
      assert.ok(
        states.every((s) => s === 'new'),
        `${where}: exit 0 but sets ${states.join(',')}`,
      );
      return 'absorbed';
    }
    assert.ok(
      result.status !== null && result.status > 0,
      `${where}: died by ${result.signal ?? '?'}`,
    );
    assert.match(
      result.stderr,
      /^error: \[[A-Z_]+\] .+/m,
      `${where}: no clear message: ${result.stderr}`,
    );
    assert.doesNotMatch(result.stderr, /\n\s+at /, `${where}: stack trace`);
    if (states.every((s) => s === 'new')) return 'rolled forward';
    assert.deepEqual(
      snapshot(dir),
      reference.baseSnapshot,
      `${where}: the tree changed (sets ${states.join(',')})`,
    );
    return 'unchanged';
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The kubeadm commands, and of the other layouts those whose tree keeps its paths (rotate's
 * `server/tls-<unix>` copy is named by the second it runs in, so it is left to the kill sweep).
 */
function commands(): FaultCommand[] {
  const others = new Set(['rke2 rotate-ca --path', 'rke2 sa-key rotate', 'rke rotate --rotate-ca']);
  return [
    ...kubeadmFaultCommands(writeKubeadmConfig()),
    ...[...rke2FaultCommands(), ...rkeFaultCommands()].filter((c) => others.has(c.name)),
  ];
}

describe('I/O errors', () => {
  for (const command of commands()) {
    it(`${command.name}: fails cleanly and changes nothing, or the whole set`, async () => {
      const reference = await referenceRun(command);
      const { inTree } = await countSyscalls(reference.base, command.args, [
        ...new Set(FAULTS.map((f) => f.syscall)),
      ]);
      const cases = FAULTS.flatMap((fault) =>
        strikePoints(inTree[fault.syscall]).map((k) => ({ ...fault, k })),
      );
      const outcomes = await mapLimit(cases, (c) =>
        errorCase(command, reference, c.syscall, c.error, c.k),
      );
      const tally = (o: Outcome): number => outcomes.filter((x) => x === o).length;
      console.log(
        `io-errors ${command.name}: ${cases.length} injections (${FAULTS.map((f) => `${f.syscall} ${f.error}`).join(', ')}), ${tally('unchanged')} failed unchanged, ${tally('rolled forward')} failed after the commit point and rolled forward, ${tally('absorbed')} absorbed, ${tally('aborted')} hit a libuv wake-up write (node aborted; tree old or new), ${tally('not started')} hit node's own start-up files (the bundle, openssl.cnf; tree unchanged)`,
      );
      assert.ok(
        tally('unchanged') > 0,
        'no injection made the command fail before its commit point',
      );
    });
  }
});
