/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection does it: the
 * holder renews `renewTime` every pass; another candidate takes the Lease over only after
 * `leaseDurationSeconds` without a renewal. Every write carries the resourceVersion it read, so
 * two candidates never both win one round.
 */
import { OperationError } from '../errors.js';
import type { KubeApi } from './api-client.js';

interface LeaseObject {
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly resourceVersion?: string;
  };
  readonly spec?: {
    readonly holderIdentity?: string;
    readonly leaseDurationSeconds?: number;
    readonly acquireTime?: string;
    readonly renewTime?: string;
    readonly leaseTransitions?: number;
  };
}

/** Which Lease, who we are, and how long a holder keeps it without renewing. */
export interface LeaseSettings {
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  readonly durationSeconds: number;
}

/** Kubernetes' MicroTime: RFC 3339 with microseconds. */
const microTime = (at: Date): string => at.toISOString().replace(/Z$/, '000Z');

/**
 * One round: true when `identity` holds the Lease after it (acquired, renewed or taken over).
 * @throws OperationError `API_ERROR` when the API server refuses other than by a conflict.
 */
export async function holdLease(api: KubeApi, lease: LeaseSettings, now: Date): Promise<boolean> {
  const path = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(lease.namespace)}/leases`;
  const spec = (held: LeaseObject | undefined): NonNullable<LeaseObject['spec']> => {
    const ours = held?.spec?.holderIdentity === lease.identity;
    return {
      holderIdentity: lease.identity,
      leaseDurationSeconds: lease.durationSeconds,
      acquireTime: ours ? (held?.spec?.acquireTime ?? microTime(now)) : microTime(now),
      renewTime: microTime(now),
      leaseTransitions: (held?.spec?.leaseTransitions ?? 0) + (held === undefined || ours ? 0 : 1),
    };
  };
  const got = await api.send('GET', `${path}/${encodeURIComponent(lease.name)}`);
  if (got.status === 404) {
    const created = await api.send('POST', path, {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: lease.name, namespace: lease.namespace },
      spec: spec(undefined),
    });
    if (created.status === 201) return true;
    if (created.status === 409) return false;
    throw failed('create', created.status);
  }
  if (got.status !== 200) throw failed('read', got.status);
  const held = got.body as LeaseObject;
  const holder = held.spec?.holderIdentity;
  const renewed = Date.parse(held.spec?.renewTime ?? '') || 0;
  const duration = (held.spec?.leaseDurationSeconds ?? lease.durationSeconds) * 1000;
  if (
    holder !== undefined &&
    holder !== '' &&
    holder !== lease.identity &&
    renewed + duration > now.getTime()
  )
    return false;
  const updated = await api.send('PUT', `${path}/${encodeURIComponent(lease.name)}`, {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: held.metadata,
    spec: spec(held),
  });
  if (updated.status === 200) return true;
  if (updated.status === 409) return false;
  throw failed('update', updated.status);
}

function failed(what: string, status: number): OperationError {
  return new OperationError('API_ERROR', `cannot ${what} the leader Lease (HTTP ${status})`);
}
