// Builds the CLI as one CommonJS bundle (fast start: no module graph to resolve at run time),
// dist/kpki-main.cjs, started by the small dist/kpki.cjs (src/cli/launch.ts), which keeps a V8
// code cache of the bundle; and the library as ES modules with declarations (dist/index.js, the package's main and
// exports; src/cli is not part of it). Run by `npm run build` and by `prepare`, so `npm ci`
// leaves a working `npx kpki`.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, rmSync } from 'node:fs';

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

rmSync('dist', { recursive: true, force: true });
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
};
await build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/kpki-main.cjs' });
await build({
  ...common,
  entryPoints: ['src/cli/launch.ts'],
  outfile: 'dist/kpki.cjs',
  banner: { js: '#!/usr/bin/env node' },
  define: { KPKI_VERSION: JSON.stringify(version) },
});
chmodSync('dist/kpki.cjs', 0o755);
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
  stdio: 'inherit',
});
