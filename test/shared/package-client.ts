/**
 * A program using kpki as a library, the way the README shows: package.test.ts transpiles it and
 * runs it with plain node in a directory where the packed kpki is installed, so `import('kpki')`
 * resolves the installed package. Type-checked against src/index.ts, so an API change that would
 * break such a program fails `tsc` here. Usage: node package-client.mjs DIR (DIR exists).
 * Prints the plan's item names and actions as JSON (nothing secret).
 */
import type * as Kpki from '../../src/index.js';

const packageName = 'kpki';
const { kubeadm, openNodeContext } = (await import(packageName)) as typeof Kpki;

const dir = process.argv[2];
if (dir === undefined) throw new Error('usage: package-client DIR');

const spec = {
  ...kubeadm.defaultKubeadmSpec({ hostname: 'cp1', address: '10.0.0.10' }),
  encryptionAlgorithm: 'ECDSA-P256' as const,
};
const { catalogue, warnings } = kubeadm.kubeadmCatalogue(spec);
const params = {
  catalogue,
  restartOrder: kubeadm.KUBEADM_RESTART_ORDER,
  warnings,
};
const ctx = await openNodeContext(dir);
const planned = await kubeadm.planInit(ctx, params);
const result = await ctx.tree.exclusive(() => kubeadm.applyInit(ctx, planned));
console.log(
  JSON.stringify({
    committed: result !== undefined,
    items: planned.plan.items.map((item) => ({ name: item.name, action: item.action })),
  }),
);
