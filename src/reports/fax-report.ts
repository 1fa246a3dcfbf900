/**
 * The fax confirmation report (Fax.Plus getFaxReport): one PDF page with the title, a table of
 * what happened to the fax (id, direction, sender, destination, start in UTC, duration, pages,
 * status and its description) and, when the fax has pages, page 1 drawn small in a thin frame.
 * The thumbnail is the page's own MMR image: the image matrix scales it (ISO 32000-1 §8.9.4),
 * so nothing is decoded or re-encoded. Text is set in the standard Helvetica fonts, which every
 * reader has (§9.6.2.2), in WinAnsiEncoding; values too long for their column wrap onto at most
 * three lines. Output depends only on the input: the same fax gives the same octets.
 */
import {
  type FaxImage,
  drawImage,
  faxImageDictionary,
  placeFaxImage,
} from '../codec/pdf-fax-writer.js'
import { PdfFile, asciiOctets, pdfLiteralString, pdfNumber, pdfRef } from '../codec/pdf-file.js'
import type { FaxReportInput } from '../domain/fax-documents.js'
import { helveticaTextWidth, helveticaWidth } from './helvetica-widths.js'
import { WIN_ANSI_ELLIPSIS, winAnsiOctets } from './win-ansi.js'

/** The sheet the report is set on, in points. */
export interface ReportPaper {
  readonly widthPt: number
  readonly heightPt: number
}

export const LETTER_PAPER: ReportPaper = { widthPt: 612, heightPt: 792 }
export const A4_PAPER: ReportPaper = { widthPt: (210 / 25.4) * 72, heightPt: (297 / 25.4) * 72 }

export const REPORT_TITLE = 'Fax confirmation report'

const MARGIN = 54
const TITLE_SIZE = 20
const TEXT_SIZE = 11
const LINE_HEIGHT = 15
const ROW_GAP = 4
const LABEL_COLUMN = 110
const MAX_VALUE_LINES = 3
const THUMBNAIL_MAX_WIDTH = 200
const THUMBNAIL_MAX_HEIGHT = 260
const THUMBNAIL_MIN_HEIGHT = 80
const FRAME_WIDTH = 0.5

/** One row of the table: a label and the lines of its value. */
interface ReportRow {
  readonly label: string
  readonly lines: readonly string[]
}

/** The rows of the report, as text, in the order printed. */
export function reportRows(input: FaxReportInput): ReportRow[] {
  const { fax, account } = input
  const who =
    account === null
      ? []
      : [account.name === '' ? account.email : `${account.name} <${account.email}>`]
  const outgoing = fax.direction === 'outgoing'
  const description =
    fax.description === '' ? (fax.status === 'success' ? 'OK' : fax.status) : fax.description
  return [
    { label: 'Fax ID', lines: [fax.id] },
    { label: 'Direction', lines: [outgoing ? 'Outgoing (sent)' : 'Incoming (received)'] },
    { label: 'Sender', lines: [fax.from, ...(outgoing ? who : [])] },
    { label: 'Destination', lines: [fax.to, ...(outgoing ? [] : who)] },
    { label: 'Date and time', lines: [formatUtc(fax.startedAtMs)] },
    { label: 'Duration', lines: [formatDuration(fax.durationSeconds)] },
    { label: 'Pages', lines: [String(fax.pages)] },
    { label: 'Status', lines: [fax.status] },
    { label: 'Description', lines: [description] },
  ]
}

/** "YYYY-MM-DD HH:mm:ss UTC". */
export function formatUtc(ms: number): string {
  const iso = new Date(ms).toISOString()
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`
}

/** Seconds as "35 s", "1 min 35 s" or "1 h 2 min 5 s". */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds))
  const hours = Math.floor(total / 3600)
  const minutes = Math.floor((total % 3600) / 60)
  const rest = total % 60
  const parts: string[] = []
  if (hours > 0) {
    parts.push(`${hours} h`)
  }
  if (hours > 0 || minutes > 0) {
    parts.push(`${minutes} min`)
  }
  parts.push(`${rest} s`)
  return parts.join(' ')
}

/** The report as a PDF: `firstPage` is page 1 of the fax, or null when it has no pages. */
export function writeFaxReport(
  input: FaxReportInput,
  firstPage: FaxImage | null,
  paper: ReportPaper = LETTER_PAPER,
): Uint8Array {
  const pdf = new PdfFile()
  const catalog = pdf.reserve()
  const pages = pdf.reserve()
  const regular = pdf.add(standardFont('Helvetica'))
  const bold = pdf.add(standardFont('Helvetica-Bold'))

  const content = new ContentText()
  let y = paper.heightPt - MARGIN - TITLE_SIZE
  content.text('Bold', TITLE_SIZE, MARGIN, y, winAnsiOctets(REPORT_TITLE))
  y -= 12
  content.raw(`${FRAME_WIDTH} w 0 G ${MARGIN} ${pdfNumber(y)} m `)
  content.raw(`${pdfNumber(paper.widthPt - MARGIN)} ${pdfNumber(y)} l S\n`)
  y -= 10

  const valueX = MARGIN + LABEL_COLUMN
  const valueWidth = paper.widthPt - MARGIN - valueX
  for (const row of reportRows(input)) {
    y -= LINE_HEIGHT
    content.text('Bold', TEXT_SIZE, MARGIN, y, winAnsiOctets(row.label))
    const lines = row.lines.flatMap((line) => wrap(winAnsiOctets(line), TEXT_SIZE, valueWidth))
    lines.forEach((line, index) => {
      if (index > 0) {
        y -= LINE_HEIGHT
      }
      content.text('Regular', TEXT_SIZE, valueX, y, line)
    })
    y -= ROW_GAP
  }

  let xObjects = ''
  if (firstPage !== null) {
    y -= LINE_HEIGHT + 6
    content.text('Bold', TEXT_SIZE, MARGIN, y, winAnsiOctets('Page 1'))
    y -= 8
    // The page's own proportions (its pels are not square: 204 across, 98–392 down).
    const { width, height } = placeFaxImage(firstPage)
    const room = Math.max(THUMBNAIL_MIN_HEIGHT, Math.min(THUMBNAIL_MAX_HEIGHT, y - MARGIN))
    const scale = Math.min(THUMBNAIL_MAX_WIDTH / width, room / height)
    const thumbnail = {
      x: MARGIN,
      y: y - height * scale,
      width: width * scale,
      height: height * scale,
    }
    const image = pdf.addStream(faxImageDictionary(firstPage), firstPage.mmr)
    xObjects = ` /XObject << /Page1 ${pdfRef(image)} >>`
    content.raw(drawImage('Page1', thumbnail))
    // §8.5.3.1: a stroke is centred on its path; the frame lies just outside the image.
    const frame = [
      thumbnail.x - FRAME_WIDTH / 2,
      thumbnail.y - FRAME_WIDTH / 2,
      thumbnail.width + FRAME_WIDTH,
      thumbnail.height + FRAME_WIDTH,
    ]
    content.raw(`q ${FRAME_WIDTH} w 0 G ${frame.map(pdfNumber).join(' ')} re S Q\n`)
  }

  const contents = pdf.addStream('', asciiOctets(content.source))
  const page = pdf.add(
    `<< /Type /Page /Parent ${pdfRef(pages)} ` +
      `/MediaBox [0 0 ${pdfNumber(paper.widthPt)} ${pdfNumber(paper.heightPt)}] ` +
      `/Resources << /Font << /Regular ${pdfRef(regular)} /Bold ${pdfRef(bold)} >>${xObjects} >> ` +
      `/Contents ${pdfRef(contents)} >>`,
  )
  pdf.set(pages, `<< /Type /Pages /Kids [${pdfRef(page)}] /Count 1 >>`)
  pdf.set(catalog, `<< /Type /Catalog /Pages ${pdfRef(pages)} >>`)
  const title = pdfLiteralString(winAnsiOctets(`${REPORT_TITLE} ${input.fax.id}`))
  const info = pdf.add(`<< /Title ${title} /Producer (faxd) >>`)
  return pdf.write(catalog, info)
}

/**
 * §9.6.2.2: the standard 14 fonts need no FontDescriptor or embedded program; /Encoding
 * /WinAnsiEncoding (§9.6.6.1, Annex D) says how the octets of the strings map to glyphs.
 */
function standardFont(baseFont: 'Helvetica' | 'Helvetica-Bold'): string {
  return `<< /Type /Font /Subtype /Type1 /BaseFont /${baseFont} /Encoding /WinAnsiEncoding >>`
}

/** A content stream being written: text objects and raw operators, ASCII only. */
class ContentText {
  source = ''

  /** §9.4: a text object placing one line; `Tm` sets the text matrix to a translation. */
  text(font: 'Regular' | 'Bold', size: number, x: number, y: number, octets: Uint8Array): void {
    this.source +=
      `BT /${font} ${size} Tf 1 0 0 1 ${pdfNumber(x)} ${pdfNumber(y)} Tm ` +
      `${pdfLiteralString(octets)} Tj ET\n`
  }

  raw(operators: string): void {
    this.source += operators
  }
}

const SPACE = 0x20

/**
 * Breaks WinAnsi text into lines no wider than `width`: at spaces where it can, inside a word
 * where a word alone is too wide. More than MAX_VALUE_LINES lines end with an ellipsis.
 */
function wrap(octets: Uint8Array, size: number, width: number): Uint8Array[] {
  const lines: Uint8Array[] = []
  let start = 0
  while (start < octets.length) {
    let end = start
    let used = 0
    let lastSpace = -1
    while (end < octets.length) {
      const advance = (helveticaWidth(octets[end] ?? SPACE) * size) / 1000
      if (used + advance > width && end > start) {
        break
      }
      if (octets[end] === SPACE) {
        lastSpace = end
      }
      used += advance
      end += 1
    }
    if (end < octets.length && lastSpace > start) {
      end = lastSpace
    }
    lines.push(octets.subarray(start, end))
    start = end
    while (octets[start] === SPACE) {
      start += 1
    }
  }
  if (lines.length <= MAX_VALUE_LINES) {
    return lines.length === 0 ? [octets] : lines
  }
  const last = lines[MAX_VALUE_LINES - 1] ?? new Uint8Array(0)
  const withEllipsis = (n: number) => Uint8Array.of(...last.subarray(0, n), WIN_ANSI_ELLIPSIS)
  let cut = last.length
  while (cut > 0 && helveticaTextWidth(withEllipsis(cut), size) > width) {
    cut -= 1
  }
  return [...lines.slice(0, MAX_VALUE_LINES - 1), withEllipsis(cut)]
}
