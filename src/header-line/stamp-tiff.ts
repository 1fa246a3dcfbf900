/**
 * The stored copy of what was sent: a fax's TIFF-F as rendered, with each page's header line
 * drawn as it was in the call that got the page through (stamp-header.ts), coded again as
 * T.6 (MMR). Pages with no header are copied as they are.
 */
import { decodeTiffPage, listTiffPages } from '../codec/tiff-read.js'
import { encodeTiffPage, type EncodedPage, writeEncodedTiffF } from '../codec/tiff-write.js'
import { stampHeader } from './stamp-header.js'

/** A fax page's line density when its file does not say (faxd's own always do). */
const FINE_DPI = 196

/**
 * `headerOf(page)` is the header's text for page `page` (from 1), or null for none; every page
 * is numbered out of the file's page count. With `firstPages`, only that many pages are in the
 * answer (a report's thumbnail needs page 1 alone), still numbered out of all of them.
 */
export function stampTiff(
  tiff: Uint8Array,
  headerOf: (page: number) => string | null,
  options: { readonly firstPages?: number } = {},
): Uint8Array {
  const infos = listTiffPages(tiff)
  const kept = infos.slice(0, options.firstPages ?? infos.length)
  const pages: EncodedPage[] = kept.map((info, index) => {
    const yDpi = info.yDpi ?? FINE_DPI
    const text = headerOf(index + 1)
    const bitmap = decodeTiffPage(tiff, info)
    return encodeTiffPage({
      bitmap:
        text === null
          ? bitmap
          : stampHeader(bitmap, yDpi, { text, page: index + 1, pages: infos.length }),
      compression: 'mmr',
      xDpi: info.xDpi ?? 204,
      yDpi,
    })
  })
  return writeEncodedTiffF(pages)
}
