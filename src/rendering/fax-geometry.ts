/**
 * The shape of a fax page and how a document page is fitted onto one.
 *
 * T.4 §2.2 (ITU-T T.4 07/2003): 1728 picture elements along a scan line of 215 mm, that is
 * 8.04 pels/mm or "204 dpi"; fine resolution is 7.7 lines/mm ("196 lpi"), superfine 15.4
 * lines/mm ("392 lpi"). A page is as long as its paper: Letter, A4 or Legal. A source page is
 * scaled to the fax width when it is wider, never cropped, turned upright when it is landscape,
 * and put on the shortest of those papers that holds it. A page longer than Legal is split over
 * as many fax pages as it needs, at its scale (placeOnFaxPages); where one fax page must hold it
 * (placePage), it is shrunk to fit Legal.
 */
import type { Resolution } from '../domain/outbox-entry.js'

export const FAX_PAGE_WIDTH = 1728
export const HORIZONTAL_DPI = 204
export const POINTS_PER_INCH = 72

export function verticalDpi(resolution: Resolution): number {
  return resolution === 'superfine' ? 392 : 196
}

export interface Paper {
  readonly name: 'letter' | 'a4' | 'legal'
  readonly widthInches: number
  readonly heightInches: number
}

export const LETTER: Paper = { name: 'letter', widthInches: 8.5, heightInches: 11 }
export const A4: Paper = { name: 'a4', widthInches: 210 / 25.4, heightInches: 297 / 25.4 }
export const LEGAL: Paper = { name: 'legal', widthInches: 8.5, heightInches: 14 }
/** Shortest first: a page goes on the first one that holds it. */
const PAPERS: readonly Paper[] = [LETTER, A4, LEGAL]

/** Rows of a fax page of this paper at this resolution (A4 fine: 2292, Letter fine: 2156). */
export function paperRows(paper: Paper, resolution: Resolution): number {
  return Math.round(paper.heightInches * verticalDpi(resolution))
}

/** Where a source page lands on its fax page. */
export interface PagePlacement {
  /** Rows of the fax page (its width is always FAX_PAGE_WIDTH). */
  readonly pageRows: number
  readonly paper: Paper
  /** Turn the source a quarter turn clockwise first (it is landscape). */
  readonly rotate: boolean
  /** Size of the scaled source on the fax page, in pixels, after any rotation. */
  readonly contentWidth: number
  readonly contentRows: number
  /**
   * Top-left corner of the content: centred across, centred down. On the fax pages of a page
   * split over several, the content starts at the top of the first, and `top` is negative on
   * the others: the content's rows above this fax page.
   */
  readonly left: number
  readonly top: number
}

/** Slack for pages a few points off a standard size (PDF producers round; 612 pt is 1734 pels). */
const FIT_TOLERANCE = 1.01

/** A source page turned upright and scaled to the fax line (never up), before any paper. */
interface Upright {
  readonly rotate: boolean
  /** Its size on the fax grid, in pels across and (fractional) lines down. */
  readonly width: number
  readonly rows: number
}

function upright(widthInches: number, heightInches: number, resolution: Resolution): Upright {
  if (!(widthInches > 0 && heightInches > 0 && isFinite(widthInches) && isFinite(heightInches))) {
    throw new RangeError(`a page needs a positive size, not ${widthInches}×${heightInches} in`)
  }
  const rotate = widthInches > heightInches
  const uprightWidth = rotate ? heightInches : widthInches
  const uprightHeight = rotate ? widthInches : heightInches
  const scale = Math.min(1, FAX_PAGE_WIDTH / (uprightWidth * HORIZONTAL_DPI))
  return {
    rotate,
    width: uprightWidth * HORIZONTAL_DPI * scale,
    rows: uprightHeight * verticalDpi(resolution) * scale,
  }
}

/** Pels across of content `width` pels wide (scaled, perhaps): a whole number, on the line. */
function pelsAcross(width: number): number {
  return Math.max(1, Math.min(FAX_PAGE_WIDTH, Math.round(width)))
}

/**
 * Places a source page of `widthInches` × `heightInches` (as it is meant to be seen, after its
 * own /Rotate) onto one fax page at `resolution`: shrunk to fit Legal if it is longer.
 */
export function placePage(
  widthInches: number,
  heightInches: number,
  resolution: Resolution,
): PagePlacement {
  const placed = upright(widthInches, heightInches, resolution)
  let { width, rows } = placed
  const paper =
    PAPERS.find((candidate) => rows <= paperRows(candidate, resolution) * FIT_TOLERANCE) ?? LEGAL
  const pageRows = paperRows(paper, resolution)
  if (rows > pageRows) {
    width *= pageRows / rows
    rows = pageRows
  }
  const contentWidth = pelsAcross(width)
  const contentRows = Math.max(1, Math.min(pageRows, Math.round(rows)))
  return {
    pageRows,
    paper,
    rotate: placed.rotate,
    contentWidth,
    contentRows,
    left: Math.floor((FAX_PAGE_WIDTH - contentWidth) / 2),
    top: Math.floor((pageRows - contentRows) / 2),
  }
}

/**
 * Where a source page goes on fax pages: on one, as placePage puts it, or, longer than Legal, on
 * as many as it needs at its own scale instead of shrunk: a long receipt, or a web page printed
 * as one tall page, stays as legible as a Letter page. Every fax page but the last is Legal; the
 * last is the shortest paper that holds what is left. The content starts at the top of the first
 * page and runs on at the top of the next: it is not centred down.
 */
export function placeOnFaxPages(
  widthInches: number,
  heightInches: number,
  resolution: Resolution,
): PagePlacement[] {
  const { rotate, width, rows } = upright(widthInches, heightInches, resolution)
  const legalRows = paperRows(LEGAL, resolution)
  if (rows <= legalRows * FIT_TOLERANCE) {
    return [placePage(widthInches, heightInches, resolution)]
  }
  const contentWidth = pelsAcross(width)
  const contentRows = Math.round(rows)
  const left = Math.floor((FAX_PAGE_WIDTH - contentWidth) / 2)
  const pages: PagePlacement[] = []
  for (let above = 0; above < contentRows; above += legalRows) {
    const rest = contentRows - above
    const paper = PAPERS.find((candidate) => rest <= paperRows(candidate, resolution)) ?? LEGAL
    const pageRows = paperRows(paper, resolution)
    // Not -0 for the first: 0 - 0 is 0.
    pages.push({ pageRows, paper, rotate, contentWidth, contentRows, left, top: 0 - above })
  }
  return pages
}
