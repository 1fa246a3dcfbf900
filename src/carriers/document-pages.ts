/**
 * The pages a call sends, read from the fax's TIFF-F document: each page decoded to a bitmap,
 * at the vertical resolution it was rendered at, with the call's header line over its top
 * (header-line/stamp-header.ts). Every carrier that runs our T.30 engine starts here.
 */
import type { OutgoingCall } from '../domain/carrier.js'
import { stampHeader } from '../header-line/stamp-header.js'
import { type FileStore, readAllBytes } from '../domain/ports.js'
import { decodeTiffPage, listTiffPages } from '../codec/tiff-read.js'
import type { SourcePage } from '../telephony/t30/page-coding.js'
import type { VerticalResolution } from '../telephony/t30/page-format.js'

/** The call's pages (`call.pages`, numbered from 1 in the document), in order. */
export async function pagesToSend(files: FileStore, call: OutgoingCall): Promise<SourcePage[]> {
  const tiff = await readAllBytes(files.get(call.documentKey))
  const infos = listTiffPages(tiff)
  return call.pages.map((number) => {
    const info = infos[number - 1]
    if (info === undefined) {
      throw new RangeError(`the document has ${infos.length} pages, not ${number}`)
    }
    const bitmap = decodeTiffPage(tiff, info)
    return {
      bitmap:
        call.header === null
          ? bitmap
          : stampHeader(bitmap, info.yDpi ?? FINE_DPI, {
              text: call.header,
              page: number,
              pages: call.pageCount,
            }),
      resolution: resolutionOf(info.yDpi),
    }
  })
}

/** The line density of a page whose file does not say (faxd's own always do). */
const FINE_DPI = 196

/** 98 dpi is standard, 196 fine, 391 (or 392) superfine: T.30's three line densities. */
function resolutionOf(yDpi: number | null): VerticalResolution {
  if (yDpi !== null && yDpi >= 300) {
    return 'superfine'
  }
  return yDpi !== null && yDpi >= 150 ? 'fine' : 'standard'
}

/** Bytes as the one chunk of an async iterable, for FileStore.put. */
export async function* oneChunk(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes
}
