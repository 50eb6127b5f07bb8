/**
 * The five RKE2/K3s CAs (reference/rke2-k3s.md §2): their roles, names and files, from which the
 * catalogue, the custom hierarchy and the bootstrap record all take them.
 */
import type { KeyUsageName } from '../../pki/certificate.js';
import type { CaEntry, CaRole } from '../catalogue.js';
import { SERVER_TLS } from './catalogue-entries.js';
import { RKE2_DEFAULTS, type Rke2Program } from './spec.js';

/** The roles of RKE2/K3s's CAs. */
export type Rke2CaRole = Extract<
  CaRole,
  'server' | 'client' | 'request-header' | 'etcd-server' | 'etcd-peer'
>;

/** Where a CA lives: its name (the file stem below `server/tls`) and its files. */
export interface Rke2CaLocation {
  readonly role: Rke2CaRole;
  readonly name: string;
  readonly certPath: string;
  readonly keyPath: string;
}

const DAY_MS = 86_400_000;
const CA_USAGE: readonly KeyUsageName[] = ['digitalSignature', 'keyEncipherment', 'keyCertSign'];

/** Role, name and the CN prefix (`<prefix>-ca@<unix>`) of each CA, in the catalogue's order. */
const KINDS: readonly {
  role: Rke2CaRole;
  name: string;
  prefix: (prog: Rke2Program) => string;
}[] = [
  { role: 'server', name: 'server-ca', prefix: (prog) => `${prog}-server` },
  { role: 'client', name: 'client-ca', prefix: (prog) => `${prog}-client` },
  { role: 'request-header', name: 'request-header-ca', prefix: (prog) => `${prog}-request-header` },
  { role: 'etcd-server', name: 'etcd/server-ca', prefix: () => 'etcd-server' },
  { role: 'etcd-peer', name: 'etcd/peer-ca', prefix: () => 'etcd-peer' },
];

/** Every CA's location, in the catalogue's order (the same for rke2 and k3s). */
export function rke2CaLocations(): Rke2CaLocation[] {
  return KINDS.map(({ role, name }) => ({
    role,
    name,
    certPath: `${SERVER_TLS}/${name}.crt`,
    keyPath: `${SERVER_TLS}/${name}.key`,
  }));
}

/** The location of the CA with `role`. */
export function rke2CaLocation(role: Rke2CaRole): Rke2CaLocation {
  return rke2CaLocations().find((ca) => ca.role === role) as Rke2CaLocation;
}

/** The CA entries of `prog`, their CNs stamped with `unix` (seconds), as K3s names them. */
export function rke2CaEntries(prog: Rke2Program, unix: number): CaEntry[] {
  return KINDS.map(({ prefix }, index): CaEntry => {
    const location = rke2CaLocations()[index] as Rke2CaLocation;
    return {
      ...location,
      longName: `${prefix(prog)} certificate authority`,
      subject: { cn: `${prefix(prog)}-ca@${unix}` },
      altNames: { dns: [], ip: [] },
      keyUsage: CA_USAGE,
      validityMs: RKE2_DEFAULTS.caValidityDays * DAY_MS,
      keyAlgorithm: 'ECDSA-P256',
    };
  });
}
