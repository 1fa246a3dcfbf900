/** Octet arrays: what several layers need and the platform does not give (Buffer is Node's). */

/** The parts one after the other, in one new array. */
export function concatOctets(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}
