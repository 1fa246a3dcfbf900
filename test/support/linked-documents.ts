/**
 * Office documents and PDFs that link to content outside themselves, as an attacker would write
 * them: an ODT whose image is a URL (`xlink:href`, ODF 1.2 §10.4.4 draw:image), a DOCX whose
 * picture is an external relationship (`TargetMode="External"`, ECMA-376 part 2 §9.3), and a PDF
 * whose image data lives in an external file (a stream's `/F` file specification, ISO 32000-1
 * §7.3.8.2). `href: null` gives the same document with no link, to compare pages with.
 */
import { zipStored } from './zip.js'

const ODF_NAMESPACES = [
  'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"',
  'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"',
  'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"',
  'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"',
  'xmlns:xlink="http://www.w3.org/1999/xlink"',
].join(' ')

/** An ODT: a line of text, then a 12 cm square frame whose image is `href` (none when null). */
export function odtLinkingImage(href: string | null): Buffer {
  return odt(href, [])
}

/** The same ODT with `png` inside it, as a picture is normally kept: drawn by any converter. */
export function odtEmbeddingImage(png: Uint8Array): Buffer {
  return odt('Pictures/picture.png', [{ name: 'Pictures/picture.png', data: png }])
}

function odt(href: string | null, parts: { name: string; data: Uint8Array }[]): Buffer {
  const image =
    href === null
      ? ''
      : `<draw:image xlink:href="${escapeXml(href)}" xlink:type="simple" xlink:show="embed" xlink:actuate="onLoad"/>`
  const content = `<?xml version="1.0" encoding="UTF-8"?>
<office:document-content ${ODF_NAMESPACES} office:version="1.2">
<office:body><office:text>
<text:p>Quarterly note from the sender.</text:p>
<text:p><draw:frame draw:name="picture" svg:width="12cm" svg:height="12cm" text:anchor-type="paragraph">${image}</draw:frame></text:p>
</office:text></office:body>
</office:document-content>`
  const manifest = `<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>
<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
${parts.map((part) => `<manifest:file-entry manifest:full-path="${part.name}" manifest:media-type="image/png"/>`).join('\n')}
</manifest:manifest>`
  return zipStored([
    { name: 'mimetype', data: 'application/vnd.oasis.opendocument.text' },
    { name: 'content.xml', data: content },
    ...parts,
    { name: 'META-INF/manifest.xml', data: manifest },
  ])
}

/** A DOCX: a line of text, then a picture whose relationship targets `url` externally. */
export function docxLinkingImage(url: string | null): Buffer {
  const emu = 12 * 360_000 // 12 cm in English Metric Units
  const picture =
    url === null
      ? ''
      : `<w:r><w:drawing><wp:inline><wp:extent cx="${emu}" cy="${emu}"/><wp:docPr id="1" name="picture"/>
<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">
<pic:pic><pic:nvPicPr><pic:cNvPr id="1" name="picture"/><pic:cNvPicPr/></pic:nvPicPr>
<pic:blipFill><a:blip r:link="rIdPicture"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>
<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="${emu}" cy="${emu}"/></a:xfrm><a:prstGeom prst="rect"/></pic:spPr>
</pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>`
  const document = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"
 xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"
 xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
 xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"
 xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture">
<w:body><w:p><w:r><w:t>Quarterly note from the sender.</w:t></w:r></w:p>
<w:p>${picture}</w:p></w:body></w:document>`
  const relationships = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
${
  url === null
    ? ''
    : `<Relationship Id="rIdPicture" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="${escapeXml(url)}" TargetMode="External"/>`
}
</Relationships>`
  return zipStored([
    {
      name: '[Content_Types].xml',
      data: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
</Types>`,
    },
    {
      name: '_rels/.rels',
      data: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rIdDocument" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
</Relationships>`,
    },
    { name: 'word/document.xml', data: document },
    { name: 'word/_rels/document.xml.rels', data: relationships },
  ])
}

/**
 * A one-page PDF with a line of text and a 400 × 400 pt image whose data is in the external
 * file `href` (an empty image of its own when null).
 */
export function pdfLinkingImage(href: string | null): Buffer {
  const external = href === null ? '' : ` /F << /Type /Filespec /FS /URL /F (${href}) >>`
  const imageDictionary = `/Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8 /Length 0${external}`
  const text =
    'BT /F1 12 Tf 72 720 Td (Quarterly note from the sender.) Tj ET q 400 0 0 400 100 200 cm /Im1 Do Q'
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> /XObject << /Im1 6 0 R >> >> >>',
    `<< /Length ${text.length} >>\nstream\n${text}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    `<< ${imageDictionary} >>\nstream\n\nendstream`,
  ]
  let body = '%PDF-1.4\n'
  const offsets: number[] = []
  for (const [index, object] of objects.entries()) {
    offsets.push(Buffer.byteLength(body, 'latin1'))
    body += `${index + 1} 0 obj\n${object}\nendobj\n`
  }
  const xref = Buffer.byteLength(body, 'latin1')
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`
  for (const offset of offsets) {
    body += `${String(offset).padStart(10, '0')} 00000 n \n`
  }
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`
  return Buffer.from(body, 'latin1')
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')
}

/**
 * A web page: a line of text, then a 12 cm square picture whose source is `src`. A picture that
 * is not drawn leaves the same empty frame whatever its source could not be loaded from.
 */
export function htmlLinkingImage(src: string): Buffer {
  return Buffer.from(
    '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>Linked</title></head><body>\n' +
      '<p>This page links a picture.</p>\n' +
      `<p><img src="${src}" width="454" height="454" alt=""></p>\n</body></html>\n`,
    'utf8',
  )
}
