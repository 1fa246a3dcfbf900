/**
 * Draws the header line (domain/header-line.ts) over the top of a bilevel page: a white band
 * across the page's full width, the header's text at its left and "PAGE x/y" at its right, in
 * DejaVu Sans Mono about 10 pt high. The band is drawn over the page rather than added above
 * it, so the page keeps its length (a page's top margin is where fax machines print theirs);
 * glyphs keep their printed shape at every line density (98, 196 or 392 lines per inch).
 *
 * The glyphs are filled by faxd's own code (truetype.ts, fill-text.ts), not by a graphics
 * library: the process that sends faxes and serves downloads loads no renderer (the API's
 * process keeps Skia out, test/cli/api-process-globals.test.ts), and the same text on the same
 * page gives the same pels on every machine and every version of the libraries. The pages sent
 * in a call and the copy downloaded afterwards (stamp-tiff.ts) are drawn by this one function.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { type Bitmap, blankBitmap, rowOf } from '../codec/bitmap.js'
import { pageNumberText } from '../domain/header-line.js'
import { fillText, textWidth } from './fill-text.js'
import { parseTrueType, type TrueTypeFont } from './truetype.js'

/** Pels per inch across a fax line (T.4: 8.04 per mm). */
const X_DPI = 204
/** The band's height, the type's size and its baseline, in pels at X_DPI in both directions. */
const BAND = 40
const TYPE_SIZE = 28
const BASELINE = 30
const MARGIN = 24
/** Between the text and the page number, at the least. */
const GAP = 32

let headerFont: TrueTypeFont | null = null
/** DejaVu Sans Mono, from the dejavu-fonts-ttf package, read at the first header drawn. */
function font(): TrueTypeFont {
  if (headerFont === null) {
    const require = createRequire(import.meta.url)
    const file = path.join(
      path.dirname(require.resolve('dejavu-fonts-ttf/package.json')),
      'ttf',
      'DejaVuSansMono.ttf',
    )
    headerFont = parseTrueType(readFileSync(file))
  }
  return headerFont
}

/** The rows the header line takes at the top of a page of `yDpi` lines per inch. */
export function headerBandRows(yDpi: number): number {
  return Math.round((BAND * yDpi) / X_DPI)
}

export interface HeaderStamp {
  /** The header's text (headerText), without the page number. */
  readonly text: string
  /** This page's number in the fax, from 1, and how many pages the fax has. */
  readonly page: number
  readonly pages: number
}

/**
 * A copy of `bitmap` with the header line over its top; `yDpi` is the page's line density.
 * The text is made narrower, never cut, when it and the page number do not fit the line.
 */
export function stampHeader(bitmap: Bitmap, yDpi: number, stamp: HeaderStamp): Bitmap {
  const yScale = yDpi / X_DPI
  const band = blankBitmap(bitmap.width, Math.min(bitmap.height, headerBandRows(yDpi)))
  const pageText = pageNumberText(stamp.page, stamp.pages)
  const pageWidth = textWidth(font(), pageText, TYPE_SIZE)
  const room = bitmap.width - 2 * MARGIN - pageWidth - GAP
  const width = textWidth(font(), stamp.text, TYPE_SIZE)
  const line = { baseline: BASELINE, size: TYPE_SIZE, yScale }
  fillText(band, font(), stamp.text, {
    ...line,
    x: MARGIN,
    xScale: width > room ? room / width : 1,
  })
  fillText(band, font(), pageText, {
    ...line,
    x: bitmap.width - MARGIN - pageWidth,
    xScale: 1,
  })
  const stamped = { ...bitmap, data: bitmap.data.slice() }
  for (let y = 0; y < band.height; y++) {
    rowOf(stamped, y).set(rowOf(band, y))
  }
  return stamped
}
