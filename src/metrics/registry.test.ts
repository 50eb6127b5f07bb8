import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCertificateDer, type Certificate } from '../pki/certificate.js';
import type { CheckReport, CheckRow } from '../layouts/check-report.js';
import { realCertificates } from '../../test/support/real-certificates.js';
import { samplesOfReport } from './certificate-samples.js';
import { createKpkiMetrics } from './registry.js';

const certs: Certificate[] = realCertificates()
  .slice(0, 3)
  .map((found) => parseCertificateDer(found.der, found.source));

function row(path: string, cert: Certificate | undefined, extra: Partial<CheckRow> = {}): CheckRow {
  return {
    name: path,
    kind: 'leaf',
    path,
    caName: 'ca',
    missing: cert === undefined,
    optional: false,
    notAfter: cert?.notAfter,
    residualMs: undefined,
    externallyManaged: false,
    problems: [],
    certificate: cert,
    ...extra,
  };
}

function sampleLine(text: string, metric: string, filepath: string): string | undefined {
  return text
    .split('\n')
    .find((l) => l.startsWith(`${metric}{`) && l.includes(`filepath="${filepath}"`));
}

describe('metrics of a check report', () => {
  const [a, b, c] = certs as [Certificate, Certificate, Certificate];
  const at = new Date(a.notAfter.getTime() + 1000);
  const report: CheckReport = {
    at,
    authorities: [row('pki/ca.crt', c, { kind: 'ca', caName: undefined })],
    certificates: [
      row('pki/apiserver.crt', a),
      row('admin.conf', b, { kind: 'kubeconfig' }),
      row('pki/gone.crt', undefined),
      row('super-admin.conf', undefined, { optional: true, kind: 'kubeconfig' }),
    ],
  };

  it('gives each readable certificate the exporter labels and absolute-time gauges', async () => {
    const metrics = createKpkiMetrics();
    metrics.recordCheck('k', samplesOfReport(report, '/etc/kubernetes/'), at);
    const text = await metrics.registry.metrics();
    const line = sampleLine(text, 'x509_cert_not_after', '/etc/kubernetes/pki/apiserver.crt');
    assert.ok(line, text);
    assert.match(line, new RegExp(`subject_CN="${a.subject.cn ?? ''}"`));
    assert.match(line, new RegExp(`issuer_CN="${a.issuer.cn ?? ''}"`));
    assert.match(line, new RegExp(`serial_number="${BigInt(`0x${a.serialHex}`).toString(10)}"`));
    assert.match(line, /filename="apiserver.crt"/);
    assert.match(line, /embedded_key=""/);
    assert.ok(line.endsWith(` ${Math.floor(a.notAfter.getTime() / 1000)}`), line);
    const expired = sampleLine(text, 'x509_cert_expired', '/etc/kubernetes/pki/apiserver.crt');
    assert.ok(expired?.endsWith(' 1'), expired);
    const kube = sampleLine(text, 'x509_cert_not_after', '/etc/kubernetes/admin.conf');
    assert.match(kube ?? '', /embedded_kind="user",embedded_key="client-certificate-data"/);
    assert.equal(text.split('\n').filter((l) => l.startsWith('x509_cert_not_after{')).length, 3);
  });

  it('counts a missing required file as a read error and an optional absent one not', async () => {
    const samples = samplesOfReport(report);
    assert.equal(samples.readErrors, 1);
    assert.equal(samples.problems.missing, 1);
    const expired = [a, b, c].filter((cert) => cert.notAfter.getTime() < at.getTime() - 999);
    assert.equal(samples.problems.expired, expired.length);
    const metrics = createKpkiMetrics();
    metrics.recordCheck('k', samples, at);
    assert.match(await metrics.registry.metrics(), /^x509_read_errors 1$/m);
  });

  it('drops the series of a renewed certificate on the next check', async () => {
    const metrics = createKpkiMetrics();
    metrics.recordCheck('k', samplesOfReport(report), at);
    const renewed: CheckReport = { ...report, certificates: [row('pki/apiserver.crt', b)] };
    metrics.recordCheck('k', samplesOfReport(renewed), at);
    const text = await metrics.registry.metrics();
    const lines = text.split('\n').filter((l) => l.startsWith('x509_cert_not_after{'));
    assert.equal(lines.length, 2, text);
    assert.match(text, /^x509_read_errors 0$/m);
    assert.match(text, /kpki_last_successful_check_timestamp_seconds\{tree="k"\} \d+/);
  });

  it('counts renewals by tree and result', async () => {
    const metrics = createKpkiMetrics();
    metrics.recordRenewal('k', 'success');
    metrics.recordRenewal('k', 'success');
    metrics.recordRenewal('k', 'failure');
    const text = await metrics.registry.metrics();
    assert.match(text, /^kpki_renewals_total\{tree="k",result="success"\} 2$/m);
    assert.match(text, /^kpki_renewals_total\{tree="k",result="failure"\} 1$/m);
  });
});
