/**
 * How a page goes on the line once DIS and DCS have been exchanged: its coding (MH, MR or
 * MMR), its vertical resolution, ECM or not, the modem's bit rate, and the receiver's minimum
 * scan-line time. The engine fills a PageFormat in from the negotiated DCS; page-coding.ts codes
 * pages to it and received-page.ts decodes them with it. Also the one error these files throw
 * for a request that cannot be met (a wrong width, an upward resolution change, MMR without
 * ECM): a mistake of the caller, never an outcome of the call.
 */

/** The T.4/T.6 coding schemes a DCS can select: MH (T.4 1-D), MR (T.4 2-D), MMR (T.6). */
export type Coding = 'mh' | 'mr' | 'mmr'

/**
 * Vertical resolutions of the R8 grid (8 pels/mm across, 1728 pels on 215 mm): standard
 * 3.85 lines/mm, fine 7.7 (DIS/DCS bit 15) and superfine 15.4 (bit 41).
 */
export type VerticalResolution = 'standard' | 'fine' | 'superfine'

/**
 * Lines per inch of each resolution, as fax TIFF files give them: 3.85, 7.7 and 15.4 lines/mm
 * × 25.4, rounded (spandsp t4_rx.c writes the same 98, 196 and 391).
 */
export const LINES_PER_INCH: Readonly<Record<VerticalResolution, number>> = {
  standard: 98,
  fine: 196,
  superfine: 391,
}

/** Pels per inch across the R8 grid: 8.04 pels/mm × 25.4, rounded ("204 dpi"). */
export const PELS_PER_INCH = 204

/** Pels per line of an A4 (215 mm) page: the only width these files code. */
export const PAGE_WIDTH = 1728

/** How many rows of a resolution make one row of the next lower one: 1, 2 or 4 of standard. */
export const ROWS_PER_STANDARD_ROW: Readonly<Record<VerticalResolution, number>> = {
  standard: 1,
  fine: 2,
  superfine: 4,
}

export interface PageFormat {
  readonly coding: Coding
  readonly resolution: VerticalResolution
  /** T.4 Annex A error correction mode (DCS bit 27). MMR is only allowed with it. */
  readonly ecm: boolean
  /**
   * The receiver's minimum transmission time of a coded scan line at standard resolution (its
   * DIS bits 21–23): 0, 5, 10, 20 or 40 ms. Ignored with ECM, where it is 0.
   */
  readonly minScanLineMs: number
  /**
   * The DIS codes 011, 110 and 101 of bits 21–23: "T7.7 = ½ T3.85", lines at fine (and
   * superfine) resolution need half the time of standard ones. Default false.
   */
  readonly halfMinScanAtFine?: boolean
  /**
   * DIS bit 46: at superfine the minimum scan-line time is half that of fine. Default false.
   */
  readonly halfMinScanAtSuperfine?: boolean
  /** The high-speed modem's rate in bit/s (2400 … 14400). */
  readonly bitRate: number
  readonly width: typeof PAGE_WIDTH
}

/** What went wrong with a request to code a page. */
export type PageFormatErrorCode =
  /** The page is not 1728 pels wide. */
  | 'width'
  /** The page's resolution is lower than the format's: we never invent rows. */
  | 'resolution'
  /** A coding the format does not allow: MMR without ECM. */
  | 'coding'

export class PageFormatError extends Error {
  override readonly name = 'PageFormatError'
  readonly code: PageFormatErrorCode

  constructor(code: PageFormatErrorCode, message: string) {
    super(message)
    this.code = code
  }
}

/**
 * The minimum scan-line time that applies to the lines of this page, and that the DCS states.
 * T.30 Table 2: with "T7.7 = ½ T3.85" lines at fine resolution need half the standard time;
 * with DIS bit 46, lines at superfine need half the fine time. Halving never goes below 5 ms,
 * the shortest time a DCS can state (spandsp `set_min_scan_time`, `translate_min_scan_time[][]`:
 * superfine after 5 ms at fine stays 5 ms). With ECM it is 0: the frames carry no fill
 * (spandsp: `if (s->error_correcting_mode) min_bits_field = T30_MIN_SCAN_0MS`).
 */
export function minScanLineMsForPage(format: PageFormat): number {
  if (format.ecm || format.minScanLineMs <= 0) {
    return 0
  }
  const halve = (ms: number): number => Math.max(5, ms / 2)
  let ms = format.minScanLineMs
  if (format.resolution !== 'standard' && format.halfMinScanAtFine === true) {
    ms = halve(ms)
  }
  if (format.resolution === 'superfine' && format.halfMinScanAtSuperfine === true) {
    ms = halve(ms)
  }
  return ms
}

/**
 * The minimum number of bits of each coded line (its EOL, data and fill) so that it lasts the
 * minimum scan-line time at the bit rate: e.g. 14,400 bit/s × 20 ms = 288 bits (spandsp
 * `set_min_scan_time` → `t4_tx_set_min_bits_per_row`). The coder reaches it with fill, T.4
 * §4.1.3: "FILL may be inserted between a line of DATA and an EOL, but never within a line of
 * DATA." 0 with ECM.
 */
export function minBitsPerLine(format: PageFormat): number {
  return Math.ceil((format.bitRate * minScanLineMsForPage(format)) / 1000)
}

/**
 * The format of the pages a DCS selected (its coding, resolution, ECM, scan-line time and
 * rate): what the sender codes to and the receiver decodes with.
 */
export function pageFormatOf(selection: {
  readonly coding: Coding
  readonly resolution: VerticalResolution
  readonly ecm: boolean
  readonly minScanLineMs: number
  readonly modem: { readonly bitRate: number }
}): PageFormat {
  return {
    coding: selection.coding,
    resolution: selection.resolution,
    ecm: selection.ecm,
    minScanLineMs: selection.minScanLineMs,
    bitRate: selection.modem.bitRate,
    width: PAGE_WIDTH,
  }
}
