/**
 * RKE2 and K3s init end to end through the built CLI: every chain through real
 * `openssl verify -x509_strict` (the bundle in the leaf file as -untrusted), `openssl x509 -text`
 * against the catalogue, every kubeconfig through `kubectl config view`, modes, re-init, check.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { hashTree, kpki, openssl, run, tempDir } from '../support/tools.js';

const CAS: Record<string, [string, string]> = {
  'server-ca': ['server/tls/server-ca.crt', 'PROG-server-ca@'],
  'client-ca': ['server/tls/client-ca.crt', 'PROG-client-ca@'],
  'request-header-ca': ['server/tls/request-header-ca.crt', 'PROG-request-header-ca@'],
  'etcd/server-ca': ['server/tls/etcd/server-ca.crt', 'etcd-server-ca@'],
  'etcd/peer-ca': ['server/tls/etcd/peer-ca.crt', 'etcd-peer-ca@'],
};
const LOOP = 'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1';
const BASE =
  'DNS:api.example.com, DNS:localhost, DNS:cp1, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:10.0.0.5, IP Address:203.0.113.7, IP Address:10.43.0.1';
/** path → [CA, subject as openssl prints it, EKU text, SAN text or undefined] */
const LEAVES: Record<string, [string, string, string, string | undefined]> = {
  'server/tls/client-admin.crt': [
    'client-ca',
    'O = system:masters, CN = system:admin',
    'TLS Web Client Authentication',
    undefined,
  ],
  'server/tls/client-kube-apiserver.crt': [
    'client-ca',
    'O = system:masters, CN = system:apiserver',
    'TLS Web Client Authentication',
    undefined,
  ],
  'server/tls/serving-kube-apiserver.crt': [
    'server-ca',
    'CN = kube-apiserver',
    'TLS Web Server Authentication',
    `DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, DNS:kubernetes.default.svc.cluster.local, ${BASE.replace(/, IP Address.*/, '')}, ${BASE.slice(BASE.indexOf('IP Address'))}`,
  ],
  'server/tls/client-controller.crt': [
    'client-ca',
    'CN = system:kube-controller-manager',
    'TLS Web Client Authentication',
    undefined,
  ],
  'server/tls/kube-controller-manager/kube-controller-manager.crt': [
    'server-ca',
    'CN = kube-controller-manager',
    'TLS Web Server Authentication',
    LOOP,
  ],
  'server/tls/client-scheduler.crt': [
    'client-ca',
    'CN = system:kube-scheduler',
    'TLS Web Client Authentication',
    undefined,
  ],
  'server/tls/kube-scheduler/kube-scheduler.crt': [
    'server-ca',
    'CN = kube-scheduler',
    'TLS Web Server Authentication',
    LOOP,
  ],
  'server/tls/client-supervisor.crt': [
    'client-ca',
    'O = system:masters, CN = system:PROG-supervisor',
    'TLS Web Client Authentication',
    undefined,
  ],
  'server/tls/client-auth-proxy.crt': [
    'request-header-ca',
    'CN = system:auth-proxy',
    'TLS Web Client Authentication',
    undefined,
  ],
  'server/tls/client-PROG-cloud-controller.crt': [
    'client-ca',
    'CN = PROG-cloud-controller-manager',
    'TLS Web Client Authentication',
    undefined,
  ],
  'server/tls/etcd/client.crt': [
    'etcd/server-ca',
    'CN = etcd-client',
    'TLS Web Client Authentication',
    undefined,
  ],
  'server/tls/etcd/server-client.crt': [
    'etcd/server-ca',
    'CN = etcd-server',
    'TLS Web Server Authentication, TLS Web Client Authentication',
    `DNS:kine.sock, ${BASE}`,
  ],
  'server/tls/etcd/peer-server-client.crt': [
    'etcd/peer-ca',
    'CN = etcd-peer',
    'TLS Web Server Authentication, TLS Web Client Authentication',
    `DNS:kine.sock, ${BASE}`,
  ],
  'agent/client-kube-proxy.crt': [
    'client-ca',
    'CN = system:kube-proxy',
    'TLS Web Client Authentication',
    undefined,
  ],
  'agent/client-kubelet.crt': [
    'client-ca',
    'O = system:nodes, CN = system:node:cp1',
    'TLS Web Client Authentication',
    undefined,
  ],
  'agent/serving-kubelet.crt': [
    'server-ca',
    'CN = cp1',
    'TLS Web Server Authentication',
    'DNS:cp1, DNS:localhost, IP Address:127.0.0.1, IP Address:10.0.0.5, IP Address:203.0.113.7',
  ],
  'agent/client-PROG-controller.crt': [
    'client-ca',
    'CN = system:PROG-controller',
    'TLS Web Client Authentication',
    undefined,
  ],
};
const KUBECONFIGS = [
  'server/cred/admin.kubeconfig',
  'server/cred/supervisor.kubeconfig',
  'server/cred/controller.kubeconfig',
  'server/cred/scheduler.kubeconfig',
  'server/cred/api-server.kubeconfig',
  'server/cred/cloud-controller.kubeconfig',
  'agent/kubelet.kubeconfig',
  'agent/kubeproxy.kubeconfig',
  'agent/PROGcontroller.kubeconfig',
];
const FLAGS = [
  '--node-name',
  'cp1',
  '--node-ip',
  '10.0.0.5',
  '--node-external-ip',
  '203.0.113.7',
  '--tls-san',
  'api.example.com',
];

function blocks(path: string): number {
  return (readFileSync(path, 'utf8').match(/-----BEGIN CERTIFICATE-----/g) ?? []).length;
}

for (const prog of ['rke2', 'k3s']) {
  const p = (text: string): string => text.replace(/PROG/g, prog);
  describe(`kpki init --layout ${prog}: a complete server data dir`, () => {
    let dir: string;
    before(() => {
      dir = tempDir();
      const result = kpki(['init', '--layout', prog, '--dir', dir, ...FLAGS]);
      assert.equal(result.status, 0, result.stderr);
    });

    for (const [name, [path, cn]] of Object.entries(CAS)) {
      it(`${name}: self-signed, serial 0, CN ${p(cn)}<unix>, CA:TRUE, P-256, ten years, one certificate`, () => {
        const file = join(dir, path);
        const text = openssl(['x509', '-noout', '-text', '-in', file]);
        assert.match(text, /Serial Number: 0 \(0x0\)/);
        assert.match(text, new RegExp(`Subject: CN = ${p(cn)}\\d{10}\\n`));
        assert.match(
          text,
          /Key Usage: critical\n\s+Digital Signature, Key Encipherment, Certificate Sign\n/,
        );
        assert.match(text, /Basic Constraints: critical\n\s+CA:TRUE\n/);
        assert.match(text, /ASN1 OID: prime256v1/);
        const start = new Date(
          openssl(['x509', '-noout', '-startdate', '-in', file]).split('=')[1] ?? '',
        ).getTime();
        const end = new Date(
          openssl(['x509', '-noout', '-enddate', '-in', file]).split('=')[1] ?? '',
        ).getTime();
        assert.equal((end - start) / 86_400_000, 3650);
        assert.ok(Math.abs(Date.now() - 3_600_000 - start) < 120_000, 'NotBefore is one hour back');
        assert.equal(blocks(file), 1);
        assert.match(
          readFileSync(join(dir, path.replace(/\.crt$/, '.key')), 'utf8'),
          /^-----BEGIN EC PRIVATE KEY-----/,
        );
      });
    }

    for (const [rawPath, [ca, subject, eku, san]] of Object.entries(LEAVES)) {
      const path = p(rawPath);
      it(`${path}: openssl verify -x509_strict with its bundle, and the catalogue's fields`, () => {
        const cert = join(dir, path);
        const caFile = join(dir, CAS[ca]?.[0] ?? '');
        assert.match(
          openssl(['verify', '-x509_strict', '-CAfile', caFile, '-untrusted', cert, cert]),
          /: OK/,
        );
        assert.equal(blocks(cert), 2, 'the leaf followed by the CA file');
        assert.ok(readFileSync(cert, 'utf8').endsWith(readFileSync(caFile, 'utf8')));
        const text = openssl(['x509', '-noout', '-text', '-in', cert]);
        assert.match(text, new RegExp(`Subject: ${p(subject)}\\n`));
        assert.match(text, /Key Usage: critical\n\s+Digital Signature, Key Encipherment\n/);
        assert.match(text, new RegExp(`Extended Key Usage: \\n\\s+${eku}\\n`));
        assert.doesNotMatch(text, /Basic Constraints/, 'K3s leaves carry no basic constraints');
        assert.doesNotMatch(text, /Subject Key Identifier/);
        assert.match(text, /Authority Key Identifier/);
        if (san === undefined) assert.doesNotMatch(text, /Subject Alternative Name/);
        else
          assert.match(
            text,
            new RegExp(`Subject Alternative Name: \\n\\s+${san.replace(/\./g, '\\.')}\\n`),
          );
        assert.equal(statSync(cert).mode & 0o777, 0o644);
        const key = cert.replace(/\.crt$/, '.key');
        assert.equal(statSync(key).mode & 0o777, 0o600);
        assert.match(readFileSync(key, 'utf8'), /^-----BEGIN EC PRIVATE KEY-----/);
        const caStart = openssl(['x509', '-noout', '-startdate', '-in', caFile]);
        assert.equal(
          openssl(['x509', '-noout', '-startdate', '-in', cert]),
          caStart,
          "NotBefore = the CA's (clamped, CA made in the same run)",
        );
        const days =
          (new Date(
            openssl(['x509', '-noout', '-enddate', '-in', cert]).split('=')[1] ?? '',
          ).getTime() -
            new Date(caStart.split('=')[1] ?? '').getTime()) /
          86_400_000;
        assert.equal(days, 365);
      });
    }

    for (const rawPath of KUBECONFIGS) {
      const path = p(rawPath);
      it(`${path}: kubectl reads it; file references to the right files`, () => {
        const view = run('kubectl', [
          '--kubeconfig',
          join(dir, path),
          'config',
          'view',
          '-o',
          'json',
        ]);
        assert.equal(view.status, 0, view.stderr);
        const config = JSON.parse(view.stdout) as {
          clusters: { name: string; cluster: Record<string, string> }[];
          users: { name: string; user: Record<string, string> }[];
          'current-context': string;
        };
        assert.equal(config['current-context'], 'Default');
        assert.equal(config.clusters[0]?.name, 'local');
        assert.equal(
          config.clusters[0]?.cluster['certificate-authority'],
          join(dir, path.startsWith('agent/') ? 'agent/server-ca.crt' : 'server/tls/server-ca.crt'),
        );
        const certFile = config.users[0]?.user['client-certificate'] ?? '';
        assert.ok(certFile.startsWith(dir) && statSync(certFile).isFile(), certFile);
        assert.ok(statSync(config.users[0]?.user['client-key'] ?? '').isFile());
        assert.equal(statSync(join(dir, path)).mode & 0o777, 0o600);
        assert.match(
          openssl([
            'verify',
            '-x509_strict',
            '-CAfile',
            join(
              dir,
              path.startsWith('agent/') ? 'agent/client-ca.crt' : 'server/tls/client-ca.crt',
            ),
            '-untrusted',
            certFile,
            certFile,
          ]),
          /: OK/,
        );
      });
    }

    it(`${prog}.yaml: the user kubeconfig embeds the admin chain and the server CA; kubectl reads it`, () => {
      const file = join(dir, `${prog}.yaml`);
      const view = run('kubectl', ['--kubeconfig', file, 'config', 'view', '--raw', '-o', 'json']);
      assert.equal(view.status, 0, view.stderr);
      const config = JSON.parse(view.stdout) as {
        clusters: { cluster: Record<string, string> }[];
        users: { name: string; user: Record<string, string> }[];
        'current-context': string;
      };
      assert.equal(config['current-context'], 'default');
      assert.equal(config.users[0]?.name, 'default');
      assert.equal(config.clusters[0]?.cluster.server, 'https://127.0.0.1:6443');
      assert.equal(
        Buffer.from(
          config.clusters[0]?.cluster['certificate-authority-data'] ?? '',
          'base64',
        ).toString(),
        readFileSync(join(dir, 'server/tls/server-ca.crt'), 'utf8'),
      );
      assert.equal(
        Buffer.from(config.users[0]?.user['client-certificate-data'] ?? '', 'base64').toString(),
        readFileSync(join(dir, 'server/tls/client-admin.crt'), 'utf8'),
      );
    });

    it('service.key is one RSA 2048 PKCS#1 key, service.current.key the same key; nochain files hold the first CA certificate', () => {
      const key = readFileSync(join(dir, 'server/tls/service.key'), 'utf8');
      assert.match(key, /^-----BEGIN RSA PRIVATE KEY-----/);
      assert.match(
        openssl(['rsa', '-in', join(dir, 'server/tls/service.key'), '-noout', '-text']),
        /Private-Key: \(2048 bit/,
      );
      assert.equal(readFileSync(join(dir, 'server/tls/service.current.key'), 'utf8'), key);
      assert.equal(
        readFileSync(join(dir, 'server/tls/client-ca.nochain.crt'), 'utf8'),
        readFileSync(join(dir, 'server/tls/client-ca.crt'), 'utf8'),
      );
      assert.equal(statSync(join(dir, 'agent/server-ca.crt')).mode & 0o777, 0o600);
      for (const legacy of [
        'client-kube-proxy',
        'client-kubelet',
        'serving-kubelet',
        `client-${prog}-controller`,
      ]) {
        assert.match(
          readFileSync(join(dir, `server/tls/${legacy}.key`), 'utf8'),
          /^-----BEGIN EC PRIVATE KEY-----/,
        );
      }
    });

    it('a second init reuses everything and changes nothing', () => {
      const before = hashTree(dir);
      const again = kpki(['init', '--layout', prog, '--dir', dir, ...FLAGS]);
      assert.equal(again.status, 0, again.stderr);
      assert.match(again.stdout, /nothing to change/);
      assert.equal(hashTree(dir), before);
    });

    it("check (detected layout) lists two rows per file in a stable order, all OK, exit 0; JSON and YAML have §7's fields", () => {
      const table = kpki(['check', '--dir', dir, '-o', 'table']);
      assert.equal(table.status, 0, table.stderr);
      const rows = table.stdout.split('\n').slice(3).filter(Boolean);
      assert.equal(rows.length, 36, 'client-admin.crt, rke2.yaml and 16 more files, two rows each');
      assert.ok(rows.every((row) => row.endsWith('OK')));
      assert.equal(
        kpki(['check', '--dir', dir, '-o', 'table']).stdout,
        table.stdout,
        'stable order',
      );
      const json = JSON.parse(kpki(['check', '--dir', dir, '-o', 'json']).stdout) as {
        Certificates: Record<string, unknown>[];
      };
      assert.equal(json.Certificates.length, 36);
      for (const cert of json.Certificates) {
        assert.deepEqual(Object.keys(cert), [
          'Filename',
          'Subject',
          'Issuer',
          'Usages',
          'ExpiryTime',
          'ResidualTime',
          'Status',
        ]);
        assert.equal(typeof cert.ResidualTime, 'number');
      }
      const yaml = parse(kpki(['check', '--dir', dir, '-o', 'yaml']).stdout) as {
        certificates: Record<string, unknown>[];
      };
      assert.deepEqual(Object.keys(yaml.certificates[0] ?? {}), [
        'filename',
        'subject',
        'issuer',
        'usages',
        'expirytime',
        'residualtime',
        'status',
      ]);
      const etcd = kpki(['check', '--dir', dir, '-o', 'json', '--service', 'etcd']);
      assert.deepEqual(
        (JSON.parse(etcd.stdout) as { Certificates: { Filename: string }[] }).Certificates.map(
          (c) => c.Filename,
        ),
        [
          'client.crt',
          'client.crt',
          'server-client.crt',
          'server-client.crt',
          'peer-server-client.crt',
          'peer-server-client.crt',
        ],
      );
    });

    it('check --renewal-window 400d reports WARNING and exits 4', () => {
      const result = kpki(['check', '--dir', dir, '--renewal-window', '400d']);
      assert.equal(result.status, 4);
      assert.match(
        result.stdout,
        /^WARN\[0000\] client-admin\.crt: certificate system:admin \(ClientAuth\) will expire within 400 days at /m,
      );
    });
  });
}

describe('kpki init --layout rke2 --agent', () => {
  it("writes an agent-only dir signed by a server data dir's CAs", () => {
    const server = tempDir();
    assert.equal(
      kpki(['init', '--layout', 'rke2', '--dir', server, '--node-name', 'cp1']).status,
      0,
    );
    const agent = tempDir();
    const result = kpki([
      'init',
      '--layout',
      'rke2',
      '--agent',
      '--dir',
      agent,
      '--server-data-dir',
      server,
      '--node-name',
      'worker1',
      '--node-ip',
      '10.0.0.9',
    ]);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(run('ls', [join(agent, 'server')]).status === 0, false, 'no server dir');
    for (const file of [
      'client-kubelet',
      'serving-kubelet',
      'client-kube-proxy',
      'client-rke2-controller',
    ]) {
      assert.match(
        openssl([
          'verify',
          '-x509_strict',
          '-CAfile',
          join(agent, file === 'serving-kubelet' ? 'server-ca.crt' : 'client-ca.crt').replace(
            agent,
            join(agent, 'agent'),
          ),
          '-untrusted',
          join(agent, `agent/${file}.crt`),
          join(agent, `agent/${file}.crt`),
        ]),
        /: OK/,
      );
    }
    assert.match(
      openssl(['x509', '-noout', '-subject', '-in', join(agent, 'agent/client-kubelet.crt')]),
      /CN = system:node:worker1/,
    );
    const check = kpki(['check', '--dir', agent, '-o', 'table']);
    assert.match(check.stderr, /Agent detected, checking agent certificates/);
    assert.equal(check.stdout.split('\n').slice(3).filter(Boolean).length, 8);
    assert.equal(
      kpki(['init', '--layout', 'rke2', '--agent', '--dir', tempDir()]).status,
      2,
      '--agent without --server-data-dir is a usage error',
    );
    const keyBefore = readFileSync(join(agent, 'agent/serving-kubelet.key'), 'utf8');
    const renew = kpki([
      'renew',
      '--dir',
      agent,
      '--server-data-dir',
      server,
      '--expiring-within',
      '400d',
      '--node-name',
      'worker1',
      '--node-ip',
      '10.0.0.9',
    ]);
    assert.equal(renew.status, 0, renew.stderr);
    assert.match(renew.stdout, /renew +agent\/serving-kubelet/);
    assert.equal(
      readFileSync(join(agent, 'agent/serving-kubelet.key'), 'utf8'),
      keyBefore,
      'renew keeps the key',
    );
    assert.match(
      openssl([
        'verify',
        '-x509_strict',
        '-CAfile',
        join(agent, 'agent/server-ca.crt'),
        '-untrusted',
        join(agent, 'agent/serving-kubelet.crt'),
        join(agent, 'agent/serving-kubelet.crt'),
      ]),
      /: OK/,
    );
  });
});
