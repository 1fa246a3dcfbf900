/**
 * A PDF whose text is set in Adobe's standard CJK fonts, named and not embedded, as PDFs made for
 * Chinese, Japanese and Korean readers often are (a reader is expected to have those fonts or a
 * stand-in): a page per text, its characters as UCS-2 codes through Adobe's Unicode CMaps
 * (UniGB-UCS2-H, UniJIS-UCS2-H), wrapped every CHARACTERS_A_LINE characters.
 */
import { streamObject, tinyPdf } from './tiny-pdf.js'

/** The fonts: PDF 1.7 (ISO 32000-1), Table 118 lists their character collections. */
export const STANDARD_CJK_FONTS = {
  chinese: { font: 'STSong-Light', encoding: 'UniGB-UCS2-H', ordering: 'GB1', supplement: 4 },
  japanese: { font: 'HeiseiMin-W3', encoding: 'UniJIS-UCS2-H', ordering: 'Japan1', supplement: 5 },
} as const

export type StandardCjkFont = keyof typeof STANDARD_CJK_FONTS

const CHARACTERS_A_LINE = 20
const POINTS = 20

/** The PDF: a Letter page for each of `pages`, its text in the font named. */
export function cjkFontPdf(
  pages: readonly { readonly font: StandardCjkFont; readonly text: string }[],
): Uint8Array {
  const objects: string[] = []
  const add = (body: string): number => objects.push(body)
  add('<< /Type /Catalog /Pages 2 0 R >>')
  const tree = add('') // the page tree, written once its pages are known
  const fonts = new Map<StandardCjkFont, number>()
  for (const [name, font] of Object.entries(STANDARD_CJK_FONTS) as [
    StandardCjkFont,
    (typeof STANDARD_CJK_FONTS)[StandardCjkFont],
  ][]) {
    const descriptor = add(
      `<< /Type /FontDescriptor /FontName /${font.font} /Flags 6 ` +
        '/FontBBox [-200 -300 1100 1000] /ItalicAngle 0 /Ascent 880 /Descent -120 ' +
        '/CapHeight 700 /StemV 80 >>',
    )
    const descendant = add(
      `<< /Type /Font /Subtype /CIDFontType0 /BaseFont /${font.font} ` +
        `/CIDSystemInfo << /Registry (Adobe) /Ordering (${font.ordering}) ` +
        `/Supplement ${font.supplement} >> /FontDescriptor ${descriptor} 0 R >>`,
    )
    fonts.set(
      name,
      add(
        `<< /Type /Font /Subtype /Type0 /BaseFont /${font.font} /Encoding /${font.encoding} ` +
          `/DescendantFonts [${descendant} 0 R] >>`,
      ),
    )
  }
  const kids = pages.map(({ font, text }) => {
    const characters = [...text]
    const lines: string[] = []
    for (let start = 0; start < characters.length; start += CHARACTERS_A_LINE) {
      const codes = characters
        .slice(start, start + CHARACTERS_A_LINE)
        .map((character) => (character.codePointAt(0) ?? 0).toString(16).padStart(4, '0'))
      lines.push(`<${codes.join('')}> Tj 0 ${-1.6 * POINTS} Td`)
    }
    const content = `BT /F1 ${POINTS} Tf 72 700 Td ${lines.join(' ')} ET`
    const stream = add(streamObject(content))
    return add(
      `<< /Type /Page /Parent ${tree} 0 R /MediaBox [0 0 612 792] ` +
        `/Resources << /Font << /F1 ${fonts.get(font)} 0 R >> >> /Contents ${stream} 0 R >>`,
    )
  })
  objects[tree - 1] =
    `<< /Type /Pages /Kids [${kids.map((kid) => `${kid} 0 R`).join(' ')}] /Count ${kids.length} >>`
  return tinyPdf(objects)
}
