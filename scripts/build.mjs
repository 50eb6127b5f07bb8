// Builds the CLI as one CommonJS bundle (fast start: no module graph to resolve at run time)
// and the library as ES modules with declarations (dist/index.js, the package's main and
// exports; src/cli is not part of it). Run by `npm run build` and by `prepare`, so `npm ci`
// leaves a working `npx kpki`.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/kpki.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
});
chmodSync('dist/kpki.cjs', 0o755);
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
  stdio: 'inherit',
});
