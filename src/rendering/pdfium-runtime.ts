/**
 * What PDFium's WebAssembly (@embedpdf/pdfium, built with Emscripten) needs from its host, as
 * faxd provides it: the 37 functions it imports, most of them a C library's way to the outside
 * world that a render has no use for. The package's own host is 300 KB of JavaScript that wraps
 * every one of PDFium's 630 functions and emulates a file system; loading and starting it took
 * 25 ms of every render process and page thread, twice what PDFium itself takes to start here.
 *
 * The contract, from Emscripten's generated host code and system library:
 * - `invoke_*(index, ...args)` call function `index` of the module's table. PDFium's C code
 *   (libjpeg, libpng) uses setjmp/longjmp, which Emscripten builds as a JavaScript exception:
 *   `_emscripten_throw_longjmp` throws `Infinity`, and an `invoke_*` that catches a number
 *   restores the stack and calls `setThrew(1, 0)`, so that the setjmp point sees the jump.
 * - `emscripten_resize_heap(size)` grows the memory to at least `size` octets: 1 if it could.
 * - The file system calls (`__syscall_*`, `fd_*`) see the system's font folders, read-only, and
 *   nothing else (pdfium-font-files.ts): the document is in memory, and a font it names without
 *   embedding it is looked for there. Errors are WASI errno values.
 * - Times are UTC: drawing a page needs no local time (the sandbox has no time zone anyway).
 * - An abort or a failed assertion throws. The render that met it fails, and a render process
 *   or page thread leaves after a failure (render-process.ts), so the instance is not used again
 *   there; Emscripten's own host would refuse any further call.
 */

import { PdfiumFontFiles } from './pdfium-font-files.js'

/** WASI errno values (wasi_snapshot_preview1), which Emscripten's C library uses. */
const EBADF = 8
const ENOENT = 44

/** A WebAssembly page. */
const PAGE_OCTETS = 65536
/** Memory grows by a fifth at least, by 96 MB at most beyond what is asked for. */
const GROWTH_FACTOR = 1.2
const GROWTH_CAP_OCTETS = 96 * 1024 * 1024

/**
 * The few names of WebAssembly's JavaScript interface used here: Node.js has them, and neither
 * ES2023's lib nor @types/node 20 declares them.
 */
declare const WebAssembly: {
  Module: { imports(module: object): { module: string; name: string; kind: string }[] }
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> }
}

interface Memory {
  readonly buffer: ArrayBuffer
  grow(pages: number): number
}

interface Table {
  get(index: number): (...args: number[]) => number | undefined
}

/**
 * Where a page is drawn into a bitmap, as FPDF_RenderPageBitmap and FPDF_FFLDraw both take it:
 * the page's rectangle in the bitmap, its quarter turns clockwise, and the render flags.
 */
export type DrawArea = [
  left: number,
  top: number,
  width: number,
  height: number,
  rotate: number,
  flags: number,
]

/** PDFium's exports that faxd calls, with C's types as JavaScript numbers (pointers too). */
export interface PdfiumExports {
  readonly memory: Memory
  malloc(size: number): number
  free(pointer: number): void
  PDFiumExt_Init(): void
  FPDF_LoadMemDocument(data: number, size: number, password: number): number
  FPDF_GetLastError(): number
  FPDF_GetPageCount(document: number): number
  FPDF_CloseDocument(document: number): void
  FPDF_LoadPage(document: number, index: number): number
  FPDF_ClosePage(page: number): void
  FPDF_GetPageWidthF(page: number): number
  FPDF_GetPageHeightF(page: number): number
  FPDFBitmap_CreateEx(
    width: number,
    height: number,
    format: number,
    buffer: number,
    stride: number,
  ): number
  FPDFBitmap_Destroy(bitmap: number): void
  FPDFBitmap_FillRect(
    bitmap: number,
    left: number,
    top: number,
    width: number,
    height: number,
    color: number,
  ): void
  FPDF_RenderPageBitmap(bitmap: number, page: number, ...area: DrawArea): void
  FPDF_GetFormType(document: number): number
  FPDFPage_GetAnnotCount(page: number): number
  FPDFPage_GetAnnot(page: number, index: number): number
  FPDFPage_CloseAnnot(annotation: number): void
  FPDFAnnot_GetSubtype(annotation: number): number
  FPDFAnnot_GetFlags(annotation: number): number
  FPDFAnnot_SetFlags(annotation: number, flags: number): number
  PDFiumExt_OpenFormFillInfo(): number
  PDFiumExt_CloseFormFillInfo(info: number): void
  PDFiumExt_InitFormFillEnvironment(document: number, info: number): number
  PDFiumExt_ExitFormFillEnvironment(form: number): void
  FPDF_RemoveFormFieldHighlight(form: number): void
  FORM_OnAfterLoadPage(page: number, form: number): void
  FORM_OnBeforeClosePage(page: number, form: number): void
  FPDF_FFLDraw(form: number, bitmap: number, page: number, ...area: DrawArea): void
}

/** The runtime's own exports, which it calls itself. */
interface RuntimeExports {
  readonly __indirect_function_table: Table
  __wasm_call_ctors(): void
  emscripten_stack_init(): void
  emscripten_stack_get_current(): number
  _emscripten_stack_restore(pointer: number): void
  setThrew(threw: number, value: number): void
}

/** A running PDFium: its exports, and its memory as octets (read anew after every call). */
export interface PdfiumInstance {
  readonly exports: PdfiumExports
  heap(): Uint8Array
}

/** PDFium started from its compiled module: instantiated, its C runtime initialised. */
export function startPdfium(module: object): PdfiumInstance {
  // Set once the instance exists; the host's functions are made before it.
  const started: { exports?: PdfiumExports & RuntimeExports } = {}
  const running = (): PdfiumExports & RuntimeExports => {
    if (started.exports === undefined) {
      throw new Error('PDFium called its host before it was instantiated')
    }
    return started.exports
  }
  let octets = new Uint8Array(0)
  const heap = (): Uint8Array => {
    const { buffer } = running().memory
    if (octets.buffer !== buffer) {
      octets = new Uint8Array(buffer)
    }
    return octets
  }
  const words = (): Int32Array => new Int32Array(running().memory.buffer)
  const text = (pointer: number): string => {
    const memory = heap()
    const end = memory.indexOf(0, pointer)
    return Buffer.from(memory.subarray(pointer, end < 0 ? memory.length : end)).toString('utf8')
  }

  const invoke = (index: number, ...args: number[]): number | undefined => {
    const wasm = running()
    const stack = wasm.emscripten_stack_get_current()
    try {
      return wasm.__indirect_function_table.get(index)(...args)
    } catch (error) {
      wasm._emscripten_stack_restore(stack)
      // A longjmp is thrown as a number; anything else is a real error.
      if (typeof error !== 'number') {
        throw error
      }
      wasm.setThrew(1, 0)
      return undefined
    }
  }

  const host: Record<string, (...args: number[]) => number | undefined | void> = {
    _emscripten_throw_longjmp: () => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- Emscripten's contract.
      throw Infinity
    },
    _abort_js: () => {
      throw new Error('PDFium aborted')
    },
    __assert_fail: (condition, file, line, func) => {
      throw new Error(
        `PDFium failed an assertion: ${text(condition)} (${text(file)}:${line}, ${text(func)})`,
      )
    },
    _emscripten_memcpy_js: (target, source, count) => {
      heap().copyWithin(target, source, source + count)
    },
    emscripten_date_now: () => Date.now(),
    emscripten_resize_heap: (requested) => growMemory(running().memory, requested >>> 0),
    _tzset_js: () => {},
    _gmtime_js: (low, high, tm) => writeUtcTime(words(), (low >>> 0) + high * 2 ** 32, tm),
    _localtime_js: (low, high, tm) => writeUtcTime(words(), (low >>> 0) + high * 2 ** 32, tm),
    environ_sizes_get: (count, size) => {
      words()[count >> 2] = 0
      words()[size >> 2] = 0
      return 0
    },
    environ_get: () => 0,
    fd_write: (fd, vectors, vectorCount, written) => {
      // PDFium's complaints about a document, on the render's standard error.
      const memory = heap()
      const pairs = words()
      let total = 0
      for (let k = 0; k < vectorCount; k++) {
        const start = pairs[(vectors >> 2) + 2 * k]! >>> 0
        const length = pairs[(vectors >> 2) + 2 * k + 1]! >>> 0
        if (fd === 1 || fd === 2) {
          process.stderr.write(memory.slice(start, start + length))
        }
        total += length
      }
      pairs[written >> 2] = total
      return fd === 1 || fd === 2 ? 0 : EBADF
    },
    // The system's font folders, read-only: a font a PDF names and does not embed is found.
    ...new PdfiumFontFiles({ octets: heap, words, text }).calls(),
  }

  const imports: Record<string, Record<string, unknown>> = {}
  for (const { module: from, name, kind } of WebAssembly.Module.imports(module)) {
    const provided = kind === 'function' ? (host[name] ?? systemCall(name, invoke)) : undefined
    if (provided === undefined) {
      throw new Error(`PDFium's WebAssembly imports ${from}.${name}, which faxd does not provide`)
    }
    ;(imports[from] ??= {})[name] = provided
  }
  const exports = new WebAssembly.Instance(module, imports).exports as unknown as PdfiumExports &
    RuntimeExports
  started.exports = exports
  exports.emscripten_stack_init()
  exports.__wasm_call_ctors()
  exports.PDFiumExt_Init()
  return { exports, heap }
}

/** invoke_* as `invoke`, and any other file system call as an empty file system answers it. */
function systemCall(
  name: string,
  invoke: (index: number, ...args: number[]) => number | undefined,
): ((...args: number[]) => number | undefined) | undefined {
  if (name.startsWith('invoke_')) {
    return invoke
  }
  if (!name.startsWith('__syscall_')) {
    return undefined
  }
  // Naming a file finds none; a descriptor was never opened.
  const byName = /(open|stat|unlink|rmdir)/.test(name) && !name.includes('fstat64')
  return () => -(byName ? ENOENT : EBADF)
}

/** Grows `memory` to hold `requested` octets, with room to spare; 1 if it could, else 0. */
function growMemory(memory: Memory, requested: number): number {
  const current = memory.buffer.byteLength
  const generous = Math.max(
    requested,
    Math.min(current * GROWTH_FACTOR, requested + GROWTH_CAP_OCTETS),
  )
  for (const wanted of [generous, requested]) {
    try {
      memory.grow(Math.ceil((wanted - current) / PAGE_OCTETS))
      return 1
    } catch {
      // Past the module's maximum, or the machine's: the exact amount is tried next.
    }
  }
  return 0
}

/** C's `struct tm` at `tm` for `seconds` since 1970, in UTC (musl's layout: nine ints and more). */
function writeUtcTime(words: Int32Array, seconds: number, tm: number): void {
  const date = new Date(seconds * 1000)
  const at = tm >> 2
  words[at] = date.getUTCSeconds()
  words[at + 1] = date.getUTCMinutes()
  words[at + 2] = date.getUTCHours()
  words[at + 3] = date.getUTCDate()
  words[at + 4] = date.getUTCMonth()
  words[at + 5] = date.getUTCFullYear() - 1900
  words[at + 6] = date.getUTCDay()
  words[at + 7] = Math.floor((date.getTime() - Date.UTC(date.getUTCFullYear(), 0, 1)) / 86_400_000)
  // tm_isdst, and tm_gmtoff: no daylight saving, no offset.
  words[at + 8] = 0
  words[at + 9] = 0
}
