/**
 * A real control plane on a kubeadm tree: the real kubeadm renders the static-pod manifests for a
 * config, and each manifest's command line runs here as a process on 127.0.0.1, with
 * /etc/kubernetes mapped to the tree and kubeadm's fixed ports mapped to free loopback ports.
 * No kubelet and no container runtime: the processes are what the kubelet would start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'yaml';
import {
  kubeadm,
  kubectl,
  peer,
  tempDir,
  writeConfig,
  type ConfigOptions,
  type RunResult,
} from './env.js';

/** A free TCP port on 127.0.0.1 (closed again; the caller binds it soon after). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

export interface Ports {
  readonly apiserver: number;
  readonly etcdClient: number;
  readonly etcdPeer: number;
  readonly etcdMetrics: number;
  readonly controllerManager: number;
  readonly scheduler: number;
}

export async function freePorts(): Promise<Ports> {
  const seen = new Set<number>();
  const next = async (): Promise<number> => {
    for (;;) {
      const port = await freePort();
      if (!seen.has(port)) {
        seen.add(port);
        return port;
      }
    }
  };
  return {
    apiserver: await next(),
    etcdClient: await next(),
    etcdPeer: await next(),
    etcdMetrics: await next(),
    controllerManager: await next(),
    scheduler: await next(),
  };
}

/**
 * kubeadm's control-plane phase refuses a loopback advertise address ("unable to select an IP from
 * lo network interface"), so manifests are rendered for this documentation address (RFC 5737,
 * never contacted) and mapped back to 127.0.0.1.
 */
export const RENDER_ADDRESS = '192.0.2.1';

/**
 * The container command of each manifest kubeadm renders for the config of `opts` (name → argv),
 * with the advertise address mapped to 127.0.0.1.
 */
export function renderManifests(opts: ConfigOptions, local = true): Record<string, string[]> {
  const { dir, remove } = tempDir('manifests');
  try {
    const config = writeConfig(join(dir, 'render.yaml'), {
      ...opts,
      advertiseAddress: RENDER_ADDRESS,
    });
    kubeadm(dir, ['init', 'phase', 'control-plane', 'all', '--config', config]);
    if (local) kubeadm(dir, ['init', 'phase', 'etcd', 'local', '--config', config]);
    const out: Record<string, string[]> = {};
    for (const name of [
      'kube-apiserver',
      'kube-controller-manager',
      'kube-scheduler',
      ...(local ? ['etcd'] : []),
    ]) {
      const pod = parse(readFileSync(join(dir, 'manifests', `${name}.yaml`), 'utf8')) as {
        spec: { containers: { command: string[] }[] };
      };
      const command = pod.spec.containers[0]?.command;
      if (!command) throw new Error(`manifest ${name}.yaml has no container command`);
      out[name] = command.map((a) => a.replaceAll(RENDER_ADDRESS, '127.0.0.1'));
    }
    return out;
  } finally {
    remove();
  }
}

/** Flags of the etcd kubeadm renders that Debian's etcd (3.4) spells otherwise or lacks. */
function etcdFlag(flag: string): string | undefined {
  const [name, value] = flag.split(/=(.*)/s) as [string, string | undefined];
  // etcd 3.6 promoted these from --experimental-*; 3.4 knows only the old names.
  const renamed: Record<string, string> = {
    '--watch-progress-notify-interval': '--experimental-watch-progress-notify-interval',
    '--initial-corrupt-check': '--experimental-initial-corrupt-check',
  };
  if (name === '--feature-gates') {
    // etcd 3.6 feature gates; 3.4 has the one kubeadm sets as a flag.
    return value?.includes('InitialCorruptCheck=true')
      ? '--experimental-initial-corrupt-check=true'
      : undefined;
  }
  const renamedTo = renamed[name];
  return renamedTo !== undefined ? `${renamedTo}=${value ?? ''}` : flag;
}

/** Maps one manifest argument into the test world: paths into `tree`, fixed ports to `ports`. */
function mapArg(arg: string, tree: string, etcdData: string, ports: Ports): string {
  return arg
    .replaceAll('/etc/kubernetes', tree)
    .replaceAll('/var/lib/etcd', etcdData)
    .replace(/:2379\b/g, `:${ports.etcdClient}`)
    .replace(/:2380\b/g, `:${ports.etcdPeer}`)
    .replace(/:2381\b/g, `:${ports.etcdMetrics}`);
}

/** A started control plane; `stop()` kills every process it started. */
export class ControlPlane {
  readonly processes: {
    name: string;
    child: ChildProcess;
    log: string;
    binary: string;
    args: string[];
  }[] = [];
  readonly logs: string;
  readonly etcdData: string;
  private readonly removeTemp: () => void;

  /**
   * `overrideServer`: the tree's kubeconfigs name a server that is not 127.0.0.1 (a tree the real
   * kubeadm made: it never advertises a loopback address), so the controller-manager and the
   * scheduler get `--master` and kubectl `--server`, as a local load balancer would give them.
   */
  constructor(
    readonly tree: string,
    readonly ports: Ports,
    readonly overrideServer = false,
  ) {
    const t = tempDir('plane');
    this.logs = t.dir;
    this.etcdData = join(t.dir, 'etcd-data');
    this.removeTemp = t.remove;
  }

  /** Starts etcd (when rendered), then the API server, then the controller-manager and scheduler. */
  async start(manifests: Record<string, string[]>): Promise<void> {
    mkdirSync(this.etcdData, { recursive: true, mode: 0o700 });
    const argv = (name: string): string[] => {
      const command = manifests[name];
      if (!command) throw new Error(`no manifest for ${name}`);
      const [, ...args] = command;
      return args.map((a) => mapArg(a, this.tree, this.etcdData, this.ports));
    };
    if (manifests.etcd) {
      this.spawn(
        'etcd',
        '/usr/bin/etcd',
        argv('etcd')
          .map(etcdFlag)
          .filter((a): a is string => a !== undefined),
      );
      await this.waitEtcd();
    }
    // kubeadm lets the API server bind every address; here it listens on loopback only. The
    // endpoint reconciler refuses a loopback advertise address ("may not be in the loopback
    // range"); it only maintains the kubernetes Service's endpoints, which nothing here uses.
    this.spawn('kube-apiserver', peer('kube-apiserver'), [
      ...argv('kube-apiserver'),
      '--bind-address=127.0.0.1',
      '--endpoint-reconciler-type=none',
    ]);
    await this.waitReady('super-admin.conf', '/readyz', 120_000);
    const master = this.overrideServer ? [`--master=${this.server}`] : [];
    this.spawn('kube-controller-manager', peer('kube-controller-manager'), [
      ...argv('kube-controller-manager'),
      `--secure-port=${this.ports.controllerManager}`,
      ...master,
    ]);
    this.spawn('kube-scheduler', peer('kube-scheduler'), [
      ...argv('kube-scheduler'),
      `--secure-port=${this.ports.scheduler}`,
      ...master,
    ]);
  }

  /** The API server's URL on loopback. */
  get server(): string {
    return `https://127.0.0.1:${this.ports.apiserver}`;
  }

  /** `kubectl` with one of the tree's kubeconfigs (`admin.conf`…), on this plane's API server. */
  kubectl(kubeconfig: string, args: readonly string[]): RunResult {
    return kubectl(join(this.tree, kubeconfig), [
      ...(this.overrideServer ? [`--server=${this.server}`] : []),
      ...args,
    ]);
  }

  private spawn(name: string, binary: string, args: string[]): void {
    const log = join(this.logs, `${name}.log`);
    const fd = openSync(log, 'a');
    const child = spawn(binary, args, { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    child.on('error', () => undefined);
    this.processes.push({ name, child, log, binary, args });
    live.add(child);
    child.on('exit', () => live.delete(child));
  }

  /** The last lines of one component's log, for failure messages (no key material is logged). */
  tail(name: string, lines = 15): string {
    const entry = this.processes.find((p) => p.name === name);
    if (!entry) return '';
    const all = readFileSync(entry.log, 'utf8').split('\n');
    // klog's error and fatal lines first: the reason a component stopped is rarely the last line.
    const errors = all.filter((l) => /^[EF]\d{4} |\berror\b/i.test(l)).slice(-10);
    return [...errors, '…', ...all.slice(-lines)].join('\n');
  }

  private assertRunning(): void {
    for (const p of this.processes) {
      if (p.child.exitCode !== null || p.child.signalCode !== null) {
        throw new Error(
          `${p.name} exited (${p.child.exitCode ?? p.child.signalCode}):\n${this.tail(p.name)}`,
        );
      }
    }
  }

  /** GET https://127.0.0.1:<etcd client>/health with the healthcheck client certificate. */
  etcdHealth(withClientCert = true): Promise<{ status: number; body: string }> {
    const pki = join(this.tree, 'pki/etcd');
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: this.ports.etcdClient,
          path: '/health',
          method: 'GET',
          timeout: 5000,
          // Not verified here: OpenSSL (unlike Go) wants a self-signed anchor, and under a custom
          // root etcd/ca.crt is an intermediate. What this probes is etcd's check of the client.
          rejectUnauthorized: false,
          ...(withClientCert
            ? {
                cert: readFileSync(join(pki, 'healthcheck-client.crt')),
                key: readFileSync(join(pki, 'healthcheck-client.key')),
              }
            : {}),
        },
        (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.end();
    });
  }

  private async waitEtcd(): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      this.assertRunning();
      try {
        const { body } = await this.etcdHealth();
        if (body.includes('"health":"true"')) return;
      } catch {
        /* not up yet */
      }
      if (Date.now() > deadline)
        throw new Error(`etcd not healthy within 60 s:\n${this.tail('etcd')}`);
      await sleep(300);
    }
  }

  /** Polls `kubectl get --raw PATH` until it answers ok. */
  async waitReady(kubeconfig: string, path: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      this.assertRunning();
      try {
        if (this.kubectl(kubeconfig, ['get', '--raw', path]).stdout.trim() === 'ok') return;
      } catch (error) {
        last = String(error).slice(0, 400);
      }
      if (Date.now() > deadline)
        throw new Error(
          `${path} not ok within ${timeoutMs / 1000} s: ${last}\n${this.tail('kube-apiserver')}`,
        );
      await sleep(500);
    }
  }

  /** Waits until `check` returns true (the processes must keep running). */
  async waitFor(what: string, check: () => boolean, timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.assertRunning();
      try {
        if (check()) return;
      } catch {
        /* retry */
      }
      if (Date.now() > deadline) throw new Error(`${what} not seen within ${timeoutMs / 1000} s`);
      await sleep(1000);
    }
  }

  /**
   * Restarts one component as the kubelet restarts a container: SIGTERM (SIGKILL after 10 s),
   * then the same command line again. Resolves once the new process is spawned.
   */
  async restart(name: string): Promise<void> {
    await this.halt(name);
    this.resume(name);
  }

  private readonly halted = new Map<string, { binary: string; args: string[] }>();

  /** Stops one component (as the kubelet does when its manifest goes away) and waits. */
  async halt(name: string): Promise<void> {
    const index = this.processes.findIndex((p) => p.name === name);
    const entry = this.processes[index];
    if (!entry) throw new Error(`no process ${name}`);
    await kill(entry.child);
    this.processes.splice(index, 1);
    this.halted.set(name, { binary: entry.binary, args: entry.args });
  }

  /** Starts a halted component again with its command line; false when it was not halted. */
  resume(name: string): boolean {
    const entry = this.halted.get(name);
    if (!entry) return false;
    this.halted.delete(name);
    this.spawn(name, entry.binary, entry.args);
    return true;
  }

  /** True when `name` was halted and not resumed. */
  isHalted(name: string): boolean {
    return this.halted.has(name);
  }

  /** The pid of one component's current process. */
  pid(name: string): number | undefined {
    return this.processes.find((p) => p.name === name)?.child.pid;
  }

  /** Kills every process this plane started (SIGTERM, then SIGKILL after 10 s) and waits. */
  async stop(): Promise<void> {
    await Promise.all(this.processes.reverse().map(({ child }) => kill(child)));
    this.removeTemp();
  }
}

const live = new Set<ChildProcess>();
// Whatever happens to the test process, nothing it started outlives it.
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
