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
 * least changeListLength(width)) and returns how many there are. Bits past `width` in the last
 * octet are ignored.
 */
export function findChangingElements(
  data: Uint8Array,
  offset: number,
  width: number,
  out: Int32Array,
): number {
  const rowBytes = (width + 7) >> 3
  if (offset + rowBytes > data.length) {
    // a row cut off by the end of the data: the octets missing are white
    const row = new Uint8Array(rowBytes)
    row.set(data.subarray(offset, offset + rowBytes))
    return findChanges(new DataView(row.buffer), 0, width, out)
  }
  return findChanges(
    new DataView(data.buffer, data.byteOffset, data.byteLength),
    offset,
    width,
    out,
  )
}

/**
 * findChangingElements on a view of the rows, which a coder keeps for the whole page; the row
 * must lie inside it. The row
 * is read 32 pixels at a time: a word all of the current colour (0 in a white run, all ones in
 * a black one) is passed over with one comparison, and in the others each change is found with
 * a count of leading zeros.
 */
export function findChanges(
  view: DataView,
  offset: number,
  width: number,
  out: Int32Array,
): number {
  const fullWords = width >>> 5
  let count = 0
  /** 0 while in white, −1 (all ones) while in black. */
  let colour = 0
  let at = offset
  for (let base = 0; base < fullWords << 5; base += 32) {
    const word = view.getUint32(at)
    at += 4
    let diff = word ^ colour
    while (diff !== 0) {
      const bit = Math.clz32(diff)
      out[count++] = base + bit
      colour = ~colour
      diff = (word ^ colour) & (0x7fffffff >>> bit)
    }
  }
  const tailBits = width & 31
  if (tailBits !== 0) {
    // the last 1 to 31 pixels: their octets (not past the row) in the top of a word
    let word = 0
    for (let i = 0; i < (tailBits + 7) >> 3; i++) {
      word |= view.getUint8(at + i) << (24 - 8 * i)
    }
    const inRow = ~(-1 >>> tailBits)
    const base = fullWords << 5
    let diff = (word ^ colour) & inRow
    while (diff !== 0) {
      const bit = Math.clz32(diff)
      out[count++] = base + bit
      colour = ~colour
      diff = (word ^ colour) & inRow & (0x7fffffff >>> bit)
    }
  }
  out[count] = width
  out[count + 1] = width
  out[count + 2] = width
  return count
}

/**
 * Appends a change at x (at or after the last one) to a list being decoded, n changes long, and
 * returns the new length. One at the same place as the last cancels it (a run of length zero
 * between them), which keeps the parity of the length equal to the colour.
 */
export function appendChange(out: Int32Array, n: number, x: number): number {
  if (n > 0 && out[n - 1] === x) {
    return n - 1
  }
  out[n] = x
  return n + 1
}

/** True when the first `count` changes of both lists are the same. */
export function sameChanges(a: Int32Array, b: Int32Array, count: number): boolean {
  for (let k = 0; k < count; k++) {
    if (a[k] !== b[k]) {
      return false
    }
  }
  return true
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
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  paintChanges(changes, count, width, view, offset)
}

/**
 * paintChangingElements on a view of the rows, which a decoder keeps for the whole page (a
 * DataView per row would cost more than painting a sparse one).
 */
export function paintChanges(
  changes: Int32Array,
  count: number,
  width: number,
  view: DataView,
  offset: number,
): void {
  const lastWord = view.byteLength - 4
  for (let k = 0; k < count; k += 2) {
    const from = changes[k] ?? width
    const to = k + 1 < count ? (changes[k + 1] ?? width) : width
    const at = offset + (from >> 3)
    const length = to - from
    if (length <= SHORT_SPAN && at <= lastWord) {
      // Most spans in text are short: one 32-bit read-modify-write, with no branch on how many
      // octets the span covers. The octets it reaches past the span (perhaps the next row's)
      // get zero bits ORed in, which leaves them as they were.
      const shift = from & 7
      view.setUint32(at, view.getUint32(at) | ((-1 >>> shift) ^ (-1 >>> (shift + length))))
    } else {
      paintSpan(view, offset, from, to)
    }
  }
}

/** The longest span painted with one 32-bit word: up to 7 bits precede it in its first octet. */
const SHORT_SPAN = 24

/**
 * Sets bits from..to-1 of the row at `offset` to 1, the whole octets between them to 0xff.
 * Octets past the end of the view (a row cut off by the end of the data) are left alone.
 */
function paintSpan(view: DataView, offset: number, from: number, to: number): void {
  if (to <= from) {
    return
  }
  const first = offset + (from >> 3)
  const last = offset + (to >> 3)
  const headMask = 0xff >> (from & 7)
  const tailMask = (0xff00 >> (to & 7)) & 0xff
  if (first === last) {
    orOctet(view, first, headMask & tailMask)
    return
  }
  orOctet(view, first, headMask)
  const end = Math.min(last, view.byteLength)
  let i = first + 1
  for (; i + 4 <= end; i += 4) {
    view.setUint32(i, 0xffffffff)
  }
  for (; i < end; i++) {
    view.setUint8(i, 0xff)
  }
  if (tailMask !== 0) {
    orOctet(view, last, tailMask)
  }
}

function orOctet(view: DataView, at: number, bits: number): void {
  if (at < view.byteLength) {
    view.setUint8(at, view.getUint8(at) | bits)
  }
}
