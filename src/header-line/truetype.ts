/**
 * Just enough of a TrueType font (Apple's TrueType Reference Manual; ISO/IEC 14496-22, the
 * OpenType font format) to draw a line of text: the character-to-glyph map (`cmap` formats 4
 * and 12), each glyph's advance (`hhea`, `hmtx`) and its outline (`loca`, `glyf`, simple and
 * composite glyphs) as closed polygons in font units, y up. No hinting and no kerning: the
 * header line is set in a monospaced font at one size.
 *
 * The font is a file faxd ships (DejaVu Sans Mono from the dejavu-fonts-ttf package), never a
 * document's; still, every offset is checked against the table it points into.
 */

/** A closed polygon: x, y pairs in font units, y up. */
export type Contour = readonly number[]

export interface TrueTypeFont {
  readonly unitsPerEm: number
  /** The glyph drawn for a character (0, .notdef, for one the font lacks). */
  glyphOf(codePoint: number): number
  advanceOf(glyph: number): number
  /** The glyph's outline, curves made into straight segments. */
  outlineOf(glyph: number): readonly Contour[]
}

export class FontError extends Error {
  override readonly name = 'FontError'
}

/** Segments a quadratic curve is made of: plenty at header sizes (an em of about 30 pels). */
const CURVE_STEPS = 8
/** Composite glyphs nest; real fonts go two or three deep. */
const MAX_COMPOSITE_DEPTH = 8

export function parseTrueType(bytes: Uint8Array): TrueTypeFont {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const u8 = (at: number) => checked(at, 1) && view.getUint8(at)
  const i8 = (at: number) => checked(at, 1) && view.getInt8(at)
  const u16 = (at: number) => checked(at, 2) && view.getUint16(at)
  const i16 = (at: number) => checked(at, 2) && view.getInt16(at)
  const u32 = (at: number) => checked(at, 4) && view.getUint32(at)
  function checked(at: number, size: number): true {
    if (at < 0 || at + size > bytes.byteLength) {
      throw new FontError(`the font is cut short: ${size} octets at ${at} of ${bytes.byteLength}`)
    }
    return true
  }

  const tables = new Map<string, { offset: number; length: number }>()
  const tableCount = u16(4)
  for (let i = 0; i < tableCount; i++) {
    const record = 12 + 16 * i
    const tag = String.fromCharCode(...bytes.subarray(record, record + 4))
    tables.set(tag, { offset: u32(record + 8), length: u32(record + 12) })
  }
  const table = (tag: string) => {
    const found = tables.get(tag)
    if (found === undefined) {
      throw new FontError(`the font has no ${tag} table`)
    }
    checked(found.offset, found.length)
    return found.offset
  }

  const head = table('head')
  const unitsPerEm = u16(head + 18)
  const longLoca = i16(head + 50) === 1
  const glyphCount = u16(table('maxp') + 4)
  const metricCount = u16(table('hhea') + 34)
  const hmtx = table('hmtx')
  const loca = table('loca')
  const glyf = table('glyf')
  const cmap = readCmap(table('cmap'))

  function glyphRange(glyph: number): { start: number; end: number } {
    if (glyph < 0 || glyph >= glyphCount) {
      throw new FontError(`glyph ${glyph} is not among the font's ${glyphCount}`)
    }
    const at = (index: number) => (longLoca ? u32(loca + 4 * index) : 2 * u16(loca + 2 * index))
    return { start: glyf + at(glyph), end: glyf + at(glyph + 1) }
  }

  function readCmap(base: number): (codePoint: number) => number {
    const subtables: { platform: number; encoding: number; offset: number }[] = []
    for (let i = 0; i < u16(base + 2); i++) {
      const record = base + 4 + 8 * i
      subtables.push({ platform: u16(record), encoding: u16(record + 2), offset: u32(record + 4) })
    }
    // Unicode's full range first (Windows, UCS-4), then its basic plane.
    for (const [platform, encoding] of [
      [3, 10],
      [0, 4],
      [3, 1],
      [0, 3],
    ] as const) {
      const found = subtables.find((s) => s.platform === platform && s.encoding === encoding)
      if (found === undefined) {
        continue
      }
      const at = base + found.offset
      const format = u16(at)
      if (format === 12) {
        return format12(at)
      }
      if (format === 4) {
        return format4(at)
      }
    }
    throw new FontError('the font has no Unicode character map of format 4 or 12')
  }

  function format4(at: number): (codePoint: number) => number {
    const segments = u16(at + 6) / 2
    const ends = at + 14
    const starts = ends + 2 * segments + 2
    const deltas = starts + 2 * segments
    const rangeOffsets = deltas + 2 * segments
    return (codePoint) => {
      if (codePoint > 0xffff) {
        return 0
      }
      for (let i = 0; i < segments; i++) {
        if (codePoint > u16(ends + 2 * i)) {
          continue
        }
        const start = u16(starts + 2 * i)
        if (codePoint < start) {
          return 0
        }
        const delta = u16(deltas + 2 * i)
        const rangeOffset = u16(rangeOffsets + 2 * i)
        if (rangeOffset === 0) {
          return (codePoint + delta) & 0xffff
        }
        const glyph = u16(rangeOffsets + 2 * i + rangeOffset + 2 * (codePoint - start))
        return glyph === 0 ? 0 : (glyph + delta) & 0xffff
      }
      return 0
    }
  }

  function format12(at: number): (codePoint: number) => number {
    const groups = u32(at + 12)
    return (codePoint) => {
      for (let i = 0; i < groups; i++) {
        const group = at + 16 + 12 * i
        const first = u32(group)
        if (codePoint >= first && codePoint <= u32(group + 4)) {
          return u32(group + 8) + (codePoint - first)
        }
      }
      return 0
    }
  }

  function outline(glyph: number, depth: number): Contour[] {
    const { start, end } = glyphRange(glyph)
    if (end <= start) {
      return [] // a space
    }
    const contourCount = i16(start)
    return contourCount >= 0
      ? simpleOutline(start, contourCount)
      : compositeOutline(start + 10, depth)
  }

  function simpleOutline(start: number, contourCount: number): Contour[] {
    const ends: number[] = []
    for (let i = 0; i < contourCount; i++) {
      ends.push(u16(start + 10 + 2 * i))
    }
    const pointCount = contourCount === 0 ? 0 : (ends[contourCount - 1] ?? -1) + 1
    let at = start + 10 + 2 * contourCount
    at += 2 + u16(at) // the instructions, which draw nothing here
    const flags: number[] = []
    while (flags.length < pointCount) {
      const flag = u8(at)
      at += 1
      flags.push(flag)
      if (flag & 0x08) {
        const repeats = u8(at)
        at += 1
        for (let r = 0; r < repeats; r++) {
          flags.push(flag)
        }
      }
    }
    const readCoordinates = (short: number, same: number): number[] => {
      const values: number[] = []
      let value = 0
      for (let i = 0; i < pointCount; i++) {
        const flag = flags[i] ?? 0
        if (flag & short) {
          const delta = u8(at)
          at += 1
          value += flag & same ? delta : -delta
        } else if (!(flag & same)) {
          value += i16(at)
          at += 2
        }
        values.push(value)
      }
      return values
    }
    const xs = readCoordinates(0x02, 0x10)
    const ys = readCoordinates(0x04, 0x20)
    const contours: Contour[] = []
    let first = 0
    for (const last of ends) {
      const points: { x: number; y: number; on: boolean }[] = []
      for (let i = first; i <= last; i++) {
        points.push({ x: xs[i] ?? 0, y: ys[i] ?? 0, on: ((flags[i] ?? 0) & 0x01) !== 0 })
      }
      first = last + 1
      const contour = flatten(points)
      if (contour.length >= 6) {
        contours.push(contour)
      }
    }
    return contours
  }

  function compositeOutline(at: number, depth: number): Contour[] {
    if (depth >= MAX_COMPOSITE_DEPTH) {
      throw new FontError(`composite glyphs nested more than ${MAX_COMPOSITE_DEPTH} deep`)
    }
    const contours: Contour[] = []
    for (;;) {
      const flags = u16(at)
      const component = u16(at + 2)
      at += 4
      let dx = 0
      let dy = 0
      if (flags & 0x0001) {
        dx = i16(at)
        dy = i16(at + 2)
        at += 4
      } else {
        dx = i8(at)
        dy = i8(at + 1)
        at += 2
      }
      if (!(flags & 0x0002)) {
        // Points matched rather than offsets: not used by the fonts faxd ships.
        dx = 0
        dy = 0
      }
      const f2dot14 = (offset: number) => i16(offset) / 16384
      let [a, b, c, d] = [1, 0, 0, 1]
      if (flags & 0x0008) {
        a = d = f2dot14(at)
        at += 2
      } else if (flags & 0x0040) {
        a = f2dot14(at)
        d = f2dot14(at + 2)
        at += 4
      } else if (flags & 0x0080) {
        ;[a, b, c, d] = [f2dot14(at), f2dot14(at + 2), f2dot14(at + 4), f2dot14(at + 6)]
        at += 8
      }
      for (const contour of outline(component, depth + 1)) {
        const moved: number[] = []
        for (let i = 0; i < contour.length; i += 2) {
          const x = contour[i] ?? 0
          const y = contour[i + 1] ?? 0
          moved.push(a * x + c * y + dx, b * x + d * y + dy)
        }
        contours.push(moved)
      }
      if (!(flags & 0x0020)) {
        return contours
      }
    }
  }

  const outlines = new Map<number, readonly Contour[]>()
  return {
    unitsPerEm,
    glyphOf: cmap,
    advanceOf(glyph) {
      const index = Math.min(glyph, metricCount - 1)
      return u16(hmtx + 4 * index)
    },
    outlineOf(glyph) {
      let found = outlines.get(glyph)
      if (found === undefined) {
        found = outline(glyph, 0)
        outlines.set(glyph, found)
      }
      return found
    },
  }
}

/**
 * A contour's points, on and off the curve, as a polygon: between two points off the curve
 * lies an implied one on it (the TrueType rule), and each quadratic arc becomes CURVE_STEPS
 * segments.
 */
function flatten(points: readonly { x: number; y: number; on: boolean }[]): number[] {
  const count = points.length
  if (count === 0) {
    return []
  }
  // Start on a point on the curve: the first one, or the middle of the first two off it.
  const startIndex = points.findIndex((p) => p.on)
  const start =
    startIndex >= 0
      ? points[startIndex]!
      : {
          x: (points[0]!.x + points[1 % count]!.x) / 2,
          y: (points[0]!.y + points[1 % count]!.y) / 2,
          on: true,
        }
  const first = startIndex >= 0 ? startIndex : 0
  const polygon: number[] = [start.x, start.y]
  let current = start
  let control: { x: number; y: number } | null = null
  for (let step = 1; step <= count; step++) {
    const point = points[(first + step) % count]!
    if (point.on) {
      if (control === null) {
        polygon.push(point.x, point.y)
      } else {
        curve(polygon, current, control, point)
        control = null
      }
      current = point
    } else if (control === null) {
      control = point
    } else {
      const middle = { x: (control.x + point.x) / 2, y: (control.y + point.y) / 2, on: true }
      curve(polygon, current, control, middle)
      current = middle
      control = point
    }
  }
  if (control !== null) {
    curve(polygon, current, control, start)
  }
  return polygon
}

function curve(
  polygon: number[],
  from: { x: number; y: number },
  control: { x: number; y: number },
  to: { x: number; y: number },
): void {
  for (let i = 1; i <= CURVE_STEPS; i++) {
    const t = i / CURVE_STEPS
    const u = 1 - t
    polygon.push(
      u * u * from.x + 2 * u * t * control.x + t * t * to.x,
      u * u * from.y + 2 * u * t * control.y + t * t * to.y,
    )
  }
}
