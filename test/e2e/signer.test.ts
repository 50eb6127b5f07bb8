/**
 * `kpki signer` on the real kube-apiserver: CSRs for kpki's signer names are created and approved
 * with the real kubectl, and the signer answers them with the tree's CA under the signer's own
 * least-privilege identity (deploy/signer-rbac.yaml). Refused requests get a `Failed` condition
 * with the broken rule; pending, denied and other signers' CSRs are left alone; two signers
 * running at once sign each CSR exactly once; the signer's role cannot approve.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { kpki, missingPeers, ROOT, run, tempDir, writeConfig } from './support/env.js';
import { ControlPlane, freePorts, renderManifests } from './support/plane.js';

interface PassJson {
  signed: { csr: string; entry: string }[];
  refused: { csr: string; reason: string; message: string }[];
  lost: string[];
}

describe('kpki signer on the real API server', () => {
  const why = missingPeers();
  const work = tempDir('signer');
  const tree = join(work.dir, 'tree');
  const config = join(work.dir, 'kubeadm.yaml');
  const signerConf = join(work.dir, 'signer.conf');
  let plane: ControlPlane | undefined;
  let etcdSans = '';

  /** A PEM CSR made by the real openssl: `key` is `rsa:N` or `ec`. */
  const request = (name: string, subject: string, sans: string, key = 'ec', extra = ''): string => {
    const keyFile = join(work.dir, `${name}.key`);
    const args = [
      'req',
      '-new',
      '-nodes',
      '-keyout',
      keyFile,
      '-subj',
      subject,
      ...(key === 'ec'
        ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1']
        : ['-newkey', key]),
      ...(sans === '' ? [] : ['-addext', `subjectAltName=${sans}`]),
      ...(extra === '' ? [] : ['-addext', extra]),
    ];
    return run('openssl', args).stdout;
  };

  const csrDoc = (
    name: string,
    pem: string,
    signerName: string,
    usages: string[],
    expirationSeconds?: number,
  ): string =>
    JSON.stringify({
      apiVersion: 'certificates.k8s.io/v1',
      kind: 'CertificateSigningRequest',
      metadata: { name },
      spec: {
        request: Buffer.from(pem).toString('base64'),
        signerName,
        usages,
        ...(expirationSeconds !== undefined && { expirationSeconds }),
      },
    });

  const admin = (args: readonly string[]): string =>
    plane!.kubectl('super-admin.conf', args).stdout;
  const create = (docs: string[]): void => {
    const file = join(work.dir, `csrs-${Date.now()}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: docs.map((d): unknown => JSON.parse(d)),
      }),
    );
    admin(['create', '-f', file]);
  };
  interface CsrStatus {
    certificate?: string;
    conditions?: { type: string; reason?: string; message?: string }[];
  }
  const status = (name: string): CsrStatus =>
    JSON.parse(admin(['get', 'csr', name, '-o', 'jsonpath={.status}']) || '{}') as CsrStatus;
  const SIGNER_ONCE = (): string[] => [
    'signer',
    '--once',
    '--dir',
    tree,
    '--config',
    config,
    '--kubeconfig',
    signerConf,
    '-o',
    'json',
  ];
  const signer = (): PassJson => JSON.parse(kpki(SIGNER_ONCE()).stdout) as PassJson;
  /** `kpki ARGS` in the background: resolves with its exit code and output. */
  const kpkiAsync = (args: string[]): Promise<{ code: number; out: string; err: string }> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [join(ROOT, 'dist/kpki.cjs'), ...args]);
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('error', reject);
      child.on('exit', (code) => resolve({ code: code ?? -1, out, err }));
    });
  const ETCD_USAGES = ['digital signature', 'key encipherment', 'server auth', 'client auth'];

  before(async () => {
    if (why !== undefined) return;
    const ports = await freePorts();
    const opts = { bindPort: ports.apiserver };
    writeConfig(config, opts);
    kpki(['init', '--layout', 'kubeadm', '--dir', tree, '--config', config]);
    plane = new ControlPlane(tree, ports);
    await plane.start(renderManifests(opts));
    // The signer's own identity: a client certificate for the user the RBAC file binds.
    writeFileSync(
      signerConf,
      kpki([
        'kubeconfig',
        'user',
        '--dir',
        tree,
        '--config',
        config,
        '--client-name',
        'kpki-signer',
      ]).stdout,
      { mode: 0o600 },
    );
    admin(['apply', '-f', join(ROOT, 'deploy/signer-rbac.yaml')]);
    const served = new X509Certificate(readFileSync(join(tree, 'pki/etcd/server.crt')));
    etcdSans = (served.subjectAltName ?? '')
      .split(', ')
      .map((s) => s.replace(/^IP Address:/, 'IP:'))
      .join(',');
  });

  after(async () => {
    await plane?.stop();
    work.remove();
  });

  it('signs an approved etcd-server CSR with the etcd CA and refuses the ones the catalogue forbids', () => {
    assert.equal(why, undefined, why);
    const good = request('good', '/CN=cp1', etcdSans);
    create([
      csrDoc('good', good, 'kpki.io/etcd-ca', ETCD_USAGES, 3600),
      csrDoc(
        'foreign-san',
        request('foreign', '/CN=cp1', 'DNS:evil.example.com,IP:6.6.6.6'),
        'kpki.io/etcd-ca',
        ETCD_USAGES,
      ),
      csrDoc(
        'wants-ca',
        request('ca', '/CN=cp1', etcdSans, 'ec', 'basicConstraints=critical,CA:TRUE'),
        'kpki.io/etcd-ca',
        ETCD_USAGES,
      ),
      csrDoc(
        'weak-key',
        request('weak', '/CN=cp1', etcdSans, 'rsa:1024'),
        'kpki.io/etcd-ca',
        ETCD_USAGES,
      ),
      csrDoc(
        'wrong-ca',
        request('wrongca', '/CN=cp1', etcdSans),
        'kpki.io/front-proxy-ca',
        ETCD_USAGES,
      ),
      csrDoc('pending', request('pending', '/CN=cp1', etcdSans), 'kpki.io/etcd-ca', ETCD_USAGES),
      csrDoc('denied', request('denied', '/CN=cp1', etcdSans), 'kpki.io/etcd-ca', ETCD_USAGES),
      csrDoc('not-ours', request('other', '/CN=someone', ''), 'example.com/other', ['client auth']),
    ]);
    admin([
      'certificate',
      'approve',
      'good',
      'foreign-san',
      'wants-ca',
      'weak-key',
      'wrong-ca',
      'not-ours',
    ]);
    admin(['certificate', 'deny', 'denied']);

    const pass = signer();
    assert.deepEqual(pass.signed, [{ csr: 'good', entry: 'etcd-server' }]);
    const refused = Object.fromEntries(pass.refused.map((r) => [r.csr, r.message]));
    assert.deepEqual(Object.keys(refused).sort(), [
      'foreign-san',
      'wants-ca',
      'weak-key',
      'wrong-ca',
    ]);
    assert.match(refused['foreign-san']!, /DNS:evil\.example\.com, IP:6\.6\.6\.6/);
    assert.match(refused['wants-ca']!, /CA:TRUE/);
    assert.match(refused['weak-key']!, /RSA-1024/);
    assert.match(refused['wrong-ca']!, /no certificate under CA "front-proxy-ca"/);
    assert.deepEqual(pass.lost, []);

    // What the API server now holds: the certificate, chained to the etcd CA, as asked.
    const pem = Buffer.from(status('good').certificate ?? '', 'base64').toString('utf8');
    const issued = join(work.dir, 'good.crt');
    writeFileSync(issued, pem);
    run('openssl', ['verify', '-CAfile', join(tree, 'pki/etcd/ca.crt'), issued]);
    const cert = new X509Certificate(pem);
    assert.equal(cert.subject, 'CN=cp1');
    assert.equal(
      cert.subjectAltName,
      new X509Certificate(readFileSync(join(tree, 'pki/etcd/server.crt'))).subjectAltName,
    );
    const lifetime = (Date.parse(cert.validTo) - Date.now()) / 1000;
    assert.ok(
      lifetime > 3500 && lifetime <= 3600,
      `expirationSeconds 3600 honoured (${lifetime} s left)`,
    );
    const failed = status('weak-key').conditions?.find((c) => c.type === 'Failed');
    assert.equal(failed?.reason, 'KpkiPolicy');
    assert.equal(status('pending').certificate, undefined);
    assert.equal(status('pending').conditions, undefined);
    assert.equal(status('denied').certificate, undefined);
    assert.equal(
      status('not-ours').conditions?.some((c) => c.type === 'Failed'),
      false,
    );

    // Nothing left to do: a second pass answers nothing again.
    assert.deepEqual(signer(), { signed: [], refused: [], lost: [] });
  });

  it("the signer's role cannot approve", () => {
    assert.equal(why, undefined, why);
    const result = run(
      'kubectl',
      ['--kubeconfig', signerConf, '--request-timeout=20s', 'certificate', 'approve', 'pending'],
      {
        ok: [1],
      },
    );
    assert.match(result.stderr, /forbidden/i);
    assert.equal(status('pending').conditions, undefined);
  });

  it('two signers at once sign each of 20 CSRs exactly once', async () => {
    assert.equal(why, undefined, why);
    const names = Array.from({ length: 20 }, (_, i) => `bulk-${i}`);
    create(
      names.map((name) =>
        csrDoc(name, request(name, '/CN=cp1', etcdSans), 'kpki.io/etcd-ca', ETCD_USAGES),
      ),
    );
    admin(['certificate', 'approve', ...names]);
    const once = async (): Promise<PassJson> => {
      const { code, out, err } = await kpkiAsync(SIGNER_ONCE());
      if (code !== 0) throw new Error(`exit ${code}: ${err}`);
      return JSON.parse(out) as PassJson;
    };
    const [a, b] = await Promise.all([once(), once()]);
    const signedBy = [...a.signed, ...b.signed].map((s) => s.csr).sort();
    assert.deepEqual(signedBy, [...names].sort(), 'every CSR signed, none twice');
    for (const name of names) assert.ok(status(name).certificate, `${name} has a certificate`);
    console.log(
      `  two signers: ${a.signed.length} + ${b.signed.length} signed, ${a.lost.length + b.lost.length} lost to the other`,
    );
  });

  /** The names of kpki's pending CSRs, once `count` of them exist. */
  const pendingKpki = async (count: number): Promise<string[]> => {
    for (let i = 0; i < 60; i++) {
      const all = JSON.parse(admin(['get', 'csr', '-o', 'json'])) as {
        items: { metadata: { name: string }; status?: { conditions?: unknown[] } }[];
      };
      const names = all.items
        .filter(
          (c) => c.metadata.name.startsWith('kpki-') && (c.status?.conditions ?? []).length === 0,
        )
        .map((c) => c.metadata.name);
      if (names.length >= count) return names;
      await sleep(500);
    }
    throw new Error(`fewer than ${count} kpki CSRs appeared`);
  };
  const hashTree = (dir: string): string => {
    const hash = createHash('sha256');
    const walk = (d: string): void => {
      for (const name of readdirSync(d).sort()) {
        const path = join(d, name);
        if (name === '.kpki') continue;
        if (statSync(path).isDirectory()) walk(path);
        else hash.update(path).update(readFileSync(path));
      }
    };
    walk(dir);
    return hash.digest('hex');
  };
  const serialOf = (file: string): string =>
    new X509Certificate(readFileSync(join(tree, file))).serialNumber;
  const renewArgs = (names: string[], timeout: string): string[] => [
    'renew',
    ...names,
    '--use-api',
    '--dir',
    tree,
    '--config',
    config,
    '--kubeconfig',
    join(tree, 'super-admin.conf'),
    '--api-timeout',
    timeout,
  ];

  it('renew --use-api: kpki signer and kube-controller-manager sign, the files switch together', async () => {
    assert.equal(why, undefined, why);
    const before = {
      apiserver: serialOf('pki/apiserver.crt'),
      etcd: serialOf('pki/etcd/server.crt'),
    };
    const renewal = kpkiAsync(renewArgs(['apiserver', 'etcd-server', 'admin.conf'], '120s'));
    const names = await pendingKpki(3);
    assert.equal(names.length, 3, names.join(' '));
    admin(['certificate', 'approve', ...names]);
    // kpki.io/ca (apiserver) and kpki.io/etcd-ca (etcd-server) are kpki signer's; admin.conf's
    // kubernetes.io/kube-apiserver-client is kube-controller-manager's.
    const pass = signer();
    assert.deepEqual(pass.signed.map((s) => s.entry).sort(), ['apiserver', 'etcd-server']);
    const { code, err } = await renewal;
    assert.equal(code, 0, err);
    assert.match(err, /waits for approval/);
    assert.notEqual(serialOf('pki/apiserver.crt'), before.apiserver);
    assert.notEqual(serialOf('pki/etcd/server.crt'), before.etcd);
    run('openssl', [
      'verify',
      '-CAfile',
      join(tree, 'pki/ca.crt'),
      join(tree, 'pki/apiserver.crt'),
    ]);
    assert.deepEqual(
      (
        JSON.parse(kpki(['check', '--dir', tree, '--config', config, '-o', 'json']).stdout) as {
          problems?: unknown[];
        }
      ).problems ?? [],
      [],
    );
    // The admin certificate kube-controller-manager signed authenticates.
    const who = JSON.parse(
      plane!.kubectl('admin.conf', ['auth', 'whoami', '-o', 'json']).stdout,
    ) as {
      status: { userInfo: { username: string; groups: string[] } };
    };
    assert.equal(who.status.userInfo.username, 'kubernetes-admin');
    assert.ok(who.status.userInfo.groups.includes('kubeadm:cluster-admins'));
  });

  it('renew --use-api: a denied CSR or no answer in time ends with the reason and changes nothing', async () => {
    assert.equal(why, undefined, why);
    const before = hashTree(tree);
    const denied = kpkiAsync(renewArgs(['front-proxy-client', 'scheduler.conf'], '60s'));
    const names = await pendingKpki(2);
    admin(['certificate', 'deny', names[0]!]);
    const result = await denied;
    assert.equal(result.code, 3, result.err);
    assert.match(result.err, /CSR_NOT_ISSUED/);
    assert.match(result.err, /denied/);
    assert.equal(hashTree(tree), before);
    const late = await kpkiAsync(renewArgs(['scheduler.conf'], '2s'));
    assert.equal(late.code, 3, late.err);
    assert.match(late.err, /no answer within 2 s/);
    assert.equal(hashTree(tree), before);
  });

  /** A kubeconfig for `user` in `groups`, signed by the cluster CA. */
  const userConf = (user: string, groups: string[]): string => {
    const file = join(work.dir, `${user.replace(/[^a-z0-9-]/gi, '-')}.conf`);
    const orgs = groups.flatMap((g) => ['--org', g]);
    writeFileSync(
      file,
      kpki([
        'kubeconfig',
        'user',
        '--dir',
        tree,
        '--config',
        config,
        '--client-name',
        user,
        ...orgs,
      ]).stdout,
      { mode: 0o600 },
    );
    return file;
  };
  const createAs = (kubeconfigFile: string, doc: string): void => {
    const file = join(work.dir, `as-${Date.now()}-${Math.random().toString(16).slice(2)}.json`);
    writeFileSync(file, doc);
    run('kubectl', ['--kubeconfig', kubeconfigFile, '--request-timeout=20s', 'create', '-f', file]);
  };
  const SERVING = ['digital signature', 'key encipherment', 'server auth'];

  it("kpki approver: approves a node's own serving CSR and kpki renewals by policy, denies the rest", () => {
    assert.equal(why, undefined, why);
    for (const [name, ip] of [
      ['w1', '10.1.0.5'],
      ['w2', '10.1.0.6'],
    ] as const) {
      const node = join(work.dir, `node-${name}.json`);
      writeFileSync(
        node,
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Node',
          metadata: { name },
          status: {
            addresses: [
              { type: 'InternalIP', address: ip },
              { type: 'Hostname', address: name },
            ],
          },
        }),
      );
      admin(['create', '-f', node]);
    }
    const w1 = userConf('system:node:w1', ['system:nodes']);
    const w2 = userConf('system:node:w2', ['system:nodes']);
    const renewer = userConf('renewer', ['kpki:renewers']);
    const approverConf = userConf('kpki-approver', []);
    admin(['apply', '-f', join(ROOT, 'deploy/approver-rbac.yaml')]);
    admin(['apply', '-f', join(ROOT, 'deploy/renewer-rbac.yaml')]);
    const serving = (n: string, sans: string): string =>
      request(n, '/O=system:nodes/CN=system:node:w1', sans);
    createAs(
      w1,
      csrDoc(
        'serving-good',
        serving('sg', 'DNS:w1,IP:10.1.0.5'),
        'kubernetes.io/kubelet-serving',
        SERVING,
      ),
    );
    createAs(
      w1,
      csrDoc(
        'serving-foreign-ip',
        serving('sf', 'DNS:w1,IP:10.9.9.9'),
        'kubernetes.io/kubelet-serving',
        SERVING,
      ),
    );
    // The API server itself refuses a node's CSR for another node's name (NodeRestriction)...
    assert.throws(
      () =>
        createAs(
          w2,
          csrDoc(
            'serving-w2-for-w1',
            serving('sw', 'DNS:w1'),
            'kubernetes.io/kubelet-serving',
            SERVING,
          ),
        ),
      /can only create a node CSR with CN=system:node:w2/,
    );
    // ...and the approver refuses one for a node that the node did not request.
    const notNode = join(work.dir, 'not-node.json');
    writeFileSync(
      notNode,
      csrDoc(
        'serving-other-node',
        serving('so', 'DNS:w1,IP:10.1.0.5'),
        'kubernetes.io/kubelet-serving',
        SERVING,
      ),
    );
    admin(['create', '-f', notNode]);
    createAs(
      renewer,
      csrDoc('kpki-apiserver-0a1b2c', request('r1', '/CN=kube-apiserver', etcdSans), 'kpki.io/ca', [
        'server auth',
      ]),
    );
    const stranger = join(work.dir, 'stranger.json');
    writeFileSync(
      stranger,
      csrDoc('kpki-apiserver-ffffff', request('r2', '/CN=kube-apiserver', etcdSans), 'kpki.io/ca', [
        'server auth',
      ]),
    );
    admin(['create', '-f', stranger]);
    const policy = join(work.dir, 'policy.yaml');
    writeFileSync(
      policy,
      [
        'apiVersion: kpki.io/v1alpha1',
        'kind: ApproverPolicy',
        'kubeletServing:',
        '  enabled: true',
        'renewals:',
        '  groups: ["kpki:renewers"]',
        '',
      ].join('\n'),
    );
    const pass = JSON.parse(
      kpki(['approver', '--once', '--kubeconfig', approverConf, '--policy', policy, '-o', 'json'])
        .stdout,
    ) as { approved: string[]; denied: { csr: string; message: string }[]; lost: string[] };
    assert.deepEqual([...pass.approved].sort(), ['kpki-apiserver-0a1b2c', 'serving-good']);
    const denied = Object.fromEntries(pass.denied.map((d) => [d.csr, d.message]));
    // The earlier test's abandoned renewal CSRs are still pending; they are kpki renewals from a
    // requester outside kpki:renewers, so they are denied too.
    assert.deepEqual(
      Object.keys(denied)
        .filter((name) => !name.startsWith('kpki-scheduler.conf-'))
        .sort(),
      ['kpki-apiserver-ffffff', 'serving-foreign-ip', 'serving-other-node'],
    );
    assert.match(denied['serving-foreign-ip']!, /IP SANs not of node w1: 10\.9\.9\.9/);
    assert.match(
      denied['serving-other-node']!,
      /requested by kubernetes-super-admin, not by the node w1 itself/,
    );
    assert.match(denied['kpki-apiserver-ffffff']!, /none of the groups allowed to renew/);
    // The API server holds the decisions; the approver's identity cannot sign.
    assert.ok(status('serving-good').conditions?.some((c) => c.type === 'Approved'));
    assert.ok(status('serving-other-node').conditions?.some((c) => c.type === 'Denied'));
    const canSign = run(
      'kubectl',
      [
        '--kubeconfig',
        approverConf,
        'auth',
        'can-i',
        'update',
        'certificatesigningrequests',
        '--subresource=status',
      ],
      { ok: [0, 1] },
    );
    assert.equal(canSign.stdout.trim(), 'no');
  });

  it('two running signers elect one leader on a Lease: 200 CSRs signed once each, and the other takes over', async () => {
    assert.equal(why, undefined, why);
    const start = (identity: string) => {
      // The replica's JSON log goes to a file, read when asked.
      const logFile = join(work.dir, `signer-${identity}.log`);
      const fd = openSync(logFile, 'w');
      const child = spawn(
        process.execPath,
        [
          join(ROOT, 'dist/kpki.cjs'),
          'signer',
          '--dir',
          tree,
          '--config',
          config,
          '--kubeconfig',
          signerConf,
          '--interval',
          '300ms',
          '--lease-duration',
          '3s',
          '--identity',
          identity,
        ],
        { stdio: ['ignore', 'ignore', fd] },
      );
      closeSync(fd);
      const events = (): { event: string; csr?: string }[] =>
        readFileSync(logFile, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as { event: string; csr?: string });
      return { child, events };
    };
    const issuedAll = async (names: string[], timeoutMs: number): Promise<void> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const all = JSON.parse(admin(['get', 'csr', '-o', 'json'])) as {
          items: { metadata: { name: string }; status?: { certificate?: string } }[];
        };
        const done = new Set(
          all.items.filter((c) => c.status?.certificate).map((c) => c.metadata.name),
        );
        if (names.every((n) => done.has(n))) return;
        if (Date.now() > deadline)
          throw new Error(`${names.filter((n) => !done.has(n)).length} CSRs not signed`);
        await sleep(250);
      }
    };
    const a = start('replica-a');
    const b = start('replica-b');
    try {
      const names = Array.from({ length: 200 }, (_, i) => `lease-${i}`);
      create(
        names.map((name) =>
          csrDoc(name, request(name, '/CN=cp1', etcdSans), 'kpki.io/etcd-ca', ETCD_USAGES),
        ),
      );
      const approvedAt = Date.now();
      for (let i = 0; i < names.length; i += 50)
        admin(['certificate', 'approve', ...names.slice(i, i + 50)]);
      await issuedAll(names, 120_000);
      const seconds = (Date.now() - approvedAt) / 1000;
      const signedBy = (r: typeof a): string[] =>
        r
          .events()
          .filter((e) => e.event === 'signed' && e.csr?.startsWith('lease-'))
          .map((e) => e.csr!);
      const [byA, byB] = [signedBy(a), signedBy(b)];
      assert.ok(
        byA.length === 0 || byB.length === 0,
        `one leader signed: a ${byA.length}, b ${byB.length}`,
      );
      assert.deepEqual(
        [...byA, ...byB].sort(),
        [...names].sort(),
        `each signed exactly once; a: ${a.events().length} events, b: ${b.events().length}; not signed: ${JSON.stringify([...a.events(), ...b.events()].filter((e) => e.event !== 'signed').slice(0, 8))}`,
      );
      assert.equal([...a.events(), ...b.events()].filter((e) => e.event === 'lost').length, 0);
      console.log(
        `  leader signed 200 approved CSRs in ${seconds.toFixed(1)} s (${(200 / seconds).toFixed(0)} CSRs/s end to end)`,
      );
      // The leader stops; the other replica takes the Lease over once it expires, and signs.
      const [leader, follower] = byA.length > 0 ? [a, b] : [b, a];
      leader.child.kill('SIGTERM');
      await new Promise((resolve) => leader.child.once('exit', resolve));
      const more = Array.from({ length: 5 }, (_, i) => `takeover-${i}`);
      create(
        more.map((name) =>
          csrDoc(name, request(name, '/CN=cp1', etcdSans), 'kpki.io/etcd-ca', ETCD_USAGES),
        ),
      );
      admin(['certificate', 'approve', ...more]);
      await issuedAll(more, 30_000);
      assert.ok(
        follower.events().some((e) => e.event === 'leading'),
        'the follower took the Lease',
      );
      assert.ok(
        leader.events().some((e) => e.event === 'stopped'),
        'SIGTERM stops the signer cleanly',
      );
    } finally {
      a.child.kill('SIGKILL');
      b.child.kill('SIGKILL');
    }
  });
});
