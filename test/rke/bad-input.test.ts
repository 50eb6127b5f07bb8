import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KpkiError } from '../../src/errors.js';
import { checkRkeState } from '../../src/ops/rke/check.js';
import { planRkeRotate } from '../../src/ops/rke/rotate.js';
import { context, FILES, fixtureWithCluster, hashDir } from './helpers.js';
import { keyPairSync } from '../support/key-pair.js';
import { tempDirAsync } from '../support/temp-dir.js';

type Bundle = Record<string, Record<string, string>>;
type Edit = (
  state: { desiredState: { certificatesBundle: Bundle } },
  yml: string,
) => { yml?: string; stateText?: string } | void;

const ecKey = keyPairSync('ec', { namedCurve: 'prime256v1' })
  .privateKey.export({ type: 'sec1', format: 'pem' })
  .toString();
const rsa = keyPairSync('rsa', { modulusLength: 1024 }).privateKey;
const encryptedKey = rsa
  .export({ type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret-pass' })
  .toString();
const bundle = (state: Parameters<Edit>[0]): Bundle => state.desiredState.certificatesBundle;
const setField = (state: Parameters<Edit>[0], name: string, field: string, value: string): void => {
  const entry = bundle(state)[name];
  if (entry) entry[field] = value;
};

/**
 * Bad input → the error code rotate must throw; check reports entry problems instead of throwing.
 * The rotation is of kube-controller-manager, which none of the broken entries belongs to: a
 * broken entry that is rotated is repaired instead (repair.test.ts).
 */
const CASES: Record<string, { edit: Edit; code: string; checkReports?: RegExp }> = {
  'a malformed certificate PEM in the state': {
    edit: (s) =>
      setField(
        s,
        'kube-proxy',
        'certificatePEM',
        '-----BEGIN CERTIFICATE-----\nnot*base64!\n-----END CERTIFICATE-----\n',
      ),
    code: 'BROKEN_STATE',
    checkReports: /invalid base64/,
  },
  'a truncated certificate PEM in the state': {
    edit: (s) =>
      setField(
        s,
        'kube-scheduler',
        'certificatePEM',
        (bundle(s)['kube-scheduler']?.certificatePEM ?? '').slice(0, 300),
      ),
    code: 'BROKEN_STATE',
    checkReports: /truncated/,
  },
  'an EC key where RKE needs RSA': {
    edit: (s) => setField(s, 'kube-node', 'keyPEM', ecKey),
    code: 'BROKEN_STATE',
    checkReports: /only RSA/,
  },
  'a key that does not match its certificate': {
    edit: (s) => setField(s, 'kube-proxy', 'keyPEM', bundle(s)['kube-scheduler']?.keyPEM ?? ''),
    code: 'BROKEN_STATE',
    checkReports: /does not match/,
  },
  'an encrypted key': {
    edit: (s) => setField(s, 'kube-admin', 'keyPEM', encryptedKey),
    code: 'BROKEN_STATE',
    checkReports: /encrypted/,
  },
  'a state file that is not JSON': {
    edit: () => ({ stateText: '{"desiredState": {' }),
    code: 'BAD_STATE',
  },
  'a cluster file that is not YAML': {
    edit: (_s, yml) => ({ yml: `${yml}\n  - [unclosed` }),
    code: 'BAD_CLUSTER_YML',
  },
  'a node without an address': {
    edit: (_s, yml) => ({ yml: yml.replace('- address: 44.202.63.200', '- address: ""') }),
    code: 'NODE_WITHOUT_ADDRESS',
  },
  'a node with an unknown role': {
    edit: (_s, yml) => ({ yml: yml.replace('  - worker', '  - wroker') }),
    code: 'UNKNOWN_ROLE',
  },
};

async function prepare(edit: Edit): Promise<string> {
  const dir = await fixtureWithCluster('rke1-bn089-RKE');
  const state = JSON.parse(
    await readFile(join(dir, 'cluster.rkestate'), 'utf8'),
  ) as Parameters<Edit>[0];
  const yml = await readFile(join(dir, 'cluster.yml'), 'utf8');
  const result = edit(state, yml);
  await writeFile(
    join(dir, 'cluster.rkestate'),
    result?.stateText ?? JSON.stringify(state, null, 2),
  );
  if (result?.yml !== undefined) await writeFile(join(dir, 'cluster.yml'), result.yml);
  return dir;
}

describe('bad RKE input: a clear typed error and nothing on disk changes', () => {
  for (const [sentence, { edit, code, checkReports }] of Object.entries(CASES)) {
    it(sentence, async () => {
      const dir = await prepare(edit);
      const ctx = await context(dir);
      const hash = await hashDir(dir);
      await assert.rejects(
        ctx.tree.exclusive(() =>
          planRkeRotate(ctx, {
            files: FILES,
            services: ['kube-controller-manager'],
            rotateCa: false,
          }),
        ),
        (error: unknown) => {
          assert.ok(error instanceof KpkiError, String(error));
          assert.equal(error.code, code);
          assert.ok(
            !/secret-pass|PRIVATE KEY/.test(error.message),
            'no key material in the message',
          );
          return true;
        },
      );
      if (checkReports) {
        const report = await checkRkeState(ctx, FILES);
        const problems = [...report.certificates, ...report.authorities]
          .flatMap((row) => row.problems)
          .join('\n');
        assert.match(problems, checkReports);
      }
      assert.equal(await hashDir(dir), hash);
    });
  }
});

describe('kpki CLI exit codes (RKE)', () => {
  const run = (args: string[]): { status: number | null; stdout: string; stderr: string } => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      encoding: 'utf8',
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  it('rotate with an unknown --service exits 2 and names it; a broken state exits 3; check of a sound state exits 0', async () => {
    const good = await fixtureWithCluster('rke1-bn089-RKE');
    const hash = await hashDir(good);
    const unknown = run(['rotate', '--config', join(good, 'cluster.yml'), '--service', 'kubelett']);
    assert.equal(unknown.status, 2, unknown.stderr);
    assert.match(unknown.stderr, /\[UNKNOWN_NAME\] unknown service "kubelett"/);
    assert.equal(await hashDir(good), hash);
    const broken = await prepare(
      CASES['a key that does not match its certificate']?.edit ?? (() => undefined),
    );
    const rotated = run([
      'rotate',
      '--config',
      join(broken, 'cluster.yml'),
      '--service',
      'kube-controller-manager',
      '-o',
      'json',
    ]);
    assert.equal(rotated.status, 3);
    assert.equal(
      (JSON.parse(rotated.stdout) as { error: { code: string } }).error.code,
      'BROKEN_STATE',
    );
    const checked = run(['check', '--config', join(good, 'cluster.yml'), '-o', 'json']);
    assert.equal(checked.status, 0, checked.stderr);
    const info = JSON.parse(checked.stdout) as { certificates: { name: string }[] };
    assert.ok(info.certificates.some((c) => c.name === 'kube-etcd-44-211-192-217'));
  });

  it('init --layout rke, rotate --dry-run, rke export and csr generate work from the command line', async () => {
    const dir = await tempDirAsync('kpki-rke-cli-');
    await writeFile(
      join(dir, 'cluster.yml'),
      'nodes:\n  - address: 10.1.0.1\n    role: [controlplane, etcd, worker]\n  - address: 10.1.0.2\n    role: [worker]\n',
    );
    const config = join(dir, 'cluster.yml');
    assert.equal(run(['init', '--layout', 'rke', '--config', config]).status, 0);
    const dry = run([
      'rotate',
      '--config',
      config,
      '--service',
      'kube-proxy',
      '--dry-run',
      '-o',
      'json',
    ]);
    assert.equal(dry.status, 0, dry.stderr);
    const plan = JSON.parse(dry.stdout) as { items: { name: string }[]; restart: string[] };
    assert.deepEqual(
      plan.items.map((i) => i.name),
      ['kube-proxy'],
    );
    assert.deepEqual(plan.restart, ['kube-proxy@10.1.0.1', 'kube-proxy@10.1.0.2']);
    const exported = run([
      'rke',
      'export',
      '--config',
      config,
      '--node',
      '10.1.0.2',
      '--out',
      join(dir, 'out'),
    ]);
    assert.equal(exported.status, 0, exported.stderr);
    assert.ok((await readdir(join(dir, 'out'))).includes('kubecfg-kube-proxy.yaml'));
    assert.equal(run(['csr', 'generate', '--config', config]).status, 0);
    assert.ok((await readdir(join(dir, 'cluster_certs'))).includes('kube-etcd-10-1-0-1-csr.pem'));
    const unknownNode = run([
      'rke',
      'export',
      '--config',
      config,
      '--node',
      '10.9.9.9',
      '--out',
      join(dir, 'out2'),
    ]);
    assert.equal(unknownNode.status, 2);
    assert.ok(!(await readdir(dir)).includes('out2'), 'no output directory for a failed export');
  });
});
