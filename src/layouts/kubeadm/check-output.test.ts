import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { CheckReport, CheckRow } from '../check-report.js';
import { formatKubeadmJson, formatKubeadmTable, formatKubeadmYaml } from './check-output.js';
import { testdata } from '../../../test/support/testdata.js';

const DAY = 86_400_000;
const REAL = testdata('real');

function row(
  name: string,
  caName: string | undefined,
  notAfter: string | undefined,
  residualMs: number | undefined,
  extra: Partial<CheckRow> = {},
): CheckRow {
  return {
    name,
    kind: caName === undefined ? 'ca' : 'leaf',
    path: name,
    caName,
    missing: notAfter === undefined,
    optional: false,
    notAfter: notAfter === undefined ? undefined : new Date(notAfter),
    residualMs,
    externallyManaged: false,
    problems: [],
    certificate: undefined,
    ...extra,
  };
}

/** Real kubeadm output, minus the shell prompt and banner lines. Markdown stripped its trailing blanks. */
function realTable(file: string): string[] {
  return readFileSync(`${REAL}/${file}`, 'utf8')
    .split('\n')
    .filter((line) => !/^(\[|root@|\[root)/.test(line) && !line.startsWith('[check-expiration]'))
    .slice(1);
}

const trimEnd = (text: string): string[] => text.split('\n').map((line) => line.trimEnd());

describe('formatKubeadmTable against real kubeadm output', () => {
  it('lays out !MISSING! rows, the CA column of .conf rows and the CA section like kubeadm (akash-network capture)', () => {
    const expired = -365 * DAY;
    const leaf = (name: string, ca: string, date: string, residual: number): CheckRow =>
      row(name, ca, date, residual);
    const report: CheckReport = {
      at: new Date('2023-02-21T00:00:00Z'),
      certificates: [
        leaf('admin.conf', 'ca', '2023-02-20T17:12:00Z', expired),
        leaf('apiserver', 'ca', '2023-03-03T16:42:00Z', 10 * DAY + 3600_000),
        row('apiserver-etcd-client', 'etcd-ca', undefined, undefined),
        leaf('apiserver-kubelet-client', 'ca', '2023-02-20T17:12:00Z', expired),
        leaf('controller-manager.conf', 'ca', '2023-02-20T17:12:00Z', expired),
        row('etcd-healthcheck-client', 'etcd-ca', undefined, undefined),
        row('etcd-peer', 'etcd-ca', undefined, undefined),
        row('etcd-server', 'etcd-ca', undefined, undefined),
        leaf('front-proxy-client', 'front-proxy-ca', '2023-02-20T17:12:00Z', expired),
        leaf('scheduler.conf', 'ca', '2023-02-20T17:12:00Z', expired),
      ],
      authorities: [
        row('ca', undefined, '2032-02-18T17:12:00Z', 8 * 365 * DAY + 3600_000),
        row('etcd-ca', undefined, undefined, undefined),
        row('front-proxy-ca', undefined, '2032-02-18T17:12:00Z', 8 * 365 * DAY + 3600_000),
      ],
    };
    // kpki prints how long ago a certificate expired where kubeadm prints <invalid>; the columns stay put.
    const expected = realTable(
      'text-kubeadm-akash-network-docs/kubeadm-certs-check-expiration-missing-and-invalid.txt',
    ).map((line) =>
      line.replace(/<invalid>( *)/, (_m, pad: string) => '-365d'.padEnd(9 + pad.length)).trimEnd(),
    );
    assert.deepEqual(trimEnd(formatKubeadmTable(report)), expected);
  });

  it("pads the last column to eight characters, as kubeadm's %-8v does", () => {
    const report: CheckReport = {
      at: new Date(),
      certificates: [row('apiserver', 'ca', '2024-07-03T21:07:00Z', 364 * DAY)],
      authorities: [],
    };
    assert.match(formatKubeadmTable(report), /ca {22}no {6}\n/);
  });
});

describe('kubeadm v1alpha3 structured output', () => {
  const report: CheckReport = {
    at: new Date('2026-01-01T00:00:00Z'),
    certificates: [
      row('admin.conf', 'ca', '2025-12-31T00:00:00Z', -DAY),
      row('etcd-peer', 'etcd-ca', undefined, undefined),
      row('apiserver', 'ca', '2026-06-01T00:00:00Z', 10 * DAY, {
        problems: ['key "pki/apiserver.key" does not match certificate "pki/apiserver.crt"'],
      }),
    ],
    authorities: [
      row('ca', undefined, '2035-01-01T00:00:00Z', 3000 * DAY, { externallyManaged: true }),
    ],
  };

  it('has kind, apiVersion and the Certificate fields with kubeadm types; residualTime negative when expired', () => {
    const json = JSON.parse(formatKubeadmJson(report)) as Record<string, unknown>;
    assert.equal(json.kind, 'CertificateExpirationInfo');
    assert.equal(json.apiVersion, 'output.kubeadm.k8s.io/v1alpha3');
    const [admin, peer, apiserver] = json.certificates as Record<string, unknown>[];
    assert.deepEqual(admin, {
      name: 'admin.conf',
      expirationDate: '2025-12-31T00:00:00Z',
      residualTime: -86400,
      externallyManaged: false,
      caName: 'ca',
      missing: false,
    });
    assert.deepEqual(peer, {
      name: 'etcd-peer',
      expirationDate: null,
      residualTime: 0,
      externallyManaged: false,
      missing: true,
    });
    assert.ok(Array.isArray(apiserver?.problems));
    const [ca] = json.certificateAuthorities as Record<string, unknown>[];
    assert.equal(ca?.externallyManaged, true);
    assert.equal('caName' in (ca ?? {}), false);
  });

  it('writes the same object as YAML with sorted keys', () => {
    const text = formatKubeadmYaml(report);
    assert.deepEqual(parse(text), JSON.parse(formatKubeadmJson(report)));
    assert.match(text, /^apiVersion: output.kubeadm.k8s.io\/v1alpha3\ncertificateAuthorities:\n/);
  });

  it('quotes timestamps as sigs.k8s.io/yaml does, so YAML 1.1 readers keep them strings', () => {
    const text = formatKubeadmYaml(report);
    assert.match(text, /^ {2}expirationDate: "2025-12-31T00:00:00Z"$/m);
    assert.match(text, /^- expirationDate: null$/m);
    // PyYAML (YAML 1.1) resolves an unquoted RFC 3339 value to a datetime.
    const py = spawnSync(
      'python3',
      [
        '-c',
        'import sys,yaml;d=yaml.safe_load(sys.stdin);print(type(d["certificates"][0]["expirationDate"]).__name__)',
      ],
      { input: text, encoding: 'utf8' },
    );
    if (py.status === 0) assert.equal(py.stdout.trim(), 'str');
  });
});
