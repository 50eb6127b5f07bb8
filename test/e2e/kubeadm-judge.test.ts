/**
 * The real kubeadm as the judge: `kubeadm certs check-expiration` reads kpki's trees and agrees
 * with `kpki check` (text and JSON) apart from the documented differences; `kpki check` agrees
 * with kubeadm on kubeadm's own tree; `kpki renew all` on a tree kubeadm made leaves a tree a
 * control plane starts on.
 */
import assert from 'node:assert/strict';
import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  kpki,
  kubeadm,
  missingPeers,
  tempDir,
  writeConfig,
  type ConfigOptions,
} from './support/env.js';
import { ControlPlane, freePorts, RENDER_ADDRESS, renderManifests } from './support/plane.js';
import {
  assertAdminIdentities,
  assertLeases,
  assertReadyz,
  bindClusterAdmins,
} from './support/prove.js';

interface Expiration {
  certificates: {
    name: string;
    expirationDate: string;
    residualTime: number;
    externallyManaged: boolean;
    caName: string;
    missing: boolean;
  }[];
  certificateAuthorities: {
    name: string;
    expirationDate: string;
    residualTime: number;
    externallyManaged: boolean;
    missing: boolean;
  }[];
  kind?: string | undefined;
  apiVersion?: string | undefined;
}

/**
 * Documented differences (README, kubeadm compatibility table): kpki also reports kubelet.conf,
 * and keeps problems in a list kubeadm does not have.
 */
const KPKI_ONLY_ROWS = ['kubelet.conf'];

/** kubeadm's table lines (its `[check-expiration] …` notes dropped), trailing blanks trimmed. */
function tableLines(text: string, dropRows: readonly string[] = []): string[] {
  return text
    .split('\n')
    .filter((l) => !l.startsWith('[') && !dropRows.some((r) => l.startsWith(`${r} `)))
    .map((l) => l.trimEnd())
    .filter((l, i, all) => l !== '' || (i > 0 && all[i - 1] !== ''))
    .join('\n')
    .trim()
    .split('\n');
}

/** The JSON with residual times rounded to the minute: the two commands run a moment apart. */
function normalise(e: Expiration, dropRows: readonly string[] = []): Expiration {
  const r = (s: number): number => Math.round(s / 60);
  return {
    kind: e.kind,
    apiVersion: e.apiVersion,
    certificates: e.certificates
      .filter((c) => !dropRows.includes(c.name))
      .map((c) => ({ ...c, residualTime: r(c.residualTime) })),
    certificateAuthorities: e.certificateAuthorities.map((c) => ({
      ...c,
      residualTime: r(c.residualTime),
    })),
  };
}

function compareChecks(tree: string, config: string): void {
  const kText = kubeadm(tree, ['certs', 'check-expiration', '--config', config]);
  assert.doesNotMatch(
    kText.stdout + kText.stderr,
    /error|failed|unable/i,
    `kubeadm check-expiration complained:\n${kText.stdout}\n${kText.stderr}`,
  );
  const pText = kpki(['check', '--dir', tree, '--config', config]);
  assert.deepEqual(tableLines(pText.stdout, KPKI_ONLY_ROWS), tableLines(kText.stdout));
  const kJson = JSON.parse(
    kubeadm(tree, ['certs', 'check-expiration', '--config', config, '-o', 'json']).stdout,
  ) as Expiration;
  const pJson = JSON.parse(
    kpki(['check', '--dir', tree, '--config', config, '-o', 'json']).stdout,
  ) as Expiration & { problems?: unknown[] };
  assert.deepEqual(pJson.problems ?? [], []);
  assert.deepEqual(normalise(pJson, KPKI_ONLY_ROWS), normalise(kJson));
  // Every certificate kubeadm knows is there and readable.
  assert.ok(
    kJson.certificates.length >= 10 && kJson.certificates.every((c) => !c.missing),
    JSON.stringify(kJson.certificates),
  );
}

const TREES: Record<
  string,
  { config: ConfigOptions; make: 'kpki' | 'kubeadm'; externalCa?: boolean }
> = {
  "kpki's RSA tree": { config: { advertiseAddress: '10.0.0.10' }, make: 'kpki' },
  "kpki's ECDSA-P256 tree": {
    config: { advertiseAddress: '10.0.0.10', encryptionAlgorithm: 'ECDSA-P256' },
    make: 'kpki',
  },
  "kpki's tree with an external CA (ca.key removed)": {
    config: { advertiseAddress: '10.0.0.10' },
    make: 'kpki',
    externalCa: true,
  },
  "kubeadm's own RSA tree": { config: { advertiseAddress: '10.0.0.10' }, make: 'kubeadm' },
  "kubeadm's own ECDSA-P256 tree": {
    config: { advertiseAddress: '10.0.0.10', encryptionAlgorithm: 'ECDSA-P256' },
    make: 'kubeadm',
  },
};

describe('kubeadm certs check-expiration vs kpki check', () => {
  const why = missingPeers();
  for (const [name, t] of Object.entries(TREES)) {
    it(`agree on ${name}`, () => {
      assert.equal(why, undefined, why);
      const work = tempDir('judge');
      try {
        const tree = join(work.dir, 'tree');
        const config = writeConfig(join(work.dir, 'kubeadm.yaml'), t.config);
        if (t.make === 'kpki')
          kpki(['init', '--layout', 'kubeadm', '--dir', tree, '--config', config]);
        else {
          kubeadm(tree, ['init', 'phase', 'certs', 'all', '--config', config]);
          kubeadm(tree, ['init', 'phase', 'kubeconfig', 'all', '--config', config]);
        }
        if (t.externalCa === true) unlinkSync(join(tree, 'pki/ca.key'));
        compareChecks(tree, config);
      } finally {
        work.remove();
      }
    });
  }
});

describe('kpki renew all on a tree the real kubeadm made, then a control plane on it', () => {
  const why = missingPeers();
  const work = tempDir('kubeadm-tree');
  const tree = join(work.dir, 'tree');
  let plane: ControlPlane | undefined;
  let config = '';
  let opts: ConfigOptions = {};

  before(async () => {
    if (why !== undefined) return;
    const ports = await freePorts();
    // kubeadm never advertises a loopback address: its tree names RENDER_ADDRESS (never
    // contacted; the plane is reached on 127.0.0.1, which the API server certificate gets as a SAN).
    opts = { bindPort: ports.apiserver, advertiseAddress: RENDER_ADDRESS, certSANs: ['127.0.0.1'] };
    config = writeConfig(join(work.dir, 'kubeadm.yaml'), opts);
    kubeadm(tree, ['init', 'phase', 'certs', 'all', '--config', config]);
    kubeadm(tree, ['init', 'phase', 'kubeconfig', 'all', '--config', config]);
    kpki(['renew', 'all', '--dir', tree]);
    plane = new ControlPlane(tree, ports, true);
    await plane.start(renderManifests(opts));
  });

  after(async () => {
    await plane?.stop();
    work.remove();
  });

  it('starts, the renewed identities authenticate, and kubeadm still reads the tree', async () => {
    assert.equal(why, undefined, why);
    assert.ok(plane);
    bindClusterAdmins(plane);
    assertReadyz(plane);
    assertAdminIdentities(plane);
    await assertLeases(plane);
    compareChecks(tree, config);
  });
});
