/**
 * kpki as a library, as a user gets it: `npm pack`, `npm install` of the tarball into an empty
 * project, and a plain node program there (package-client.ts) that imports 'kpki' and issues a
 * kubeadm tree with the library API. Needs the build (`npm test` builds first) and npm, with the
 * dependencies in npm's cache or the registry reachable.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { transform } from 'esbuild';
import { tempDir } from '../support/temp-dir.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');

/** npm as a user runs it: without the settings `npm test` hands its scripts (prefixes above all). */
function npmEnv(): NodeJS.ProcessEnv {
  const keep = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig']);
  return Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('npm_') || keep.has(key)),
  );
}

async function npm(args: readonly string[], cwd: string): Promise<string> {
  const { stdout } = await run('npm', args, { cwd, env: npmEnv(), maxBuffer: 16 << 20 });
  return stdout;
}

describe('the npm package', () => {
  it('installs from its tarball and issues a kubeadm tree through import("kpki")', async (t) => {
    assert.ok(
      existsSync(join(ROOT, 'dist/index.js')),
      'dist/index.js is missing: run `node scripts/build.mjs` first',
    );
    const work = tempDir('kpki-package-', t);
    // --ignore-scripts: `prepare` would rebuild dist/ under the other test files using it.
    const packed = JSON.parse(
      await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], ROOT),
    ) as { filename: string; files: { path: string }[] }[];
    const tarball = join(work, packed[0]!.filename);
    const shipped = new Set(packed[0]!.files.map((file) => file.path));
    for (const path of ['dist/index.js', 'dist/index.d.ts', 'dist/kpki.cjs', 'package.json']) {
      assert.ok(shipped.has(path), `${path} is not in the tarball`);
    }
    assert.ok(![...shipped].some((path) => path.endsWith('.test.js')), 'tests are in the tarball');

    const app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(
      join(app, 'package.json'),
      '{ "name": "app", "private": true, "type": "module" }',
    );
    await npm(
      ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--prefer-offline', tarball],
      app,
    );
    const installed = JSON.parse(
      readFileSync(join(app, 'node_modules/kpki/package.json'), 'utf8'),
    ) as { exports: Record<string, { types: string; import: string }> };
    const entry = installed.exports['.']!;
    assert.ok(existsSync(join(app, 'node_modules/kpki', entry.import)), entry.import);
    assert.ok(existsSync(join(app, 'node_modules/kpki', entry.types)), entry.types);

    const source = readFileSync(join(import.meta.dirname, 'package-client.ts'), 'utf8');
    // The types a user gets: the client type-checks against the installed package's exports.
    writeFileSync(join(app, 'client.ts'), source.replace("'../../src/index.js'", "'kpki'"));
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          lib: ['ES2023'],
          strict: true,
          noEmit: true,
          types: ['node'],
          typeRoots: [join(ROOT, 'node_modules/@types')],
        },
        files: ['client.ts'],
      }),
    );
    await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', app]).catch(
      (error: { stdout?: string }) =>
        assert.fail(`the client does not type-check: ${error.stdout}`),
    );
    const client = await transform(source, { loader: 'ts', format: 'esm', target: 'node20' });
    writeFileSync(join(app, 'client.mjs'), client.code);
    const tree = join(work, 'kubernetes');
    mkdirSync(tree);
    const { stdout } = await run(process.execPath, ['client.mjs', tree], { cwd: app });
    const output = JSON.parse(stdout) as { committed: boolean; items: { action: string }[] };
    assert.equal(output.committed, true);
    assert.ok(output.items.length > 10 && output.items.every((item) => item.action === 'create'));

    for (const file of ['pki/ca.crt', 'pki/ca.key', 'pki/apiserver.crt', 'pki/apiserver.key']) {
      assert.ok(existsSync(join(tree, file)), `${file} was not written`);
    }
    assert.ok(existsSync(join(tree, 'admin.conf')), 'admin.conf was not written');
    assert.equal(statSync(join(tree, 'pki/apiserver.key')).mode & 0o777, 0o600);
    const ca = new X509Certificate(readFileSync(join(tree, 'pki/ca.crt')));
    const apiserver = new X509Certificate(readFileSync(join(tree, 'pki/apiserver.crt')));
    assert.ok(apiserver.verify(ca.publicKey), 'apiserver.crt is not signed by ca.crt');
    assert.ok(apiserver.checkIssued(ca));
    assert.match(apiserver.subject, /CN=kube-apiserver/);
    assert.match(apiserver.subjectAltName ?? '', /IP Address:10\.0\.0\.10/);
  });
});
