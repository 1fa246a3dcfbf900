/**
 * A line of text filled into a bilevel band: the glyphs' outlines (truetype.ts) placed along a
 * baseline and filled by the non-zero winding rule, a pel black when at least half of it is
 * covered (four sub-scanlines per row, exact coverage across each). No anti-aliasing is kept:
 * a fax page has two colours, and the same text always gives the same pels.
 */
import { type Bitmap, setBlack } from '../codec/bitmap.js'
import type { Contour, TrueTypeFont } from './truetype.js'

/** Sub-scanlines per row of pels. */
const SUBLINES = 4

export interface TextPlacement {
  /** Where the first glyph's origin goes, in pels from the left. */
  readonly x: number
  /** The baseline, in rows from the top, before `yScale`. */
  readonly baseline: number
  /** The em, in pels across. */
  readonly size: number
  /** Glyphs made narrower by this factor (1: as designed). */
  readonly xScale: number
  /** Rows per pel across (the page's line density over its pel density: 196/204 at fine). */
  readonly yScale: number
}

/** The text's width in pels at `size` and `xScale`. */
export function textWidth(font: TrueTypeFont, text: string, size: number, xScale = 1): number {
  let width = 0
  for (const character of text) {
    width += font.advanceOf(font.glyphOf(character.codePointAt(0) ?? 0))
  }
  return (width * size * xScale) / font.unitsPerEm
}

/** Fills `text` into `band` (black on whatever is there). */
export function fillText(
  band: Bitmap,
  font: TrueTypeFont,
  text: string,
  placement: TextPlacement,
): void {
  const unit = placement.size / font.unitsPerEm
  const polygons: Contour[] = []
  let pen = placement.x
  for (const character of text) {
    const glyph = font.glyphOf(character.codePointAt(0) ?? 0)
    for (const contour of font.outlineOf(glyph)) {
      const placed: number[] = []
      for (let i = 0; i < contour.length; i += 2) {
        placed.push(
          pen + (contour[i] ?? 0) * unit * placement.xScale,
          (placement.baseline - (contour[i + 1] ?? 0) * unit) * placement.yScale,
        )
      }
      polygons.push(placed)
    }
    pen += font.advanceOf(glyph) * unit * placement.xScale
  }
  fillPolygons(band, polygons)
}

interface Edge {
  readonly x0: number
  readonly y0: number
  readonly x1: number
  readonly y1: number
  /** +1 going down, -1 going up. */
  readonly winding: number
}

function fillPolygons(band: Bitmap, polygons: readonly Contour[]): void {
  const edges: Edge[] = []
  for (const polygon of polygons) {
    const count = polygon.length / 2
    for (let i = 0; i < count; i++) {
      const j = (i + 1) % count
      const [x0, y0, x1, y1] = [
        polygon[2 * i]!,
        polygon[2 * i + 1]!,
        polygon[2 * j]!,
        polygon[2 * j + 1]!,
      ]
      if (y0 !== y1) {
        edges.push(
          y0 < y1
            ? { x0, y0, x1, y1, winding: 1 }
            : { x0: x1, y0: y1, x1: x0, y1: y0, winding: -1 },
        )
      }
    }
  }
  const coverage = new Float64Array(band.width)
  const crossings: { x: number; winding: number }[] = []
  for (let row = 0; row < band.height; row++) {
    coverage.fill(0)
    let inked = false
    for (let sub = 0; sub < SUBLINES; sub++) {
      const y = row + (sub + 0.5) / SUBLINES
      crossings.length = 0
      for (const edge of edges) {
        if (y >= edge.y0 && y < edge.y1) {
          const x = edge.x0 + ((y - edge.y0) * (edge.x1 - edge.x0)) / (edge.y1 - edge.y0)
          crossings.push({ x, winding: edge.winding })
        }
      }
      crossings.sort((a, b) => a.x - b.x)
      let winding = 0
      for (let k = 0; k < crossings.length - 1; k++) {
        winding += crossings[k]!.winding
        if (winding !== 0) {
          inked = addSpan(coverage, crossings[k]!.x, crossings[k + 1]!.x) || inked
        }
      }
    }
    if (!inked) {
      continue
    }
    for (let x = 0; x < band.width; x++) {
      if ((coverage[x] ?? 0) >= SUBLINES / 2) {
        setBlack(band, x, row)
      }
    }
  }
}

/** Adds the span [from, to) of one sub-scanline to each pel's coverage; true if any was in. */
function addSpan(coverage: Float64Array, from: number, to: number): boolean {
  const start = Math.max(0, from)
  const end = Math.min(coverage.length, to)
  if (end <= start) {
    return false
  }
  for (let x = Math.floor(start); x < Math.ceil(end); x++) {
    coverage[x] = (coverage[x] ?? 0) + Math.min(end, x + 1) - Math.max(start, x)
  }
  return true
}
