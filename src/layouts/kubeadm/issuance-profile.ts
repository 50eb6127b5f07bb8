/**
 * kubeadm's issuance (reference/kubeadm.md §3, kubeadm ≥ 1.31): every certificate of a run is
 * backdated five minutes from one start time and valid for its lifetime from that start; random
 * serials; leaves carry BasicConstraints CA:FALSE and their CA's subject key id.
 */
import type { IssuanceProfile } from '../issuance-profile.js';
import { KUBEADM_DEFAULTS } from './spec.js';

/** kubeadm's profile. */
export const KUBEADM_ISSUANCE: IssuanceProfile = Object.freeze({
  backdateMs: KUBEADM_DEFAULTS.backdateMs,
  caSerial: 'random',
  validityFrom: 'issuing-instant',
  leafNotBefore: 'backdated',
  leafWithinCa: {
    expiredHint:
      'rotate the CA first: kpki rotate-ca --phase trust, then --phase issue and --phase finish',
  },
  leafBasicConstraints: true,
  leafAuthorityKeyId: 'issuer-skid',
});
