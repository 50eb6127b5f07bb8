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
import { SERVER_TLS } from './catalogue.js';
import type { Rke2Program } from './spec.js';

/** The CA types of the script, in its order: file stem below `server/tls` and CN infix. */
const TYPES = ['client', 'server', 'request-header', 'etcd/peer', 'etcd/server'] as const;

/** The hierarchy for `program`; `stamp` is the Unix time in every CN, as the script's TIMESTAMP. */
export function rke2Hierarchy(program: Rke2Program, stamp: number): HierarchySpec {
  const cas = TYPES.map(
    (type): HierarchyCa => ({
      name: `${type}-ca`,
      cn: `${program}-${type.replace('/', '-')}-ca@${stamp}`,
      keyAlgorithm: 'ECDSA-P256',
      certPath: `${SERVER_TLS}/${type}-ca.crt`,
      keyPath: `${SERVER_TLS}/${type}-ca.key`,
      plainPath: `${SERVER_TLS}/${type}-ca.pem`,
      withChain: true,
    }),
  );
  return {
    rootCn: `${program}-root-ca@${stamp}`,
    intermediateCn: `${program}-intermediate-ca@${stamp}`,
    cas,
    rootDays: 7300,
    intermediateDays: 3700,
    caDays: 3700,
    serviceKeyPath: `${SERVER_TLS}/service.key`,
  };
}
