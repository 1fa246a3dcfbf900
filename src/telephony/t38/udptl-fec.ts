/**
 * UDPTL forward error correction (T.38 Annex C), the arithmetic both ends share. A packet with
 * sequence number s carries `entries` parity blocks; block m (0 ≤ m < entries) is the XOR of
 * the `span` earlier IFPs s + m − j·entries, j = 1…span, each padded with zeros to the longest
 * of them. So the last span·entries packets fall into `entries` interleaved groups, and one
 * lost packet per group can be rebuilt from its block and the group's other packets (the same
 * layout as Asterisk's `udptl_build_packet`).
 */

/** How far back (1 = the previous packet) each IFP in parity block m lies. */
export function fecDistances(span: number, entries: number, m: number): number[] {
  const distances: number[] = []
  for (let j = 1; j <= span; j++) {
    distances.push(j * entries - m)
  }
  return distances
}

/** XOR of the blocks, each zero-padded to the longest. */
export function xorPadded(blocks: readonly Uint8Array[]): Uint8Array {
  const result = new Uint8Array(Math.max(0, ...blocks.map((b) => b.length)))
  for (const block of blocks) {
    for (let i = 0; i < block.length; i++) {
      result[i] = (result[i] ?? 0) ^ (block[i] ?? 0)
    }
  }
  return result
}
