/**
 * Plain text becomes fax pages, typeset in DejaVu Sans Mono (shipped with faxd through the
 * dejavu-fonts-ttf package, so every install draws the same glyphs; the scripts it lacks from
 * the fonts canvas-runtime.ts falls back to): 10 pt on 12 pt lines,
 * half-inch margins, tabs to every eighth column, long lines wrapped at spaces (or anywhere,
 * for a word longer than the line), a form feed starts a new page.
 */
import { createCanvas } from '@napi-rs/canvas'
import { fontOf, TEXT_FONT } from './canvas-runtime.js'
import type { Resolution } from '../domain/outbox-entry.js'
import type { Paper } from './fax-geometry.js'
import { placePage, POINTS_PER_INCH } from './fax-geometry.js'
import type { GreyImage } from './grey-image.js'
import { greyFromCanvasPixels, placeOnPage } from './grey-image.js'

const FONT_SIZE_PT = 10
const LINE_HEIGHT_PT = 12
const MARGIN_PT = 36
const TAB_STOP = 8

/**
 * Windows-1252 at 0x80–0x9F (WHATWG Encoding, index-windows-1252); elsewhere it is ISO 8859-1.
 * Node's own TextDecoder('windows-1252') decodes these as C1 controls, which no one means.
 */
const WINDOWS_1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152,
  0x8d, 0x17d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122,
  0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
]

/** UTF-8 when the octets are valid UTF-8 (a byte order mark is dropped), else Windows-1252. */
export function decodeText(data: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(data)
  } catch {
    let text = ''
    for (let at = 0; at < data.length; at += 8192) {
      const codes = Array.from(data.subarray(at, at + 8192), (octet) =>
        octet >= 0x80 && octet <= 0x9f ? (WINDOWS_1252_HIGH[octet - 0x80] ?? octet) : octet,
      )
      text += String.fromCharCode(...codes)
    }
    return text
  }
}

/**
 * Lines of text, page by page, so that no line is wider than `width` as `measure` measures it.
 */
export function layoutText(
  text: string,
  measure: (line: string) => number,
  width: number,
  linesPerPage: number,
): string[][] {
  return [...textPageLines(text, measure, width, linesPerPage)]
}

/**
 * layoutText's pages one at a time, laid out only as they are asked for: a text far longer than
 * a fax may be is stopped at the page limit by whoever takes them, after laying out no more than
 * that (a 30 MB text file is thousands of pages).
 */
export function* textPageLines(
  text: string,
  measure: (line: string) => number,
  width: number,
  linesPerPage: number,
): Generator<string[]> {
  // Pages of blank lines wait until a page with text follows: a trailing newline or form feed
  // does not make a blank last page (but a text that is nothing else is one blank page).
  const blanks: string[][] = []
  let any = false
  const emit = function* (page: string[]): Generator<string[]> {
    if (page.every((line) => line === '')) {
      blanks.push(page)
      return
    }
    yield* blanks.splice(0)
    any = true
    yield page
  }
  const normalised = text.replace(/\r\n?/g, '\n')
  let sheetStart = 0
  while (sheetStart <= normalised.length) {
    const sheetEnd = indexOrEnd(normalised, '\f', sheetStart)
    let page: string[] = []
    let lineStart = sheetStart
    while (lineStart <= sheetEnd) {
      const lineEnd = Math.min(indexOrEnd(normalised, '\n', lineStart), sheetEnd)
      for (const line of wrapLine(
        expandTabs(normalised.slice(lineStart, lineEnd)),
        measure,
        width,
      )) {
        if (page.length === linesPerPage) {
          yield* emit(page)
          page = []
        }
        page.push(line)
      }
      lineStart = lineEnd + 1
    }
    yield* emit(page)
    sheetStart = sheetEnd + 1
  }
  if (!any) {
    yield blanks[0] ?? ['']
  }
}

/** Where `what` is next found from `from`, or the text's length. */
function indexOrEnd(text: string, what: string, from: number): number {
  const found = text.indexOf(what, from)
  return found < 0 ? text.length : found
}

function expandTabs(line: string): string {
  if (!line.includes('\t')) {
    return line
  }
  let out = ''
  for (const character of line) {
    if (character === '\t') {
      out += ' '.repeat(TAB_STOP - (Array.from(out).length % TAB_STOP))
    } else {
      out += character
    }
  }
  return out
}

function wrapLine(line: string, measure: (line: string) => number, width: number): string[] {
  if (measure(line) <= width) {
    return [line.trimEnd()]
  }
  const lines: string[] = []
  let current = ''
  // Words keep the spaces before them, so that indentation and runs of spaces survive.
  for (const word of line.match(/\s*\S+|\s+$/g) ?? []) {
    const candidate = current + word
    if (measure(candidate) <= width) {
      current = candidate
      continue
    }
    if (current !== '') {
      lines.push(current.trimEnd())
    }
    current = word.trimStart()
    while (measure(current) > width) {
      const characters = Array.from(current)
      let fits = 1
      while (fits < characters.length && measure(characters.slice(0, fits + 1).join('')) <= width) {
        fits++
      }
      lines.push(characters.slice(0, fits).join(''))
      current = characters.slice(fits).join('')
    }
  }
  lines.push(current.trimEnd())
  return lines
}

/** The text as grey fax pages on `paper`, each drawn as it is asked for. */
export function* renderTextPages(
  text: string,
  paper: Paper,
  resolution: Resolution,
): Generator<GreyImage> {
  const widthPt = paper.widthInches * POINTS_PER_INCH
  const heightPt = paper.heightInches * POINTS_PER_INCH
  const placement = placePage(paper.widthInches, paper.heightInches, resolution)
  const canvas = createCanvas(placement.contentWidth, placement.contentRows)
  const context = canvas.getContext('2d')
  context.font = fontOf(FONT_SIZE_PT, TEXT_FONT)
  const measure = (line: string): number => context.measureText(line).width
  const linesPerPage = Math.floor((heightPt - 2 * MARGIN_PT) / LINE_HEIGHT_PT)
  for (const lines of textPageLines(text, measure, widthPt - 2 * MARGIN_PT, linesPerPage)) {
    context.setTransform(1, 0, 0, 1, 0, 0)
    context.fillStyle = '#fff'
    context.fillRect(0, 0, canvas.width, canvas.height)
    // Draw in points: the transform maps the paper onto the fax grid (204 dpi across, 196/392 down).
    context.setTransform(canvas.width / widthPt, 0, 0, canvas.height / heightPt, 0, 0)
    context.fillStyle = '#000'
    context.textBaseline = 'alphabetic'
    context.font = fontOf(FONT_SIZE_PT, TEXT_FONT)
    lines.forEach((line, index) => {
      context.fillText(line, MARGIN_PT, MARGIN_PT + FONT_SIZE_PT + index * LINE_HEIGHT_PT)
    })
    yield placeOnPage(greyFromCanvasPixels(canvas.data(), canvas.width, canvas.height), placement)
  }
}
