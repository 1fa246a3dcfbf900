/**
 * The cover page of design.md: FAX, the date and the total page count, TO, FROM and SUBJECT,
 * the four flags as boxes (ticked when asked for), the MESSAGE, and the company logo in the top
 * right corner when there is one. A message too long for the first sheet continues on further
 * cover sheets rather than being cut; `coverSheetCount` tells how many before anything is drawn,
 * so that the total page count printed on the first sheet is right.
 */
import type { SKRSContext2D } from '@napi-rs/canvas'
import { createCanvas, loadImage } from '@napi-rs/canvas'
import { fontOf, SANS_BOLD_FONT, SANS_FONT } from './canvas-runtime.js'
import type { CoverPage, CoverPageFlag, Resolution } from '../domain/outbox-entry.js'
import { COVER_PAGE_FLAGS } from '../domain/outbox-entry.js'
import type { Paper } from './fax-geometry.js'
import { placePage, POINTS_PER_INCH } from './fax-geometry.js'
import type { GreyImage } from './grey-image.js'
import { greyFromCanvasPixels, placeOnPage } from './grey-image.js'
import { layoutText } from './text-pages.js'
import { RenderingError } from './rendering-error.js'

export interface CoverSheetInput {
  readonly cover: CoverPage
  /** As printed, e.g. "2026-11-27 18:40 UTC"; the caller picks the clock and the zone. */
  readonly date: string
  /** The company logo (PNG or JPEG), when `include_company_logo` and the account has one. */
  readonly logo?: Uint8Array
}

const FLAG_LABELS: Readonly<Record<CoverPageFlag, string>> = {
  urgent: 'Urgent',
  for_review: 'For review',
  please_reply: 'Please reply',
  confidential: 'Confidential',
}

const MARGIN = 54
const FIELD_SIZE = 13
const FIELD_LEADING = 17
const MESSAGE_SIZE = 12
const MESSAGE_LEADING = 16
const LOGO_BOX = { width: 180, height: 72 }

/** Lines of the message on each sheet: the first sheet has less room than the ones after. */
function messageSheets(cover: CoverPage, paper: Paper, context: SKRSContext2D): string[][] {
  const width = paper.widthInches * POINTS_PER_INCH - 2 * MARGIN - 16
  const height = paper.heightInches * POINTS_PER_INCH
  context.font = fontOf(MESSAGE_SIZE, SANS_FONT)
  const measure = (line: string): number => context.measureText(line).width
  const firstLines = Math.floor(
    (height - firstMessageTop(cover, paper, context) - MARGIN - 16) / MESSAGE_LEADING,
  )
  const laterLines = Math.floor((height - 2 * MARGIN - 80) / MESSAGE_LEADING)
  const all = layoutText(cover.message ?? '', measure, width, Number.MAX_SAFE_INTEGER).flat()
  const sheets = [all.slice(0, firstLines)]
  for (let at = firstLines; at < all.length; at += laterLines) {
    sheets.push(all.slice(at, at + laterLines))
  }
  return sheets
}

/** Where the message box starts on the first sheet, in points from the top. */
function firstMessageTop(cover: CoverPage, paper: Paper, context: SKRSContext2D): number {
  let y = MARGIN + 150
  for (const value of [cover.nameTo, cover.nameFrom, cover.subject]) {
    y += fieldLines(value, paper, context).length * FIELD_LEADING + 10
  }
  return y + 70
}

function fieldLines(value: string, paper: Paper, context: SKRSContext2D): string[] {
  const width = paper.widthInches * POINTS_PER_INCH - 2 * MARGIN - 90
  context.font = fontOf(FIELD_SIZE, SANS_FONT)
  const measure = (line: string): number => context.measureText(line).width
  return layoutText(value.replace(/\s+/g, ' '), measure, width, Number.MAX_SAFE_INTEGER)
    .flat()
    .slice(0, 4)
}

/** How many sheets the cover takes (1 unless the message is long). */
export function coverSheetCount(cover: CoverPage, paper: Paper): number {
  const context = createCanvas(1, 1).getContext('2d')
  return messageSheets(cover, paper, context).length
}

/** The cover sheets as grey fax pages; `totalPages` counts them and every document page. */
export async function renderCoverSheets(
  input: CoverSheetInput,
  totalPages: number,
  paper: Paper,
  resolution: Resolution,
): Promise<GreyImage[]> {
  const placement = placePage(paper.widthInches, paper.heightInches, resolution)
  const widthPt = paper.widthInches * POINTS_PER_INCH
  const heightPt = paper.heightInches * POINTS_PER_INCH
  const canvas = createCanvas(placement.contentWidth, placement.contentRows)
  const context = canvas.getContext('2d')
  const sheets = messageSheets(input.cover, paper, context)
  const logo = input.logo === undefined ? undefined : await decodeLogo(input.logo)

  const pages: GreyImage[] = []
  for (const [index, lines] of sheets.entries()) {
    context.setTransform(1, 0, 0, 1, 0, 0)
    context.fillStyle = '#fff'
    context.fillRect(0, 0, canvas.width, canvas.height)
    context.setTransform(canvas.width / widthPt, 0, 0, canvas.height / heightPt, 0, 0)
    context.fillStyle = '#000'
    context.strokeStyle = '#000'
    let y: number
    if (index === 0) {
      y = drawHeading(context, input, totalPages, widthPt, logo)
      for (const [label, value] of [
        ['TO:', input.cover.nameTo],
        ['FROM:', input.cover.nameFrom],
        ['SUBJECT:', input.cover.subject],
      ] as const) {
        y = drawField(context, label, fieldLines(value, paper, context), y, widthPt)
      }
      y = drawFlags(context, input.cover.flags, y + 14)
    } else {
      context.font = fontOf(20, SANS_BOLD_FONT)
      context.fillText(
        `FAX cover, continued (${index + 1} of ${sheets.length})`,
        MARGIN,
        MARGIN + 20,
      )
      y = MARGIN + 44
    }
    drawMessage(context, lines, y, widthPt, heightPt, index > 0)
    const pixels = canvas.data()
    pages.push(placeOnPage(greyFromCanvasPixels(pixels, canvas.width, canvas.height), placement))
  }
  return pages
}

type Logo = Awaited<ReturnType<typeof loadImage>>

async function decodeLogo(data: Uint8Array): Promise<Logo> {
  try {
    return await loadImage(Buffer.from(data))
  } catch (error) {
    throw new RenderingError('failed_render_header_issue', 'the company logo cannot be read', {
      cause: error,
    })
  }
}

function drawHeading(
  context: SKRSContext2D,
  input: CoverSheetInput,
  totalPages: number,
  widthPt: number,
  logo: Logo | undefined,
): number {
  context.font = fontOf(44, SANS_BOLD_FONT)
  context.fillText('FAX', MARGIN, MARGIN + 40)
  if (logo !== undefined && logo.width > 0 && logo.height > 0) {
    const scale = Math.min(LOGO_BOX.width / logo.width, LOGO_BOX.height / logo.height)
    const width = logo.width * scale
    const height = logo.height * scale
    context.drawImage(logo, widthPt - MARGIN - width, MARGIN, width, height)
  }
  context.font = fontOf(FIELD_SIZE, SANS_FONT)
  context.fillText(`Date: ${input.date}`, MARGIN, MARGIN + 80)
  const sheets = totalPages === 1 ? '1 page' : `${totalPages} pages`
  context.fillText(`Pages: ${sheets}, including this cover page`, MARGIN, MARGIN + 100)
  context.lineWidth = 1.5
  line(context, MARGIN, MARGIN + 118, widthPt - MARGIN, MARGIN + 118)
  return MARGIN + 150
}

function drawField(
  context: SKRSContext2D,
  label: string,
  lines: readonly string[],
  top: number,
  widthPt: number,
): number {
  context.font = fontOf(FIELD_SIZE, SANS_BOLD_FONT)
  context.fillText(label, MARGIN, top)
  context.font = fontOf(FIELD_SIZE, SANS_FONT)
  lines.forEach((text, index) => {
    context.fillText(text, MARGIN + 90, top + index * FIELD_LEADING)
  })
  const bottom = top + Math.max(1, lines.length) * FIELD_LEADING - FIELD_LEADING + 6
  context.lineWidth = 0.75
  line(context, MARGIN + 88, bottom, widthPt - MARGIN, bottom)
  return bottom + FIELD_LEADING + 4
}

function drawFlags(context: SKRSContext2D, flags: readonly CoverPageFlag[], top: number): number {
  context.font = fontOf(FIELD_SIZE, SANS_FONT)
  let x = MARGIN
  for (const flag of COVER_PAGE_FLAGS) {
    const size = 12
    context.lineWidth = 1.25
    context.strokeRect(x, top - size + 2, size, size)
    if (flags.includes(flag)) {
      // A tick: two strokes inside the box.
      context.lineWidth = 2
      context.beginPath()
      context.moveTo(x + 2.5, top - 4)
      context.lineTo(x + 5.5, top)
      context.lineTo(x + 10.5, top - 9)
      context.stroke()
    }
    context.fillText(FLAG_LABELS[flag], x + size + 6, top)
    x += size + 6 + context.measureText(FLAG_LABELS[flag]).width + 24
  }
  return top + 40
}

function drawMessage(
  context: SKRSContext2D,
  lines: readonly string[],
  top: number,
  widthPt: number,
  heightPt: number,
  continued: boolean,
): void {
  if (!continued) {
    context.font = fontOf(FIELD_SIZE, SANS_BOLD_FONT)
    context.fillText('MESSAGE:', MARGIN, top)
  }
  const boxTop = top + 10
  context.lineWidth = 1
  context.strokeRect(MARGIN, boxTop, widthPt - 2 * MARGIN, heightPt - MARGIN - boxTop)
  context.font = fontOf(MESSAGE_SIZE, SANS_FONT)
  lines.forEach((text, index) => {
    context.fillText(text, MARGIN + 8, boxTop + 8 + MESSAGE_SIZE + index * MESSAGE_LEADING)
  })
}

function line(context: SKRSContext2D, x1: number, y1: number, x2: number, y2: number): void {
  context.beginPath()
  context.moveTo(x1, y1)
  context.lineTo(x2, y2)
  context.stroke()
}
