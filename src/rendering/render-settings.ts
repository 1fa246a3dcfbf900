/**
 * What the renderer is told, and what it reports, apart from the rendering itself: the API
 * process reads these (limits, which kinds it accepts) without loading any renderer (canvas,
 * PDFium and sharp stay in the render processes).
 */
import { DOCUMENT_KINDS, type DocumentKind } from '../domain/document-kind.js'
import type { Paper } from './fax-geometry.js'
import type { OfficeConverterOptions } from './office-conversion.js'

/**
 * Pixels one picture may decode to: a Legal page scanned at 600 dpi in colour is 40 million;
 * 100 million leaves room and bounds a picture's memory to about 400 MB in RGBA.
 */
export const MAX_PICTURE_PIXELS = 100_000_000

export interface RenderSettings {
  /** The paper text files and cover sheets are typeset on. */
  readonly paper: Paper
  /** Pages one fax may have, cover sheets included. */
  readonly maxPages: number
  /** Pixels one picture may decode to (images inside a PDF are PDFium's, within the memory limit). */
  readonly maxPicturePixels: number
  /** LibreOffice, or undefined when it is not installed (Office files are then refused). */
  readonly office: OfficeConverterOptions | undefined
  /** Threads one render draws a PDF's pages on (pdf-page-threads.ts); 1 when not given. */
  readonly threads?: number
}

export interface RenderProgress {
  /** Pages finished so far (cover sheets count when they are drawn, last). */
  readonly pagesDone: number
  /** 1-based index of the document being rendered, 0 for the cover. */
  readonly document: number
}

/** The kinds of document these settings can render: all but Office when LibreOffice is absent. */
export function renderableKinds(
  office: OfficeConverterOptions | undefined,
): ReadonlySet<DocumentKind> {
  return new Set(DOCUMENT_KINDS.filter((kind) => kind !== 'office' || office !== undefined))
}
