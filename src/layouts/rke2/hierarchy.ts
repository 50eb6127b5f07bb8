/**
 * RKE2/K3s's five CAs under a custom root and intermediate, as the distributions'
 * `generate-custom-ca-certs.sh` makes them (reference/rke2-k3s.md §11.1): EC P-256 CAs for ~10
 * years, each `<type>-ca.crt` holding CA + intermediate + root and `<type>-ca.pem` the CA alone,
 * and a new service-account key in front of any existing one. Paths are those of a data dir, so
 * the output directory is a data dir `kpki init` completes, and its `server/` is a staged
 * directory for `rotate-ca --path`. The root and intermediate stay beside `server/`, not in
 * `server/tls` as the script leaves them, so nothing that reaches a server holds their keys.
 */
import type { HierarchyCa, HierarchySpec } from '../hierarchy.js';
import { rke2CaLocation, type Rke2CaRole } from './ca-entries.js';
import { SERVER_TLS, SERVICE_KEY_PATH } from './catalogue-entries.js';
import type { Rke2Program } from './spec.js';

/** The catalogue's CAs in the script's order (client, server, request-header, etcd peer, etcd server). */
const SCRIPT_ORDER: readonly Rke2CaRole[] = [
  'client',
  'server',
  'request-header',
  'etcd-peer',
  'etcd-server',
];

/** The hierarchy for `program`; `stamp` is the Unix time in every CN, as the script's TIMESTAMP. */
export function rke2Hierarchy(program: Rke2Program, stamp: number): HierarchySpec {
  const cas = SCRIPT_ORDER.map((role): HierarchyCa => {
    const ca = rke2CaLocation(role);
    // The script's CA type is the file stem below server/tls without "-ca": etcd/peer → etcd-peer.
    const type = ca.name.replace(/-ca$/, '').replace('/', '-');
    return {
      name: ca.name,
      cn: `${program}-${type}-ca@${stamp}`,
      keyAlgorithm: 'ECDSA-P256',
      certPath: ca.certPath,
      keyPath: ca.keyPath,
      plainPath: `${SERVER_TLS}/${ca.name}.pem`,
      withChain: true,
    };
  });
  return {
    rootCn: `${program}-root-ca@${stamp}`,
    intermediateCn: `${program}-intermediate-ca@${stamp}`,
    cas,
    rootDays: 7300,
    intermediateDays: 3700,
    caDays: 3700,
    serviceKeyPath: SERVICE_KEY_PATH,
  };
}
