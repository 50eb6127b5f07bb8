/**
 * A real control plane — etcd, kube-apiserver, kube-controller-manager, kube-scheduler, with the
 * command lines the real kubeadm renders — on trees kpki made: an RSA tree from `kpki init`, and an
 * ECDSA-P256 tree under a custom root (`kpki ca generate`, then `kpki init`). Then the real kubeadm
 * renews the RSA tree (`kubeadm certs renew all`), `kpki check` accepts the result, and the control
 * plane starts again on it.
 */
import assert from 'node:assert/strict';
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
  assertReadyz,
  bindClusterAdmins,
  proveControlPlane,
} from './support/prove.js';

interface Scenario {
  readonly config: ConfigOptions;
  /** Makes the tree in `dir` for `config` (a kubeadm config file). */
  readonly make: (dir: string, config: string) => void;
}

const SCENARIOS: Record<string, Scenario> = {
  'an RSA-2048 tree from kpki init': {
    config: {},
    make: (dir, config) =>
      void kpki(['init', '--layout', 'kubeadm', '--dir', dir, '--config', config]),
  },
  'an ECDSA-P256 tree under a custom root (kpki ca generate --layout kubeadm, then kpki init)': {
    config: { encryptionAlgorithm: 'ECDSA-P256' },
    make: (dir, config) => {
      kpki(['ca', 'generate', '--layout', 'kubeadm', '--out', dir, '--config', config]);
      kpki(['init', '--dir', dir, '--config', config]);
    },
  },
};

for (const [name, scenario] of Object.entries(SCENARIOS)) {
  describe(`control plane on ${name}`, () => {
    const why = missingPeers();
    const work = tempDir('cp');
    const tree = join(work.dir, 'tree');
    let plane: ControlPlane | undefined;
    let config = '';
    let opts: ConfigOptions = {};

    before(async () => {
      if (why !== undefined) return;
      const ports = await freePorts();
      opts = { ...scenario.config, bindPort: ports.apiserver };
      config = writeConfig(join(work.dir, 'kubeadm.yaml'), opts);
      scenario.make(tree, config);
      kpki(['check', '--dir', tree]);
      plane = new ControlPlane(tree, ports);
      await plane.start(renderManifests(opts));
    });

    after(async () => {
      await plane?.stop();
      work.remove();
    });

    it('starts and proves every identity, the leases, service-account tokens and etcd client auth', async () => {
      assert.equal(why, undefined, why);
      assert.ok(plane);
      await proveControlPlane(plane, { etcd: true });
    });

    if (name.startsWith('an RSA')) {
      it('still starts after the real kubeadm renewed every certificate (kubeadm certs renew all), and kpki check accepts it', async () => {
        assert.ok(plane);
        const ports = plane.ports;
        await plane.stop();
        plane = undefined;
        // kubeadm reads no loopback advertise address (it takes it as "find one on lo"); renewal
        // copies SANs from the certificates, so the address in its config changes nothing.
        const kubeadmView = writeConfig(join(work.dir, 'kubeadm-view.yaml'), {
          ...opts,
          advertiseAddress: RENDER_ADDRESS,
        });
        kubeadm(tree, ['certs', 'renew', 'all', '--config', kubeadmView]);
        const check = JSON.parse(kpki(['check', '--dir', tree, '-o', 'json']).stdout) as {
          problems?: unknown[];
        };
        assert.deepEqual(check.problems ?? [], []);
        plane = new ControlPlane(tree, ports);
        await plane.start(renderManifests(opts));
        bindClusterAdmins(plane);
        assertReadyz(plane);
        assertAdminIdentities(plane);
      });
    }
  });
}
