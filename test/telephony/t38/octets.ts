/**
 * Hex in, hex out: the T.38 tests write packets as the brief and captures show them
 * (`c0 01 20`), with spaces anywhere.
 */

export function hex(text: string): Uint8Array {
  const digits = text.replace(/\s+/g, '')
  if (!/^([0-9a-f]{2})*$/i.test(digits)) {
    throw new Error(`not hex octets: ${text}`)
  }
  return Uint8Array.from(digits.match(/../g) ?? [], (pair) => parseInt(pair, 16))
}

export function toHex(octets: Uint8Array): string {
  return Array.from(octets, (o) => o.toString(16).padStart(2, '0')).join(' ')
}

/** `length` octets counting up from `first` (mod 256): recognisable test data. */
export function ramp(length: number, first = 0): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (first + i) & 0xff)
}
