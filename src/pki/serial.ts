/** Certificate serial numbers. */

/** A source of random bytes; injected so tests can fix serials. */
export type RandomBytes = (length: number) => Uint8Array;

/**
 * A uniformly random serial in [1, 2^63 − 1], as kubeadm draws it (crypto/rand in [0, MaxInt64−1)
 * plus one), returned as lower-case hex without leading zeros. Always positive and at most 8 bytes,
 * so Go ≥ 1.23 (which rejects negative serials) accepts it.
 */
export function randomSerial(random: RandomBytes): string {
  for (;;) {
    const bytes = random(8);
    bytes[0] = (bytes[0] ?? 0) & 0x7f;
    const value = BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
    // Rejects the two values outside [0, 2^63 − 2] so the result is uniform after the +1.
    if (value < 0x7fffffffffffffffn - 1n) return (value + 1n).toString(16);
  }
}
