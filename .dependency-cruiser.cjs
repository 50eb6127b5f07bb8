// Layer rules of DESIGN.md: imports point downward only.
// cli, daemon -> ops, stores, kube, restart -> layouts -> pki; errors.ts is shared.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'ops-layouts-apart',
      comment: "one layout's ops never import another's; ops/shared imports no layout's ops",
      severity: 'error',
      from: { path: '^src/ops/(kubeadm|rke2|rke|shared)/' },
      to: { path: '^src/ops/(kubeadm|rke2|rke)/', pathNot: '^src/ops/$1/' },
    },
    { name: 'no-cycles', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'pki-is-pure',
      comment: 'pki/ imports nothing of ours but errors.ts, and no fs, network or process modules',
      severity: 'error',
      from: { path: '^src/pki/' },
      to: {
        pathNot: [
          '^src/pki/',
          '^src/errors\\.ts$',
          'node_modules',
          '^node:crypto$',
          '^crypto$',
          '^node:net$',
          '^net$',
          '^node:buffer$',
        ],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'layouts-import-pki-only',
      severity: 'error',
      from: { path: '^src/layouts/' },
      to: { path: '^src/(ops|stores|kube|restart|cli|daemon)/' },
    },
    {
      name: 'layouts-no-io',
      severity: 'error',
      from: { path: '^src/layouts/' },
      to: {
        path: '^(node:)?(fs|fs/promises|child_process|http|https|net|os)$',
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'ops-through-ports',
      comment: 'ops/ talks to the world only through ops/shared/ports.ts',
      severity: 'error',
      from: { path: '^src/ops/' },
      to: {
        path: [
          '^src/(stores|kube|restart|cli|daemon)/',
          '^(node:)?(fs|fs/promises|child_process|http|https|net)$',
        ],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'adapters-below-cli',
      severity: 'error',
      from: { path: '^src/(stores|kube|restart)/' },
      to: { path: '^src/(cli|daemon)/' },
    },
    {
      name: 'nothing-imports-cli-or-daemon',
      severity: 'error',
      from: { pathNot: ['^src/cli/', '^src/daemon/'] },
      to: { path: '^src/(cli|daemon)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
