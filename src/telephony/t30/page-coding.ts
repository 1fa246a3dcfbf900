/**
 * The sending side of phase C's image: one rendered page, coded as the DCS says, ready to go on
 * the line (non-ECM) or to be cut into ECM frames (ecm-blocks.ts). The page is first brought
 * down to the receiver's resolution if it cannot take the page's own, then coded by the codec:
 * MH or MR with an EOL before every line and RTC at the end, fill before each EOL to meet the
 * receiver's minimum scan-line time without ECM; MMR ending with EOFB, with ECM only.
 *
 * What the codec writes is what T.4 asks for here (checked in test/telephony/t30):
 * - MH: EOL before each line; RTC = 6 × EOL (T.4 §4.1.4).
 * - MR: EOL + tag bit before each line, a 1-D line every K lines (K from mrKForResolution: 2
 *   standard, 4 fine, 8 superfine); RTC = 6 × (EOL + 1).
 * - MMR: no EOLs; EOFB = 2 × EOL (T.6), then zero bits to the octet.
 * - The last octet is padded with zero bits. spandsp pads it with ones (`finalise_page`); either
 *   comes after RTC/EOFB, where the receiver has stopped decoding.
 */
import { type Bitmap, blankBitmap } from '../../codec/bitmap.js'
import { encodeMh, encodeMr, mrKForResolution } from '../../codec/t4.js'
import { encodeMmr } from '../../codec/t6.js'
import {
  type PageFormat,
  type VerticalResolution,
  LINES_PER_INCH,
  PAGE_WIDTH,
  PageFormatError,
  ROWS_PER_STANDARD_ROW,
  minBitsPerLine,
} from './page-format.js'

/** A page as rendered for sending: 1728 pels across, at one of the three resolutions. */
export interface SourcePage {
  readonly bitmap: Bitmap
  readonly resolution: VerticalResolution
}

/**
 * The coded page for the line: MH/MR/MMR as `format` says, at its resolution, with fill for the
 * minimum scan-line time when there is no ECM. Throws PageFormatError for a page that is not
 * 1728 pels wide, a format of higher resolution than the page, or MMR without ECM.
 */
export function encodePageForLine(page: SourcePage, format: PageFormat): Uint8Array {
  if (page.bitmap.width !== PAGE_WIDTH || format.width !== PAGE_WIDTH) {
    throw new PageFormatError(
      'width',
      `pages go on the line ${PAGE_WIDTH} pels wide (A4, R8); this one is ${page.bitmap.width} and the format ${String(format.width)}`,
    )
  }
  if (format.coding === 'mmr' && !format.ecm) {
    // T.30 Table 2: T.6 coding (bit 31) goes with error correction mode (bit 27) only;
    // spandsp's analyze_rx_dis_dtc drops the ECM-only codings when ECM is off.
    throw new PageFormatError('coding', 'MMR (T.6) coding is allowed only with ECM')
  }
  const bitmap = convertResolution(page.bitmap, page.resolution, format.resolution)
  switch (format.coding) {
    case 'mh':
      return encodeMh(bitmap, { minBitsPerLine: minBitsPerLine(format) })
    case 'mr':
      return encodeMr(bitmap, {
        minBitsPerLine: minBitsPerLine(format),
        k: mrKForResolution(LINES_PER_INCH[format.resolution]),
      })
    case 'mmr':
      return encodeMmr(bitmap)
  }
}

/**
 * The page at a lower vertical resolution: each group of 2 (fine → standard, superfine → fine)
 * or 4 (superfine → standard) rows becomes one row, black where any of them is black, so that
 * a line one row high is never lost. A last group short of rows is taken with white below it.
 * The same resolution gives the bitmap back; a higher one throws PageFormatError: a page is
 * never stretched, the engine picks a resolution the page has or a lower one.
 */
export function convertResolution(
  bitmap: Bitmap,
  from: VerticalResolution,
  to: VerticalResolution,
): Bitmap {
  const factor = ROWS_PER_STANDARD_ROW[from] / ROWS_PER_STANDARD_ROW[to]
  if (factor < 1) {
    throw new PageFormatError(
      'resolution',
      `a ${from} page cannot be sent at ${to} resolution: pages are only converted downwards`,
    )
  }
  if (factor === 1) {
    return bitmap
  }
  const { rowBytes, height, data } = bitmap
  const out = blankBitmap(bitmap.width, Math.ceil(height / factor))
  for (let y = 0; y < height; y++) {
    const source = y * rowBytes
    const target = Math.floor(y / factor) * rowBytes
    for (let i = 0; i < rowBytes; i++) {
      out.data[target + i] = (out.data[target + i] ?? 0) | (data[source + i] ?? 0)
    }
  }
  return out
}
