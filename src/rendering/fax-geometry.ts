/**
 * The shape of a fax page and how a document page is fitted onto one.
 *
 * T.4 §2.2 (ITU-T T.4 07/2003): 1728 picture elements along a scan line of 215 mm, that is
 * 8.04 pels/mm or "204 dpi"; fine resolution is 7.7 lines/mm ("196 lpi"), superfine 15.4
 * lines/mm ("392 lpi"). A page is as long as its paper: Letter, A4 or Legal. A source page is
 * scaled to the fax width when it is wider, never cropped, turned upright when it is landscape,
 * and put on the shortest of those papers that holds it (shrunk further to fit Legal when it is
 * longer than that).
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
  /** Top-left corner of the content: centred across, centred down. */
  readonly left: number
  readonly top: number
}

/** Slack for pages a few points off a standard size (PDF producers round; 612 pt is 1734 pels). */
const FIT_TOLERANCE = 1.01

/**
 * Places a source page of `widthInches` × `heightInches` (as it is meant to be seen, after its
 * own /Rotate) onto a fax page at `resolution`.
 */
export function placePage(
  widthInches: number,
  heightInches: number,
  resolution: Resolution,
): PagePlacement {
  if (!(widthInches > 0 && heightInches > 0 && isFinite(widthInches) && isFinite(heightInches))) {
    throw new RangeError(`a page needs a positive size, not ${widthInches}×${heightInches} in`)
  }
  const rotate = widthInches > heightInches
  const uprightWidth = rotate ? heightInches : widthInches
  const uprightHeight = rotate ? widthInches : heightInches
  const lineDpi = verticalDpi(resolution)

  let scale = Math.min(1, FAX_PAGE_WIDTH / (uprightWidth * HORIZONTAL_DPI))
  let rows = uprightHeight * lineDpi * scale
  const paper =
    PAPERS.find((candidate) => rows <= paperRows(candidate, resolution) * FIT_TOLERANCE) ?? LEGAL
  const pageRows = paperRows(paper, resolution)
  if (rows > pageRows) {
    scale *= pageRows / rows
    rows = pageRows
  }
  const contentWidth = Math.max(
    1,
    Math.min(FAX_PAGE_WIDTH, Math.round(uprightWidth * HORIZONTAL_DPI * scale)),
  )
  const contentRows = Math.max(1, Math.min(pageRows, Math.round(rows)))
  return {
    pageRows,
    paper,
    rotate,
    contentWidth,
    contentRows,
    left: Math.floor((FAX_PAGE_WIDTH - contentWidth) / 2),
    top: Math.floor((pageRows - contentRows) / 2),
  }
}
