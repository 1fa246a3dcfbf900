/**
 * Fax pages as a PDF 1.4 file: each page of a TIFF-F becomes one PDF page showing one image
 * XObject whose data is the page's T.6 (MMR) code, decoded by the reader's CCITTFaxDecode
 * filter (ISO 32000-1 §7.4.6), so nothing is rasterized or re-compressed. Our own TIFF-F files
 * hold one MMR strip per page, copied as it is; pages coded otherwise (MH, MR, uncompressed,
 * several strips, FillOrder 2, BlackIsZero) are decoded and coded again with MMR. A page is
 * shown at its physical size (pels over dots per inch); a page as long as Letter, A4 or Legal
 * paper gets that paper as its MediaBox, so that it prints 1:1 on it.
 */
import { CodecError } from './codec-error.js'
import { PdfFile, asciiOctets, pdfNumber, pdfRef } from './pdf-file.js'
import { encodeMmr } from './t6.js'
import {
  type TiffPageInfo,
  type TiffReadOptions,
  decodeTiffPage,
  listTiffPages,
} from './tiff-read.js'

/** One fax page ready for a PDF: its size, resolution and MMR code. */
export interface FaxImage {
  readonly width: number
  readonly height: number
  /** Dots per inch across (204 for fax) and down (98, 196 or 392). */
  readonly xDpi: number
  readonly yDpi: number
  /** T.6 code of the page, 1 = black in the decoded rows (TIFF WhiteIsZero). */
  readonly mmr: Uint8Array
}

/** Resolutions assumed when a file does not give them: fax fine (as the page previews do). */
const DEFAULT_X_DPI = 204
const DEFAULT_Y_DPI = 196

const POINTS_PER_INCH = 72

/** The images of every page of a TIFF file, in order. */
export function faxImagesOfTiff(tiff: Uint8Array, options: TiffReadOptions = {}): FaxImage[] {
  return listTiffPages(tiff, options).map((page) => faxImageOfTiffPage(tiff, page))
}

/** The image of one page listed by listTiffPages. */
export function faxImageOfTiffPage(tiff: Uint8Array, page: TiffPageInfo): FaxImage {
  const size = {
    width: page.width,
    height: page.height,
    xDpi: page.xDpi ?? DEFAULT_X_DPI,
    yDpi: page.yDpi ?? DEFAULT_Y_DPI,
  }
  const strip = page.strips[0]
  if (
    page.compression === 'mmr' &&
    page.strips.length === 1 &&
    strip !== undefined &&
    page.fillOrder === 1 &&
    page.photometric === 0
  ) {
    // listTiffPages checked that the strip lies within the file.
    return { ...size, mmr: tiff.slice(strip.offset, strip.offset + strip.byteCount) }
  }
  return { ...size, mmr: encodeMmr(decodeTiffPage(tiff, page)) }
}

/** Where a page's image goes on its PDF page, in points (1/72 inch, §8.3.2.3). */
export interface FaxPagePlacement {
  /** Width and height of the page's MediaBox, whose lower left corner is at 0 0. */
  readonly pageWidth: number
  readonly pageHeight: number
  /** The image's lower left corner and size. */
  readonly x: number
  readonly y: number
  readonly width: number
  readonly height: number
}

interface Paper {
  readonly widthPt: number
  readonly heightPt: number
}

/** Letter, A4, Legal (A4: 210 × 297 mm, 1 in = 25.4 mm). */
const PAPERS: readonly Paper[] = [
  { widthPt: 612, heightPt: 792 },
  { widthPt: (210 / 25.4) * POINTS_PER_INCH, heightPt: (297 / 25.4) * POINTS_PER_INCH },
  { widthPt: 612, heightPt: 1008 },
]

/**
 * T.4 §2.2: 1728 pels on a scan line of 215 mm. A page that wide and as long as a paper (within
 * the 1 % that rounding rows to whole lines and T.4's tolerance allow) is put on that paper,
 * centred across: on Letter 1 pt of white shows each side, on A4 2.5 mm of the scan line falls
 * outside the sheet, as it does on a fax machine printing A4.
 */
const SCAN_LINE_PT = (215 / 25.4) * POINTS_PER_INCH
const PAPER_TOLERANCE = 0.01

/** The MediaBox of a page and where its image lies on it. */
export function placeFaxImage(
  image: Pick<FaxImage, 'width' | 'height' | 'xDpi' | 'yDpi'>,
): FaxPagePlacement {
  const width = (image.width * POINTS_PER_INCH) / image.xDpi
  const height = (image.height * POINTS_PER_INCH) / image.yDpi
  const near = (a: number, b: number) => Math.abs(a - b) <= b * PAPER_TOLERANCE
  const paper = near(width, SCAN_LINE_PT)
    ? PAPERS.find((candidate) => near(height, candidate.heightPt))
    : undefined
  const pageWidth = paper?.widthPt ?? width
  const pageHeight = paper?.heightPt ?? height
  return {
    pageWidth,
    pageHeight,
    x: (pageWidth - width) / 2,
    y: (pageHeight - height) / 2,
    width,
    height,
  }
}

/**
 * The dictionary entries of an image XObject (§8.9.5, Table 89) holding a fax page, for
 * PdfFile.addStream: a 1-bit DeviceGray image, whose sample 0 is black and 1 white (the
 * default Decode array [0 1], §8.9.5.2). The CCITTFaxDecode parameters (§7.4.6, Table 11):
 *  - K -1: "Pure two-dimensional encoding (Group 4)".
 *  - Columns, Rows: the width in pels and the height in lines.
 *  - EndOfBlock false: "the filter shall stop when it has decoded the number of rows indicated
 *    by Rows or when its data has been exhausted", so the page ends after Rows lines whether or
 *    not the code ends with EOFB (ours does; other producers' strips need not).
 *  - BlackIs1 false (the default, written out to say it was meant). True would mean that "1
 *    bits shall be interpreted as black pixels and 0 bits as white pixels, the reverse of the
 *    normal PDF convention for image data". T.6 codes runs by colour, white and black, not by
 *    bit value; with BlackIs1 false the filter turns black runs into 0 samples, which DeviceGray
 *    shows black. Our bitmaps' 1 = black is the TIFF WhiteIsZero reading of the same runs and
 *    plays no part here. With BlackIs1 true every page comes out as a negative: Ghostscript
 *    renders our pages to exactly their pels with false and to exactly their inverse with true
 *    (test/codec/pdf-fax-writer.test.ts).
 */
export function faxImageDictionary(image: Pick<FaxImage, 'width' | 'height'>): string {
  return (
    `/Type /XObject /Subtype /Image /Width ${image.width} /Height ${image.height} ` +
    '/ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /CCITTFaxDecode ' +
    `/DecodeParms << /K -1 /Columns ${image.width} /Rows ${image.height} ` +
    '/EndOfBlock false /BlackIs1 false >>'
  )
}

/**
 * Content that paints image `name` into a rectangle. §8.9.4: an image is drawn into the unit
 * square of user space, so the matrix [w 0 0 h x y] scales it to w × h points at (x, y).
 */
export function drawImage(
  name: string,
  box: Omit<FaxPagePlacement, 'pageWidth' | 'pageHeight'>,
): string {
  const matrix = [box.width, 0, 0, box.height, box.x, box.y].map(pdfNumber).join(' ')
  return `q ${matrix} cm /${name} Do Q\n`
}

/** A PDF of the pages, one PDF page per fax page, in order. */
export function writeFaxPdf(images: readonly FaxImage[]): Uint8Array {
  if (images.length === 0) {
    throw new CodecError('bad-argument', 'a fax PDF needs at least one page')
  }
  const pdf = new PdfFile()
  const catalog = pdf.reserve()
  const pages = pdf.reserve()
  const kids: number[] = []
  for (const image of images) {
    checkImage(image)
    const place = placeFaxImage(image)
    const xObject = pdf.addStream(faxImageDictionary(image), image.mmr)
    const content = pdf.addStream('', asciiOctets(drawImage('Fax', place)))
    kids.push(
      pdf.add(
        `<< /Type /Page /Parent ${pdfRef(pages)} ` +
          `/MediaBox [0 0 ${pdfNumber(place.pageWidth)} ${pdfNumber(place.pageHeight)}] ` +
          `/Resources << /XObject << /Fax ${pdfRef(xObject)} >> >> /Contents ${pdfRef(content)} >>`,
      ),
    )
  }
  // §7.7.3.2: a flat page tree, the root's Kids being the pages themselves.
  pdf.set(pages, `<< /Type /Pages /Kids [${kids.map(pdfRef).join(' ')}] /Count ${kids.length} >>`)
  pdf.set(catalog, `<< /Type /Catalog /Pages ${pdfRef(pages)} >>`)
  const info = pdf.add('<< /Producer (faxd) >>')
  return pdf.write(catalog, info)
}

/** A TIFF file's pages as a PDF (see writeFaxPdf). */
export function tiffToPdf(tiff: Uint8Array, options: TiffReadOptions = {}): Uint8Array {
  return writeFaxPdf(faxImagesOfTiff(tiff, options))
}

function checkImage(image: FaxImage): void {
  const whole = (n: number) => Number.isSafeInteger(n) && n >= 1
  if (!whole(image.width) || !whole(image.height)) {
    throw new CodecError('bad-argument', `a page of ${image.width}×${image.height} pels`)
  }
  if (!(image.xDpi > 0 && image.yDpi > 0 && isFinite(image.xDpi) && isFinite(image.yDpi))) {
    throw new CodecError('bad-argument', `a resolution of ${image.xDpi}×${image.yDpi} dpi`)
  }
}
