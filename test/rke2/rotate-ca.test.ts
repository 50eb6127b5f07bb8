/**
 * RKE2/K3s CA rotation through the built CLI: `ca cross-sign` then `rotate-ca --path`, checked
 * with openssl and kpki verify against the bundles clients hold during the transition; the
 * server's integrity checks (unrelated CA, single-certificate bundle, key mismatch, dropped
 * service key, nothing staged, malformed files), each refused with every problem named and the
 * tree unchanged; --force; a staged subset; rollback.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashTree, kpki, openssl, tempDir } from '../support/tools.js';

const SPEC = ['--node-name', 'n1', '--node-ip', '10.0.0.9'];
const PEM_CERT = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----\n/g;
const PEM_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----[^-]+-----END [A-Z ]*PRIVATE KEY-----\n/g;

function must(args: readonly string[]): string {
  const result = kpki(args);
  assert.equal(result.status, 0, `${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/** An initialised server data dir with a token file. */
function server(prog = 'rke2'): string {
  const dir = tempDir();
  must(['init', '--layout', prog, '--dir', dir, ...SPEC]);
  writeFileSync(join(dir, 'server/token'), 'pw-one\n', { mode: 0o600 });
  return dir;
}

const certs = (path: string): string[] => readFileSync(path, 'utf8').match(PEM_CERT) ?? [];
const keys = (path: string): string[] => readFileSync(path, 'utf8').match(PEM_KEY) ?? [];
const spki = (pem: string): string =>
  createPublicKey(createPrivateKey(pem)).export({ type: 'spki', format: 'der' }).toString('hex');

/**
 * `cert` verifies against the trust file `ca` with openssl and kpki verify, given `untrusted`.
 * kpki builds paths with backtracking over the whole served chain (as Go does); openssl takes the
 * first issuer it finds, so it is given the served chain without any self-signed certificate the
 * trust file does not hold, or it may stop at the new root instead of taking the cross-signed one.
 */
function verified(ca: string, cert: string, untrusted = cert): void {
  const purpose =
    /client|admin|auth-proxy/.test(cert) && !/server-client/.test(cert) ? 'client' : 'server';
  const ours = kpki(['verify', cert, '--ca', ca, '--untrusted', untrusted, '--purpose', purpose]);
  assert.equal(ours.status, 0, `kpki verify ${cert} against ${ca}: ${ours.stdout}${ours.stderr}`);
  const trusted = new Set(certs(ca));
  const served = join(tempDir(), 'served.pem');
  writeFileSync(
    served,
    certs(untrusted)
      .filter((pem) => trusted.has(pem) || !/self-signed|selfsigned/.test(selfSigned(pem)))
      .join(''),
  );
  assert.match(
    openssl([
      'verify',
      '-x509_strict',
      '-purpose',
      purpose === 'server' ? 'sslserver' : 'sslclient',
      '-CAfile',
      ca,
      '-untrusted',
      served,
      cert,
    ]),
    /: OK/,
    `${cert} against ${ca}`,
  );
}

/** `self-signed` when subject and issuer are equal (these CAs never reuse a name across keys). */
function selfSigned(pem: string): string {
  const [subject, issuer] = openssl(
    ['x509', '-noout', '-subject', '-issuer', '-nameopt', 'RFC2253'],
    pem,
  )
    .split('\n')
    .map((line) => line.replace(/^\w+=/, ''));
  return subject === issuer ? 'self-signed' : 'issued';
}

function rotateCa(dir: string, stage: string, ...extra: string[]): ReturnType<typeof kpki> {
  return kpki(['rotate-ca', '--layout', 'rke2', '--dir', dir, '--path', stage, ...SPEC, ...extra]);
}

describe('ca cross-sign + rotate-ca (rke2)', () => {
  const dir = server();
  const old = join(tempDir(), 'old');
  cpSync(dir, old, { recursive: true });
  const stage = join(tempDir(), 'stage');
  const crossSign = kpki(['ca', 'cross-sign', '--layout', 'rke2', '--dir', dir, '--out', stage]);
  const rotated = rotateCa(dir, stage);
  const tls = join(dir, 'server/tls');
  const oldTls = join(old, 'server/tls');

  it('cross-sign stages each bundle as new CA, new root, cross-signed root, old root; key files hold the new CA key first', () => {
    assert.equal(crossSign.status, 0, crossSign.stderr);
    for (const ca of [
      'server-ca',
      'client-ca',
      'request-header-ca',
      'etcd/server-ca',
      'etcd/peer-ca',
    ]) {
      const bundle = certs(join(stage, 'tls', `${ca}.crt`));
      assert.equal(bundle.length, 4, ca);
      assert.equal(
        bundle[3],
        certs(join(oldTls, `${ca}.crt`))[0],
        `${ca}: the old root comes last`,
      );
      const subject = (pem: string): string =>
        openssl(['x509', '-noout', '-subject', '-issuer'], pem);
      assert.match(
        subject(bundle[1] as string),
        /subject=CN = rke2-.*-root@\d+\nissuer=CN = rke2-.*-root@\d+/,
      );
      assert.equal(
        subject(bundle[2] as string).split('\n')[0],
        subject(bundle[1] as string).split('\n')[0],
        "the cross-signed root has the new root's subject",
      );
      const stagedKeys = keys(join(stage, 'tls', `${ca}.key`));
      assert.equal(stagedKeys.length, 2);
      assert.equal(
        spki(stagedKeys[0] as string),
        createPublicKey(bundle[0] as string)
          .export({ type: 'spki', format: 'der' })
          .toString('hex'),
      );
    }
    const serviceKeys = keys(join(stage, 'tls/service.key'));
    assert.equal(serviceKeys.length, 2);
    assert.equal(
      spki(serviceKeys[1] as string),
      spki(keys(join(oldTls, 'service.key'))[0] as string),
      'the current service key is kept after the new one',
    );
  });

  it('cross-sign prints tokens whose CA hash is SHA-256 of the new self-signed root, as K3s hashes the bundle; the password only with --show-tokens', () => {
    const root = certs(join(stage, 'tls/server-ca.crt'))[1] as string;
    const hash = createHash('sha256')
      .update(Buffer.from(root.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64'))
      .digest('hex');
    assert.match(
      crossSign.stdout,
      new RegExp(`new server token: K10${hash}::server:<password of server/token>\\n`),
    );
    assert.doesNotMatch(crossSign.stdout + crossSign.stderr, /pw-one/);
    const shown = must([
      'ca',
      'cross-sign',
      '--layout',
      'rke2',
      '--dir',
      old,
      '--out',
      join(tempDir(), 'shown'),
      '--show-tokens',
    ]);
    assert.match(shown, /new server token: K10[0-9a-f]{64}::server:pw-one\n/);
    assert.match(shown, /new agent token: +K10[0-9a-f]{64}::node:pw-one\n/);
    assert.match(
      must(['token', '--layout', 'rke2', '--dir', dir]),
      new RegExp(`K10${hash}::server:pw-one`),
      'kpki token agrees after the rotation',
    );
  });

  it('rotate-ca installs the staged files byte for byte and re-issues every leaf on its existing key', () => {
    assert.equal(rotated.status, 0, rotated.stderr);
    for (const file of ['server-ca.crt', 'server-ca.key', 'etcd/peer-ca.crt', 'service.key'])
      assert.deepEqual(readFileSync(join(tls, file)), readFileSync(join(stage, 'tls', file)), file);
    for (const leaf of [
      'serving-kube-apiserver',
      'client-admin',
      'etcd/peer-server-client',
      'client-auth-proxy',
    ]) {
      assert.notEqual(
        certs(join(tls, `${leaf}.crt`))[0],
        certs(join(oldTls, `${leaf}.crt`))[0],
        `${leaf} re-issued`,
      );
      assert.deepEqual(
        readFileSync(join(tls, `${leaf}.key`)),
        readFileSync(join(oldTls, `${leaf}.key`)),
        `${leaf} keeps its key`,
      );
    }
    assert.equal(
      spki(readFileSync(join(tls, 'service.current.key'), 'utf8')),
      spki(keys(join(stage, 'tls/service.key'))[0] as string),
    );
    assert.equal(
      readFileSync(join(dir, 'agent/server-ca.crt'), 'utf8'),
      readFileSync(join(tls, 'server-ca.crt'), 'utf8'),
    );
    assert.match(
      readFileSync(join(dir, 'rke2.yaml'), 'utf8'),
      new RegExp(
        Buffer.from(readFileSync(join(tls, 'server-ca.crt')))
          .toString('base64')
          .slice(0, 40)
          .replace(/[+/]/g, '.'),
      ),
    );
    assert.match(rotated.stdout, /restart, in this order.*rke2-server/);
    assert.equal(kpki(['check', '--layout', 'rke2', '--dir', dir]).status, 0);
  });

  it('during the transition old and new leaves verify against the bundles clients hold (openssl and kpki verify)', () => {
    for (const [leaf, ca] of [
      ['serving-kube-apiserver', 'server-ca'],
      ['client-admin', 'client-ca'],
      ['etcd/peer-server-client', 'etcd/peer-ca'],
      ['agent/serving-kubelet', 'server-ca'],
    ] as const) {
      const base = leaf.startsWith('agent/') ? '' : 'server/tls/';
      const newLeaf = join(dir, `${base}${leaf}.crt`);
      const oldLeaf = join(old, `${base}${leaf}.crt`);
      verified(join(oldTls, `${ca}.crt`), newLeaf);
      verified(join(tls, `${ca}.crt`), oldLeaf);
      verified(join(tls, `${ca}.crt`), newLeaf);
    }
  });

  it('rollback restores the tree as it was before rotate-ca', () => {
    const copy = join(tempDir(), 'copy');
    cpSync(dir, copy, { recursive: true });
    must(['rollback', '--dir', copy]);
    for (const file of [
      'server/tls/server-ca.crt',
      'server/tls/serving-kube-apiserver.crt',
      'server/tls/service.key',
      'server/tls/service.current.key',
      'agent/server-ca.crt',
      'rke2.yaml',
    ]) {
      assert.deepEqual(readFileSync(join(copy, file)), readFileSync(join(old, file)), file);
    }
  });
});

describe('rotate-ca refuses bad staged material with every problem named, changing nothing', () => {
  const dir = server();
  const refused = (stage: string, status: number, pattern: RegExp, ...extra: string[]): string => {
    const before = hashTree(dir);
    const result = rotateCa(dir, stage, ...extra);
    assert.equal(result.status, status, `${result.stdout}${result.stderr}`);
    assert.match(result.stderr, pattern);
    assert.equal(hashTree(dir), before, 'the tree is unchanged');
    return result.stderr;
  };
  const crossSigned = (): string => {
    const stage = join(tempDir(), 'stage');
    must(['ca', 'cross-sign', '--layout', 'rke2', '--dir', dir, '--out', stage]);
    return stage;
  };

  it('a hierarchy unrelated to the current CAs: all five chain failures and the dropped service key, in one message', () => {
    const other = join(tempDir(), 'other');
    must(['ca', 'generate', '--layout', 'rke2', '--out', other]);
    const stderr = refused(join(other, 'server'), 3, /\[ROTATE_CA_INVALID\] .*failed 6 check\(s\)/);
    for (const field of ['ServerCA', 'ClientCA', 'RequestHeaderCA', 'ETCDServerCA', 'ETCDPeerCA'])
      assert.match(
        stderr,
        new RegExp(`  ${field}: the new CA does not chain to the current CA's root`),
      );
    assert.match(
      stderr,
      /ServiceKey: the current service-account signing key .* is not in the new key list/,
    );
    assert.match(stderr, /pass --force/);
  });

  it('--force installs the unrelated hierarchy, reporting the failed checks; new leaves verify to the new root', () => {
    const copy = join(tempDir(), 'forced');
    cpSync(dir, copy, { recursive: true });
    const other = join(tempDir(), 'other');
    must(['ca', 'generate', '--layout', 'rke2', '--out', other]);
    const result = kpki([
      'rotate-ca',
      '--layout',
      'rke2',
      '--dir',
      copy,
      '--path',
      join(other, 'server'),
      '--force',
      ...SPEC,
    ]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /--force: installing although ServerCA: the new CA does not chain/);
    verified(join(other, 'root-ca.pem'), join(copy, 'server/tls/serving-kube-apiserver.crt'));
    verified(join(other, 'root-ca.pem'), join(copy, 'agent/client-kubelet.crt'));
  });

  it('a single-certificate bundle', () => {
    const stage = crossSigned();
    const bundle = join(stage, 'tls/server-ca.crt');
    writeFileSync(bundle, certs(bundle)[0] as string);
    refused(stage, 3, /ServerCA: the new CA bundle holds a single certificate/);
  });

  it('a key that does not match its certificate, even with --force; a certificate staged without its key', () => {
    const stage = crossSigned();
    cpSync(join(stage, 'tls/client-ca.key'), join(stage, 'tls/server-ca.key'));
    const stderr = refused(
      stage,
      3,
      new RegExp(
        `ServerCAKey: the first key of "${stage}/tls/server-ca.key" does not match the first certificate of "${stage}/tls/server-ca.crt"`,
      ),
      '--force',
    );
    assert.match(stderr, /--force skips only the chain and service-key checks/);
    const partial = crossSigned();
    rmSync(join(partial, 'tls/etcd/peer-ca.key'));
    refused(
      partial,
      3,
      /ETCDPeerCAKey: the first key of "server\/tls\/etcd\/peer-ca.key" does not match/,
    );
  });

  it('the old service key dropped', () => {
    const stage = crossSigned();
    const path = join(stage, 'tls/service.key');
    writeFileSync(path, keys(path)[0] as string);
    refused(stage, 3, /ServiceKey: the current service-account signing key/);
  });

  it('nothing staged, a --path that is missing or a file, unreadable, truncated or encrypted staged files', () => {
    const empty = tempDir();
    refused(empty, 3, /\[NOTHING_TO_ROTATE\]/);
    refused(join(empty, 'absent'), 1, /\[UNREADABLE\] cannot read the staged directory/);
    writeFileSync(join(empty, 'file'), 'x');
    refused(
      join(empty, 'file'),
      1,
      /\[UNREADABLE\] the staged directory ".*file" is not a directory/,
    );
    const stage = crossSigned();
    const bundle = join(stage, 'tls/client-ca.crt');
    writeFileSync(bundle, readFileSync(bundle, 'utf8').slice(0, 300));
    refused(
      stage,
      3,
      new RegExp(`ClientCA: malformed PEM in "${stage}/tls/client-ca.crt"`),
      '--force',
    );
    const dirInPlace = crossSigned();
    rmSync(join(dirInPlace, 'tls/server-ca.crt'));
    mkdirSync(join(dirInPlace, 'tls/server-ca.crt'));
    refused(dirInPlace, 1, /\[UNREADABLE\] cannot read the staged file ".*tls\/server-ca.crt"/);
    const encrypted = crossSigned();
    const keyPath = join(encrypted, 'tls/server-ca.key');
    writeFileSync(keyPath, openssl(['pkey', '-aes256', '-passout', 'pass:x'], keys(keyPath)[0]));
    refused(
      encrypted,
      3,
      new RegExp(`ServerCAKey: the private key in "${encrypted}/tls/server-ca.key" is encrypted`),
      '--force',
    );
    const noPath = kpki(['rotate-ca', '--layout', 'rke2', '--dir', dir]);
    assert.equal(noPath.status, 2);
    assert.match(noPath.stderr, /needs --path/);
  });

  it('a staged subset: only service.key replaces the key and touches no certificate', () => {
    const copy = join(tempDir(), 'subset');
    cpSync(dir, copy, { recursive: true });
    const stage = tempDir();
    mkdirSync(join(stage, 'tls'));
    const full = crossSigned();
    cpSync(join(full, 'tls/service.key'), join(stage, 'tls/service.key'));
    writeFileSync(join(stage, 'tls/server-ca.crt'), '');
    const before = readFileSync(join(copy, 'server/tls/serving-kube-apiserver.crt'));
    const result = kpki(['rotate-ca', '--layout', 'rke2', '--dir', copy, '--path', stage, ...SPEC]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /renew +ServiceKey/);
    assert.doesNotMatch(result.stdout, /ServerCA|re-issued/);
    assert.deepEqual(readFileSync(join(copy, 'server/tls/serving-kube-apiserver.crt')), before);
    assert.deepEqual(
      readFileSync(join(copy, 'server/tls/service.key')),
      readFileSync(join(stage, 'tls/service.key')),
    );
  });
});

describe('rotate-ca: the server, the user kubeconfig, the datastore record', () => {
  it('refuses an agent-only dir: it would plant every CA key there', () => {
    const srv = server();
    const agent = tempDir();
    must([
      'init',
      '--layout',
      'rke2',
      '--agent',
      '--dir',
      agent,
      '--server-data-dir',
      srv,
      ...SPEC,
    ]);
    const stage = join(tempDir(), 'stage');
    must(['ca', 'cross-sign', '--layout', 'rke2', '--dir', srv, '--out', stage]);
    const before = hashTree(agent);
    const result = rotateCa(agent, stage);
    assert.equal(result.status, 3, result.stderr);
    assert.match(result.stderr, /\[NOT_A_SERVER\]/);
    assert.equal(hashTree(agent), before);
  });

  it('a new server CA alone rewrites the CA data of rke2.yaml, so the user kubeconfig trusts the new API server certificate', () => {
    const dir = server();
    const other = join(tempDir(), 'other');
    must(['ca', 'generate', '--layout', 'rke2', '--out', other]);
    const stage = tempDir();
    mkdirSync(join(stage, 'tls'));
    for (const file of ['server-ca.crt', 'server-ca.key'])
      cpSync(join(other, 'server/tls', file), join(stage, 'tls', file));
    const result = rotateCa(dir, stage, '--force');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /ClientCA not staged/);
    const caData =
      /certificate-authority-data: (\S+)/.exec(readFileSync(join(dir, 'rke2.yaml'), 'utf8'))?.[1] ??
      '';
    const trust = join(tempDir(), 'kubeconfig-ca.pem');
    writeFileSync(trust, Buffer.from(caData, 'base64'));
    assert.match(
      openssl([
        'verify',
        '-x509_strict',
        '-CAfile',
        trust,
        join(dir, 'server/tls/serving-kube-apiserver.crt'),
      ]),
      /: OK/,
    );
  });

  it('--datastore: dry run checks the record and writes nothing; a failure before the commit leaves the record alone; a retry installs', () => {
    const dir = server();
    const db = `file://${join(tempDir(), 'db')}`;
    must(['bootstrap', 'save', '--dir', dir, '--datastore', db]);
    const stage = join(tempDir(), 'stage');
    must(['ca', 'cross-sign', '--layout', 'rke2', '--dir', dir, '--out', stage]);
    const dry = rotateCa(dir, stage, '--datastore', db, '--dry-run');
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(
      dry.stdout,
      /renew +\/bootstrap\/[0-9a-f]{12} +datastore record: ETCDServerCA, .*ServiceKey, RequestHeaderCA, RequestHeaderCAKey, by compare-and-swap on revision 1/,
    );
    const wrongToken = rotateCa(
      dir,
      stage,
      '--datastore',
      db,
      '--token',
      'not-the-token',
      '--dry-run',
    );
    assert.equal(wrongToken.status, 1, wrongToken.stderr);
    assert.match(wrongToken.stderr, /DIFFERENT_TOKEN|NO_BOOTSTRAP_RECORD|WRONG_TOKEN/);
    const adminKey = join(dir, 'server/tls/client-admin.key');
    const key = readFileSync(adminKey);
    writeFileSync(adminKey, key.subarray(0, 100));
    const before = hashTree(dir);
    const broken = rotateCa(dir, stage, '--datastore', db);
    assert.equal(broken.status, 3, broken.stderr);
    assert.match(broken.stderr, /\[BAD_PEM\] .*client-admin.key/);
    assert.equal(hashTree(dir), before);
    writeFileSync(adminKey, key);
    const installed = rotateCa(dir, stage, '--datastore', db);
    assert.equal(installed.status, 0, installed.stderr);
    assert.match(
      installed.stdout,
      /updated "\/bootstrap\/[0-9a-f]{12}" in file:\/\/.* at revision 2;/,
    );
  });
});

describe('rotate-ca --datastore from a server that missed a rotation', () => {
  it('is refused with RECORD_DIFFERS and changes nothing, until bootstrap restore brings the server up to date', () => {
    const first = server();
    const second = join(tempDir(), 'second');
    cpSync(first, second, { recursive: true });
    const db = `file://${join(tempDir(), 'db')}`;
    must(['bootstrap', 'save', '--dir', first, '--datastore', db]);
    const stage = (dir: string): string => {
      const out = join(tempDir(), 'stage');
      must(['ca', 'cross-sign', '--layout', 'rke2', '--dir', dir, '--out', out]);
      return out;
    };
    const stageSecond = stage(second);
    must([
      'rotate-ca',
      '--layout',
      'rke2',
      '--dir',
      first,
      '--path',
      stage(first),
      '--datastore',
      db,
      ...SPEC,
    ]);
    const before = hashTree(second);
    const stale = rotateCa(second, stageSecond, '--datastore', db);
    assert.equal(stale.status, 1, stale.stderr);
    assert.match(stale.stderr, /\[RECORD_DIFFERS\] .*ServerCA.*than this server's disk/);
    assert.match(stale.stderr, /kpki bootstrap restore/);
    assert.equal(hashTree(second), before);
    must(['bootstrap', 'restore', '--layout', 'rke2', '--dir', second, '--datastore', db]);
    assert.deepEqual(
      readFileSync(join(second, 'server/tls/server-ca.crt')),
      readFileSync(join(first, 'server/tls/server-ca.crt')),
    );
  });
});

describe('ca cross-sign refuses what it cannot rotate', () => {
  it('a CA under a custom root (its root key is not in the data dir), a missing CA, a non-empty --out', () => {
    const custom = join(tempDir(), 'custom');
    must(['ca', 'generate', '--layout', 'k3s', '--out', custom]);
    must(['init', '--layout', 'k3s', '--dir', custom, ...SPEC]);
    const out = join(tempDir(), 'stage');
    const result = kpki(['ca', 'cross-sign', '--layout', 'k3s', '--dir', custom, '--out', out]);
    assert.equal(result.status, 3);
    assert.match(result.stderr, /\[NO_ROOT_KEY\] .*no self-signed root whose key is in/);
    assert.equal(existsSync(out), false, 'a failed cross-sign leaves no --out directory behind');
    const dir = server('k3s');
    rmSync(join(dir, 'server/tls/request-header-ca.key'));
    const missing = kpki(['ca', 'cross-sign', '--layout', 'k3s', '--dir', dir, '--out', out]);
    assert.equal(missing.status, 3);
    assert.match(missing.stderr, /\[CA_KEY_MISSING\] .*request-header-ca.key/);
    const full = server('k3s');
    must(['ca', 'cross-sign', '--layout', 'k3s', '--dir', full, '--out', out]);
    const before = hashTree(out);
    const again = kpki(['ca', 'cross-sign', '--layout', 'k3s', '--dir', full, '--out', out]);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /\[FILE_EXISTS\]/);
    assert.equal(hashTree(out), before);
  });
});
