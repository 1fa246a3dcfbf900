/**
 * PDFium, compiled to WebAssembly (@embedpdf/pdfium), as the few calls faxd makes of it: open a
 * PDF held in memory, measure a page, and draw it into an 8-bit grey bitmap of any size, so a
 * page is drawn straight at 204 × 196 (or 392) dpi with its strokes on the fax grid.
 *
 * Chosen by measurement over pdf.js on @napi-rs/canvas (docs/benchmarks.md, "The raster path"):
 * several times the pages per second in a third of the memory, the same engine as Chrome's
 * viewer, and nothing native: the document is parsed inside the WebAssembly memory, which is
 * all that a flaw in the parser could reach (and the render process is sandboxed besides).
 *
 * The package's WebAssembly is used, not its JavaScript: faxd hosts PDFium itself
 * (pdfium-runtime.ts). Names and values below are PDFium's public API (public/fpdfview.h).
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { WasmMemory } from '../shared/wasm-instance.js'
import type { DrawArea, PdfiumExports, PdfiumInstance } from './pdfium-runtime.js'
import { startPdfium } from './pdfium-runtime.js'

const require = createRequire(import.meta.url)

/** fpdfview.h: `#define FPDFBitmap_Gray 1`, one octet per pixel. */
const FPDF_BITMAP_GRAY = 1
/** fpdfview.h render flags: draw annotations' appearances; render as for printing. */
const FPDF_ANNOT = 0x01
const FPDF_PRINTING = 0x800
/** fpdf_formfill.h FPDF_GetFormType: a document without interactive form fields. */
const FORMTYPE_NONE = 0
/** fpdf_annot.h: a form field's widget, and the annotation flags (ISO 32000-1 §12.5.3). */
const FPDF_ANNOT_WIDGET = 20
const FPDF_ANNOT_FLAG_HIDDEN = 1 << 1
const FPDF_ANNOT_FLAG_PRINT = 1 << 2
const FPDF_ANNOT_FLAG_NOVIEW = 1 << 5
/** fpdfview.h FPDF_GetLastError codes. */
const FPDF_ERR_FORMAT = 3
const FPDF_ERR_PASSWORD = 4
const FPDF_ERR_SECURITY = 5

export type PdfiumFailure = 'password' | 'unreadable'

export class PdfiumError extends Error {
  override readonly name = 'PdfiumError'
  readonly failure: PdfiumFailure

  constructor(failure: PdfiumFailure, message: string) {
    super(message)
    this.failure = failure
  }
}

/**
 * The few names of WebAssembly's JavaScript interface used here: Node.js has them, and neither
 * ES2023's lib nor @types/node 20 declares them.
 */
declare const WebAssembly: {
  compile(bytes: Uint8Array): Promise<CompiledPdfium>
}

/** PDFium's compiled WebAssembly (a WebAssembly.Module), which threads can pass to each other. */
export interface CompiledPdfium {
  readonly [Symbol.toStringTag]: 'WebAssembly.Module'
}

let compiled: Promise<CompiledPdfium> | undefined
let loaded: Promise<PdfiumInstance> | undefined

/**
 * PDFium's WebAssembly, compiled once per process on first use. Compiled code is shared by every
 * thread it is passed to (usePdfiumModule), so that a page thread starts PDFium without
 * compiling its 4.6 MB again.
 */
export function pdfiumModule(): Promise<CompiledPdfium> {
  compiled ??= WebAssembly.compile(readFileSync(require.resolve('@embedpdf/pdfium/pdfium.wasm')))
  return compiled
}

/** Has this thread use `module`, compiled by another thread's pdfiumModule(). */
export function usePdfiumModule(module: CompiledPdfium): void {
  compiled ??= Promise.resolve(module)
}

/**
 * PDFium, started once per thread on first use from the compiled module, by faxd's own host
 * (pdfium-runtime.ts) rather than the package's JavaScript.
 */
function loadPdfium(): Promise<PdfiumInstance> {
  loaded ??= pdfiumModule().then(startPdfium)
  return loaded
}

/** A page's size as it is meant to be seen (its /Rotate applied), in points. */
export interface PageSize {
  readonly width: number
  readonly height: number
}

/**
 * Where a page is drawn: a white bitmap of `width` × `height`, the page stretched over the
 * rectangle at (`left`, `top`) of `contentWidth` × `contentHeight` (so the two scales may
 * differ), turned a quarter clockwise first when `quarterTurn`. What falls outside the bitmap is
 * clipped: a negative `top` draws a part of the page further down.
 */
export interface BitmapFit {
  readonly width: number
  readonly height: number
  readonly left: number
  readonly top: number
  readonly contentWidth: number
  readonly contentHeight: number
  readonly quarterTurn: boolean
  /** Octets to leave free after the bitmap's pixels, in PDFium's memory, for work on them. */
  readonly room?: number
}

/**
 * A grey drawing of a page: `stride` octets a row, 0 = black, 255 = white. The pixels lie in
 * `memory` (PDFium's), with `room` octets free after them: BitmapFit.room or more, or none when
 * PDFium's memory could not give it.
 */
export interface GreyDrawing {
  readonly width: number
  readonly height: number
  readonly stride: number
  readonly pixels: Uint8Array
  readonly memory: WasmMemory
  readonly room: number
}

/** A bitmap PDFium draws into, in a block of its memory that faxd allocated. */
interface DrawingBitmap {
  readonly width: number
  readonly height: number
  readonly stride: number
  /** The block: the pixels, then `room` octets. */
  readonly block: number
  readonly room: number
  readonly handle: number
}

/** One open PDF. Its pages are drawn one at a time; close it to give its memory back. */
export class PdfiumDocument {
  readonly #instance: PdfiumInstance
  readonly #pdfium: PdfiumExports
  readonly #document: number
  readonly #data: number
  /**
   * The form-fill environment of a document with form fields (fpdf_formfill.h), null without.
   * A field's value is drawn from its appearance stream, and a form filled in by a program
   * often has none (the document asks a viewer to make them: /NeedAppearances): this
   * environment makes them, and draws the fields over the page, as a viewer does. Without it,
   * the values typed into a form were not drawn.
   */
  readonly #form: { readonly info: number; readonly handle: number } | null
  readonly pageCount: number
  #bitmap: DrawingBitmap | undefined
  #closed = false

  private constructor(instance: PdfiumInstance, document: number, data: number) {
    this.#instance = instance
    this.#pdfium = instance.exports
    this.#document = document
    this.#data = data
    this.pageCount = this.#pdfium.FPDF_GetPageCount(document)
    this.#form = this.#formFillEnvironment()
  }

  #formFillEnvironment(): { readonly info: number; readonly handle: number } | null {
    const pdfium = this.#pdfium
    if (pdfium.FPDF_GetFormType(this.#document) === FORMTYPE_NONE) {
      return null
    }
    // A FPDF_FORMFILLINFO with no callbacks: nothing interactive, and no JavaScript (this build
    // of PDFium has no JavaScript engine).
    const info = pdfium.PDFiumExt_OpenFormFillInfo()
    const handle = info === 0 ? 0 : pdfium.PDFiumExt_InitFormFillEnvironment(this.#document, info)
    if (handle === 0) {
      if (info !== 0) {
        pdfium.PDFiumExt_CloseFormFillInfo(info)
      }
      return null
    }
    // As printed: no highlight on the fields.
    pdfium.FPDF_RemoveFormFieldHighlight(handle)
    return { info, handle }
  }

  /** Opens `bytes` (copied into PDFium's memory; the caller's array stays as it is). */
  static async open(bytes: Uint8Array): Promise<PdfiumDocument> {
    const instance = await loadPdfium()
    const pdfium = instance.exports
    const data = pdfium.malloc(Math.max(1, bytes.length))
    if (data === 0) {
      throw new PdfiumError('unreadable', `${bytes.length} octets do not fit in PDFium's memory`)
    }
    instance.heap().set(bytes, data)
    // No password (a null pointer).
    const document = pdfium.FPDF_LoadMemDocument(data, bytes.length, 0)
    if (document === 0) {
      const error = pdfium.FPDF_GetLastError()
      pdfium.free(data)
      if (error === FPDF_ERR_PASSWORD || error === FPDF_ERR_SECURITY) {
        throw new PdfiumError('password', 'the PDF is password-protected')
      }
      throw new PdfiumError(
        'unreadable',
        error === FPDF_ERR_FORMAT ? 'it is not a well-formed PDF' : `PDFium error ${error}`,
      )
    }
    try {
      return new PdfiumDocument(instance, document, data)
    } catch (error) {
      pdfium.FPDF_CloseDocument(document)
      pdfium.free(data)
      throw error
    }
  }

  /**
   * Draws page `index` (0-based) into each of the bitmaps `fit` asks for, given the page's size
   * (after its /Rotate), and hands each drawing to `use` in turn. The pixels are a view into
   * PDFium's memory, valid only while `use` runs.
   */
  drawPage<T>(
    index: number,
    fit: (size: PageSize) => readonly BitmapFit[],
    use: (drawing: GreyDrawing) => T,
  ): T[] {
    const pdfium = this.#pdfium
    return this.#withPage(index, (page) => {
      const places = fit({
        width: pdfium.FPDF_GetPageWidthF(page),
        height: pdfium.FPDF_GetPageHeightF(page),
      })
      return places.map((place) => {
        const { width, height } = place
        const bitmap = this.#bitmapOf(width, height, place.room ?? 0)
        const { handle, block, stride, room } = bitmap
        pdfium.FPDFBitmap_FillRect(handle, 0, 0, width, height, 0xffffffff)
        const area: DrawArea = [
          place.left,
          place.top,
          place.contentWidth,
          place.contentHeight,
          place.quarterTurn ? 1 : 0,
          FPDF_ANNOT | FPDF_PRINTING,
        ]
        pdfium.FPDF_RenderPageBitmap(handle, page, ...area)
        if (this.#form !== null) {
          pdfium.FPDF_FFLDraw(this.#form.handle, handle, page, ...area)
        }
        const pixels = this.#instance.heap().subarray(block, block + stride * height)
        return use({ width, height, stride, pixels, memory: pdfium.memory, room })
      })
    })
  }

  close(): void {
    if (this.#closed) {
      return
    }
    this.#closed = true
    this.#destroyBitmap()
    if (this.#form !== null) {
      this.#pdfium.PDFiumExt_ExitFormFillEnvironment(this.#form.handle)
      this.#pdfium.PDFiumExt_CloseFormFillInfo(this.#form.info)
    }
    this.#pdfium.FPDF_CloseDocument(this.#document)
    this.#pdfium.free(this.#data)
  }

  #withPage<T>(index: number, use: (page: number) => T): T {
    if (this.#closed) {
      throw new Error('the PDF is closed')
    }
    const page = this.#pdfium.FPDF_LoadPage(this.#document, index)
    if (page === 0) {
      throw new PdfiumError('unreadable', `page ${index + 1} cannot be loaded`)
    }
    const form = this.#form?.handle
    try {
      if (form !== undefined) {
        this.#widgetsAsPrinted(page)
        this.#pdfium.FORM_OnAfterLoadPage(page, form)
      }
      return use(page)
    } finally {
      if (form !== undefined) {
        this.#pdfium.FORM_OnBeforeClosePage(page, form)
      }
      this.#pdfium.FPDF_ClosePage(page)
    }
  }

  /**
   * Has the form layer draw the page's fields as they are printed: FPDF_FFLDraw draws them as on
   * screen, leaving out a field only when it is hidden or not to be viewed. A field without the
   * print flag (a Submit button, an "office use" box) is hidden, and one to be printed but not
   * viewed is shown.
   */
  #widgetsAsPrinted(page: number): void {
    const pdfium = this.#pdfium
    const count = pdfium.FPDFPage_GetAnnotCount(page)
    for (let index = 0; index < count; index++) {
      const annotation = pdfium.FPDFPage_GetAnnot(page, index)
      if (annotation === 0) {
        continue
      }
      try {
        if (pdfium.FPDFAnnot_GetSubtype(annotation) !== FPDF_ANNOT_WIDGET) {
          continue
        }
        const flags = pdfium.FPDFAnnot_GetFlags(annotation)
        const printed =
          (flags & FPDF_ANNOT_FLAG_PRINT) === 0
            ? flags | FPDF_ANNOT_FLAG_HIDDEN
            : flags & ~FPDF_ANNOT_FLAG_NOVIEW
        if (printed !== flags) {
          pdfium.FPDFAnnot_SetFlags(annotation, printed)
        }
      } finally {
        pdfium.FPDFPage_CloseAnnot(annotation)
      }
    }
  }

  /**
   * One bitmap for the pages of one size (most documents have a single page size), in a block
   * allocated with `room` octets after the pixels (none if PDFium's memory cannot give them),
   * rows a multiple of 4 octets long.
   */
  #bitmapOf(width: number, height: number, room: number): DrawingBitmap {
    if (
      this.#bitmap?.width === width &&
      this.#bitmap.height === height &&
      this.#bitmap.room >= room
    ) {
      return this.#bitmap
    }
    this.#destroyBitmap()
    const pdfium = this.#pdfium
    const stride = Math.ceil(width / 4) * 4
    // Without the room if it does not fit: the page is then copied to be worked on.
    for (const roomGiven of room === 0 ? [0] : [room, 0]) {
      const block = pdfium.malloc(stride * height + roomGiven)
      if (block === 0) {
        continue
      }
      const handle = pdfium.FPDFBitmap_CreateEx(width, height, FPDF_BITMAP_GRAY, block, stride)
      if (handle === 0) {
        pdfium.free(block)
        continue
      }
      this.#bitmap = { width, height, stride, block, room: roomGiven, handle }
      return this.#bitmap
    }
    throw new PdfiumError('unreadable', `a ${width}×${height} page does not fit in memory`)
  }

  #destroyBitmap(): void {
    if (this.#bitmap !== undefined) {
      // A bitmap made on a block of the caller's does not free it (fpdfview.h).
      this.#pdfium.FPDFBitmap_Destroy(this.#bitmap.handle)
      this.#pdfium.free(this.#bitmap.block)
      this.#bitmap = undefined
    }
  }
}
