/**
 * The drawing surface every renderer here uses: @napi-rs/canvas, with the fonts that ship with
 * faxd registered once, and the DOM globals that pdf.js expects in place before it is imported
 * (reference/measurements.md: without Path2D, ImageData and DOMMatrix from @napi-rs/canvas, pdf.js
 * 5 fails in CanvasGraphics.paintChar).
 */
import { createRequire } from 'node:module'
import path from 'node:path'
import { DOMMatrix, GlobalFonts, ImageData, Path2D } from '@napi-rs/canvas'

const require = createRequire(import.meta.url)

const globals = globalThis as Record<string, unknown>
globals.Path2D ??= Path2D
globals.ImageData ??= ImageData
globals.DOMMatrix ??= DOMMatrix

/** Font families registered from the dejavu-fonts-ttf package. */
export const TEXT_FONT = 'faxd Mono'
export const SANS_FONT = 'faxd Sans'
export const SANS_BOLD_FONT = 'faxd Sans Bold'

const fontDirectory = path.join(
  path.dirname(require.resolve('dejavu-fonts-ttf/package.json')),
  'ttf',
)
GlobalFonts.registerFromPath(path.join(fontDirectory, 'DejaVuSansMono.ttf'), TEXT_FONT)
GlobalFonts.registerFromPath(path.join(fontDirectory, 'DejaVuSans.ttf'), SANS_FONT)
GlobalFonts.registerFromPath(path.join(fontDirectory, 'DejaVuSans-Bold.ttf'), SANS_BOLD_FONT)

const pdfjsDirectory = path.dirname(require.resolve('pdfjs-dist/package.json'))
/** pdf.js's own data: the 14 standard fonts, CMaps for CJK text, and its WebAssembly decoders. */
export const PDFJS_DATA = {
  standardFontDataUrl: path.join(pdfjsDirectory, 'standard_fonts') + path.sep,
  cMapUrl: path.join(pdfjsDirectory, 'cmaps') + path.sep,
  wasmUrl: path.join(pdfjsDirectory, 'wasm') + path.sep,
}
