/** The certificates-API port of ops/ (ops/shared/certificates-api.ts) on a real API server. */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CertificatesApi, CsrResult, CsrSubmission } from '../ops/shared/certificates-api.js';
import type { KubeApi } from './api-client.js';
import { createCsr, csrState, getCsr } from './csr.js';

/** Polls every `pollMs` while waiting; a watch would save requests, polling survives restarts. */
export function certificatesApi(api: KubeApi, pollMs = 1000): CertificatesApi {
  return {
    async submit(csr: CsrSubmission): Promise<string> {
      const base = csr.entry.toLowerCase().replace(/[^a-z0-9.-]/g, '-');
      const name = `kpki-${base}-${randomBytes(3).toString('hex')}`;
      await createCsr(api, {
        metadata: { name },
        spec: {
          request: Buffer.from(csr.requestPem).toString('base64'),
          signerName: csr.signerName,
          usages: csr.usages,
          expirationSeconds: csr.expirationSeconds,
        },
      });
      return name;
    },
    async wait(name, deadline, progress, abandon): Promise<CsrResult> {
      let last = '';
      for (;;) {
        const csr = await getCsr(api, name);
        if (csr === undefined) return { kind: 'failed', reason: 'the CSR was deleted' };
        const state = csrState(csr);
        if (state !== last && last !== '') progress(`CSR ${name}: ${state}`);
        last = state;
        const condition = (type: string): string => {
          const c = csr.status?.conditions?.find((x) => x.type === type);
          return [c?.reason, c?.message].filter(Boolean).join(': ') || type;
        };
        if (state === 'issued')
          return {
            kind: 'issued',
            certificatePem: Buffer.from(csr.status?.certificate ?? '', 'base64').toString('utf8'),
          };
        if (state === 'denied') return { kind: 'denied', reason: condition('Denied') };
        if (state === 'failed') return { kind: 'failed', reason: condition('Failed') };
        if (Date.now() >= deadline.getTime()) return { kind: 'timeout' };
        if (abandon.aborted) return { kind: 'abandoned' };
        await sleep(pollMs, undefined, { signal: abandon }).catch(() => undefined);
      }
    },
  };
}
