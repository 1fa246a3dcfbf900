/**
 * Rows as lists of changing elements, the form both coders work on. T.4 §4.2.1.3.1: "Changing
 * element: An element whose 'colour' (i.e. black or white) is different from that of the
 * previous element along the same scan line." Position 0 changes when the row starts black
 * (the element before the first is an imaginary white one). A list holds the positions in
 * increasing order — even indexes turn black, odd ones turn white — followed by three copies
 * of the row width as sentinels, so b1, b2 and a2 can always be read past the last change.
 */

/** Entries a list needs for a row of this width: every pixel a change, plus the sentinels. */
export function changeListLength(width: number): number {
  return width + 3
}

/**
 * Writes the changing elements of the packed row starting at `offset` into `out` (length at
 * least changeListLength(width)) and returns how many there are. Whole octets of the current
 * colour (0x00 in a white run, 0xFF in a black one) are skipped without looking at their bits;
 * bits past `width` in the last octet are ignored.
 */
export function findChangingElements(
  data: Uint8Array,
  offset: number,
  width: number,
  out: Int32Array,
): number {
  const fullOctets = width >> 3
  const tailBits = width & 7
  let count = 0
  /** 0x00 while in white, 0xff while in black. */
  let colour = 0
  let i = offset
  const end = offset + fullOctets
  while (i < end) {
    const octet = data[i] ?? 0
    if (octet === colour) {
      i++
      continue
    }
    let diff = octet ^ colour
    const base = (i - offset) << 3
    while (diff !== 0) {
      const bit = Math.clz32(diff) - 24
      out[count++] = base + bit
      colour ^= 0xff
      diff = (octet ^ colour) & (0xff >> (bit + 1))
    }
    i++
  }
  if (tailBits !== 0) {
    const mask = (0xff00 >> tailBits) & 0xff
    const octet = (data[end] ?? 0) & mask
    let diff = (octet ^ colour) & mask
    const base = fullOctets << 3
    while (diff !== 0) {
      const bit = Math.clz32(diff) - 24
      out[count++] = base + bit
      colour ^= 0xff
      diff = (octet ^ colour) & mask & (0xff >> (bit + 1))
    }
  }
  out[count] = width
  out[count + 1] = width
  out[count + 2] = width
  return count
}

/** A change list of an all-white row: no changes, only the sentinels. */
export function whiteChangeList(width: number): Int32Array {
  const list = new Int32Array(changeListLength(width))
  list.fill(width, 0, 3)
  return list
}

/**
 * Paints the black spans of a change list (from each even entry to the next odd one, or to the
 * row end) into a zeroed packed row at `offset`.
 */
export function paintChangingElements(
  changes: Int32Array,
  count: number,
  width: number,
  data: Uint8Array,
  offset: number,
): void {
  for (let k = 0; k < count; k += 2) {
    const from = changes[k] ?? width
    const to = k + 1 < count ? (changes[k + 1] ?? width) : width
    paintSpan(data, offset, from, to)
  }
}

/** Sets bits from..to-1 of the row at `offset` to 1. */
function paintSpan(data: Uint8Array, offset: number, from: number, to: number): void {
  if (to <= from) {
    return
  }
  const first = offset + (from >> 3)
  const last = offset + (to >> 3)
  const headMask = 0xff >> (from & 7)
  const tailMask = (0xff00 >> (to & 7)) & 0xff
  if (first === last) {
    data[first] = (data[first] ?? 0) | (headMask & tailMask)
    return
  }
  data[first] = (data[first] ?? 0) | headMask
  for (let i = first + 1; i < last; i++) {
    data[i] = 0xff
  }
  if (tailMask !== 0) {
    data[last] = (data[last] ?? 0) | tailMask
  }
}
