/**
 * A bounded mutation fuzz over every input format (issue #13): PEM certificates and keys,
 * kubeconfigs, the kubeadm config, RKE2 `config.yaml`, `cluster.yml`, `cluster.rkestate`, the
 * bootstrap record's store and the server token. Each case copies a healthy tree, damages one
 * input with a mutation from a seeded generator (so a failure replays), runs one command under
 * `/usr/bin/time` with a timeout, and requires: no stack trace, no `[INTERNAL]`, no hang, a peak
 * RSS under 200 MB, no 8-character window of any secret of the tree in any output, and — when
 * the command fails — the tree byte-for-byte as before.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashTree, KPKI, kpki, tempDir } from '../support/tools.js';
import { testdata } from '../support/testdata.js';
import { writeKubeadmConfig } from './fault-commands.js';

const CASES_PER_TARGET = 18;
const CONCURRENCY = 2;
const TIMEOUT_MS = 20_000;
const MAX_RSS_KIB = 200 * 1024;
const SEED = 0x6b706b69;
const TOKEN = `K10${'cd'.repeat(32)}::server:fuzz-secret-token-pw`;

/** mulberry32: a small deterministic generator, so a failing case number replays. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SPLICES = [
  '\0',
  '*a',
  '&a [*a, *a, *a]',
  '!!binary',
  ': : :',
  '-----BEGIN CERTIFICATE-----\n',
  '-----END PRIVATE KEY-----\n',
  '{"a":',
  '\n\t- ',
  'A'.repeat(70_000),
  '"\\u0000"',
  '\uFFFD\uD800',
];

/** One mutation of `data`: flip, delete, insert, truncate, duplicate or splice. */
function mutate(data: Buffer, random: () => number): Buffer {
  const at = Math.floor(random() * Math.max(data.length, 1));
  const span = 1 + Math.floor(random() * 64);
  switch (Math.floor(random() * 7)) {
    case 0: {
      const copy = Buffer.from(data);
      for (let i = 0; i < 1 + Math.floor(random() * 8); i++) {
        const where = Math.floor(random() * copy.length);
        copy[where] = (copy[where] ?? 0) ^ (1 << Math.floor(random() * 8));
      }
      return copy;
    }
    case 1:
      return Buffer.concat([data.subarray(0, at), data.subarray(at + span)]);
    case 2:
      return Buffer.concat([data.subarray(0, at), randomBytes(span, random), data.subarray(at)]);
    case 3:
      return data.subarray(0, at);
    case 4:
      return Buffer.concat([data.subarray(0, at + span), data.subarray(at)]);
    case 5:
      return Buffer.concat([data.subarray(0, at), data.subarray(at + span, at + 2 * span)]);
    default: {
      const splice = SPLICES[Math.floor(random() * SPLICES.length)] ?? '';
      return Buffer.concat([data.subarray(0, at), Buffer.from(splice), data.subarray(at)]);
    }
  }
}

function randomBytes(n: number, random: () => number): Buffer {
  return Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));
}

/** A fuzz target: a prepared case directory, the file to damage, the commands to run. */
interface Target {
  readonly name: string;
  /** Base directory copied per case (holds `tree/` and whatever else the commands need). */
  readonly base: string;
  /** The damaged file, relative to the case directory. */
  readonly file: string;
  /** Commands (relative paths resolved against the case directory via `{case}`). */
  readonly commands: readonly (readonly string[])[];
  /** Secret strings of the base (key bodies, tokens). */
  readonly secrets: readonly string[];
}

/** Every key body (the random part after the DER header) of the PEM keys in `text`. */
function keyBodies(text: string): string[] {
  const bodies: string[] = [];
  for (const match of text.matchAll(/-----BEGIN [A-Z ]*PRIVATE KEY-----([\s\S]*?)-----END/g)) {
    const body = (match[1] ?? '').replace(/\s+/g, '');
    if (body.length > 48) bodies.push(body.slice(40));
  }
  return bodies;
}

/** Key bodies of every file below `dir` (base64 in kubeconfigs and JSON decoded too). */
function secretsOf(dir: string): string[] {
  const secrets: string[] = [];
  const visit = (path: string): void => {
    for (const name of readdirSync(path)) {
      const child = join(path, name);
      if (name === '.kpki') continue;
      if (statSync(child).isDirectory()) visit(child);
      else if (statSync(child).size < 16 * 1024 * 1024) {
        const text = readFileSync(child, 'utf8');
        secrets.push(...keyBodies(text));
        for (const b64 of text.matchAll(/client-key-data: (\S+)/g))
          secrets.push(...keyBodies(Buffer.from(b64[1] ?? '', 'base64').toString()));
        const json = text.replace(/\\n/g, '\n');
        if (json !== text) secrets.push(...keyBodies(json));
      }
    }
  };
  visit(dir);
  return [...new Set(secrets)];
}

/** The 8-character windows of `secret`, every 4th (enough to catch any leak of 11+ chars). */
function windows(secret: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 8 <= secret.length; i += 4) out.push(secret.slice(i, i + 8));
  return out;
}

function must(args: readonly string[]): void {
  const result = kpki(args);
  assert.equal(result.status, 0, `${args.join(' ')}: ${result.stderr}`);
}

function kubeadmBase(): string {
  const base = tempDir('kpki-fuzz-kubeadm-');
  const config = join(base, 'kubeadm.yaml');
  cpSync(writeKubeadmConfig(), config);
  must(['init', '--dir', join(base, 'tree'), '--config', config]);
  return base;
}

function rke2Base(): string {
  const base = tempDir('kpki-fuzz-rke2-');
  const tree = join(base, 'tree');
  writeFileSync(
    join(base, 'config.yaml'),
    `token: ${TOKEN}\nnode-name: cp1\ntls-san:\n  - api.example.com\n  - 10.0.0.5\nservice-cidr: 10.43.0.0/16\n`,
  );
  must(['init', '--layout', 'rke2', '--dir', tree, '--config', join(base, 'config.yaml')]);
  writeFileSync(join(tree, 'server/token'), `${TOKEN}\n`, { mode: 0o600 });
  must(['bootstrap', 'save', '--dir', tree, '--datastore', `file://${join(base, 'store')}`]);
  mkdirSync(join(base, 'joining'), { mode: 0o700 });
  return base;
}

function rkeBase(): string {
  const base = tempDir('kpki-fuzz-rke-');
  const tree = join(base, 'tree');
  mkdirSync(tree, { mode: 0o700 });
  const stateText = readFileSync(testdata('real/rke1-rancher-rke/cluster.rkestate'), 'utf8');
  const state = JSON.parse(stateText) as { desiredState: { rkeConfig: unknown } };
  writeFileSync(join(tree, 'cluster.rkestate'), stateText, { mode: 0o600 });
  writeFileSync(join(tree, 'cluster.yml'), JSON.stringify(state.desiredState.rkeConfig, null, 1));
  return base;
}

describe('mutation fuzz over every input format', () => {
  const targets: Target[] = [];
  before(() => {
    const kubeadm = kubeadmBase();
    const rke2 = rke2Base();
    const rke = rkeBase();
    const kubeadmCheck = ['check', '--dir', '{case}/tree', '-o', 'json'];
    const kubeadmRenew = [
      'renew',
      'apiserver',
      '--dir',
      '{case}/tree',
      '--config',
      '{case}/kubeadm.yaml',
    ];
    const rke2Check = ['check', '--dir', '{case}/tree', '--config', '{case}/config.yaml'];
    const rke2Rotate = [
      'rotate',
      '--dir',
      '{case}/tree',
      '--config',
      '{case}/config.yaml',
      '--service',
      'kubelet',
    ];
    const rkeArgs = [
      '--layout',
      'rke',
      '--dir',
      '{case}/tree',
      '--config',
      '{case}/tree/cluster.yml',
    ];
    const restore = [
      'bootstrap',
      'restore',
      '--dir',
      '{case}/joining',
      '--token',
      TOKEN,
      '--datastore',
      'file://{case}/store',
    ];
    const add = (name: string, base: string, file: string, commands: string[][]): void => {
      targets.push({ name, base, file, commands, secrets: [...secretsOf(base), TOKEN.slice(70)] });
    };
    add('PEM certificate', kubeadm, 'tree/pki/apiserver.crt', [kubeadmCheck, kubeadmRenew]);
    add('PEM key', kubeadm, 'tree/pki/ca.key', [kubeadmCheck, kubeadmRenew]);
    add('PEM key (RKE2 service.key)', rke2, 'tree/server/tls/service.key', [rke2Check]);
    add('kubeconfig', kubeadm, 'tree/admin.conf', [
      kubeadmCheck,
      ['renew', 'admin.conf', '--dir', '{case}/tree'],
    ]);
    add('kubeadm config', kubeadm, 'kubeadm.yaml', [kubeadmRenew]);
    add('RKE2 config.yaml', rke2, 'config.yaml', [rke2Check, rke2Rotate]);
    add('cluster.yml', rke, 'tree/cluster.yml', [['check', ...rkeArgs]]);
    add('cluster.rkestate', rke, 'tree/cluster.rkestate', [
      ['check', ...rkeArgs],
      ['rotate', ...rkeArgs, '--service', 'kube-scheduler'],
    ]);
    add('bootstrap record store', rke2, 'store/datastore.json', [restore]);
    add('server token', rke2, 'tree/server/token', [
      ['bootstrap', 'restore', '--dir', '{case}/tree'],
      ['bootstrap', 'save', '--dir', '{case}/tree', '--datastore', 'file://{case}/store'],
    ]);
  });

  it(`${CASES_PER_TARGET} seeded mutations per format: no trace, hang, [INTERNAL], leak, change on failure or RSS over 200 MB`, async () => {
    const random = generator(SEED);
    const jobs: (() => Promise<string | undefined>)[] = [];
    let index = 0;
    for (const target of targets) {
      for (let n = 0; n < CASES_PER_TARGET; n++) {
        const id = index++;
        const data = readFileSync(join(target.base, target.file));
        const mutated = mutate(data, random);
        const command = target.commands[n % target.commands.length] ?? [];
        jobs.push(() => runCase(id, target, mutated, command));
      }
    }
    const failures: string[] = [];
    const worker = async (): Promise<void> => {
      for (let job = jobs.shift(); job; job = jobs.shift()) {
        const failure = await job();
        if (failure !== undefined) failures.push(failure);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    assert.deepEqual(failures, [], `${failures.length} of ${index} cases failed`);
    process.stdout.write(
      `# mutation fuzz: ${index} cases over ${targets.length} formats, 0 failed\n`,
    );
  });
});

/** Runs one case; undefined when every rule held, else what broke. */
async function runCase(
  id: number,
  target: Target,
  mutated: Buffer,
  command: readonly string[],
): Promise<string | undefined> {
  const dir = tempDir('kpki-fuzz-case-');
  cpSync(target.base, dir, { recursive: true });
  writeFileSync(join(dir, target.file), mutated);
  const args = command.map((arg) => arg.replaceAll('{case}', dir));
  const trees = ['tree', 'joining'].filter((t) => exists(join(dir, t)));
  const before = trees.map((t) => hashTree(join(dir, t)));
  const result = await timed(args);
  const what = `case ${id} (${target.name}, kpki ${command.join(' ')})`;
  const output = result.stdout + result.stderr;
  if (result.timedOut) return `${what}: no exit within ${TIMEOUT_MS} ms`;
  if (/\n\s+at .*\(.*:\d+:\d+\)|\[INTERNAL\]/.test(output))
    return `${what}: internal error or stack trace: ${result.stderr.slice(0, 400)}`;
  if (!(result.rssKib < MAX_RSS_KIB)) return `${what}: peak RSS ${result.rssKib} KiB`;
  for (const secret of target.secrets)
    for (const window of windows(secret))
      if (output.includes(window)) return `${what}: output holds "${window}" of a secret`;
  if (result.status !== 0 && result.status !== 4) {
    const after = trees.map((t) => hashTree(join(dir, t)));
    if (after.join() !== before.join())
      return `${what}: failed (${result.status}) and changed the tree`;
  }
  // A failure says what is wrong: a typed `error: [CODE]`, check's problem lines or JSON problems.
  const explained =
    /error: |\[check\] /.test(result.stderr) ||
    /"problems":\s*\[|"missing":\s*true/.test(result.stdout);
  if (result.status !== 0 && result.status !== 4 && !explained)
    return `${what}: exit ${result.status} without a typed error: ${result.stderr.slice(0, 300)}`;
  return undefined;
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** kpki under /usr/bin/time with a timeout, asynchronously (two cases run at once). */
function timed(
  args: readonly string[],
): Promise<{ status: number; stdout: string; stderr: string; rssKib: number; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn('/usr/bin/time', ['-f', 'maxrss=%M', process.execPath, KPKI, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      const rssKib = Number(/maxrss=(\d+)/.exec(stderr)?.[1] ?? NaN);
      resolve({
        status: code ?? -1,
        stdout,
        stderr: stderr.replace(/(Command exited with non-zero status \d+\n)?maxrss=\d+\n?$/, ''),
        rssKib,
        timedOut,
      });
    });
  });
}
