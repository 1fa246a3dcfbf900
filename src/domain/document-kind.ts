/**
 * What kind of document a file is, decided from its first octets, never from its name or the
 * MIME type the client claimed. The upload refuses a kind faxd cannot render; the renderer
 * dispatches on the same answer, so the two never disagree.
 */

export const DOCUMENT_KINDS = ['pdf', 'tiff', 'png', 'jpeg', 'text', 'office'] as const
export type DocumentKind = (typeof DOCUMENT_KINDS)[number]

/** The formats an operator sees in errors and docs, in the order Fax.Plus lists them. */
export const DOCUMENT_FORMAT_NAMES: Readonly<Record<DocumentKind, string>> = {
  office: 'DOC, DOCX, RTF, XLS, XLSX, ODT, ODS, HTML',
  pdf: 'PDF',
  text: 'TXT',
  jpeg: 'JPG',
  png: 'PNG',
  tiff: 'TIFF',
}

/** How many leading octets `sniffDocumentKind` looks at; callers may pass fewer for small files. */
export const SNIFF_BYTES = 65_536

const PDF_MAGIC = [0x25, 0x50, 0x44, 0x46, 0x2d] // "%PDF-"
const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
const JPEG_MAGIC = [0xff, 0xd8, 0xff]
const TIFF_LITTLE = [0x49, 0x49, 0x2a, 0x00] // "II*\0"
const TIFF_BIG = [0x4d, 0x4d, 0x00, 0x2a] // "MM\0*"
const OLE2_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1] // Word 97 / Excel 97 containers
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04]
const RTF_MAGIC = [0x7b, 0x5c, 0x72, 0x74, 0x66] // "{\rtf"

/** PDF 1.7 (ISO 32000-1) §7.5.2: readers accept the header anywhere in the first 1024 octets. */
const PDF_HEADER_WINDOW = 1024

/**
 * The kind of the document whose first octets are `head`, or undefined when faxd cannot render
 * it. An empty file is no document.
 */
export function sniffDocumentKind(head: Uint8Array): DocumentKind | undefined {
  if (head.length === 0) {
    return undefined
  }
  if (indexOf(head.subarray(0, PDF_HEADER_WINDOW), PDF_MAGIC) >= 0) {
    return 'pdf'
  }
  if (startsWith(head, PNG_MAGIC)) {
    return 'png'
  }
  if (startsWith(head, JPEG_MAGIC)) {
    return 'jpeg'
  }
  if (startsWith(head, TIFF_LITTLE) || startsWith(head, TIFF_BIG)) {
    return 'tiff'
  }
  if (startsWith(head, OLE2_MAGIC) || startsWith(head, RTF_MAGIC)) {
    return 'office'
  }
  if (startsWith(head, ZIP_MAGIC)) {
    return isOfficeArchive(head) ? 'office' : undefined
  }
  if (!looksLikeText(head)) {
    return undefined
  }
  // A web page is laid out by LibreOffice, as an Office document is, not faxed as its source.
  return looksLikeHtml(head) ? 'office' : 'text'
}

/**
 * An HTML document: text that starts, after a byte order mark, white space and comments, with
 * `<!DOCTYPE html` or `<html` (HTML Living Standard §13.1: a document is an optional BOM,
 * comments and white space, the DOCTYPE, then the html element), in any case.
 */
export function looksLikeHtml(head: Uint8Array): boolean {
  let text = new TextDecoder('latin1').decode(head.subarray(0, 4096))
  text = text.replace(/^\xef\xbb\xbf/, '')
  for (;;) {
    const trimmed = text.replace(/^\s+/, '')
    if (!trimmed.startsWith('<!--')) {
      text = trimmed
      break
    }
    const end = trimmed.indexOf('-->')
    if (end < 0) {
      return false
    }
    text = trimmed.slice(end + 3)
  }
  return /^(<!doctype\s+html[\s>]|<html[\s>])/i.test(text)
}

/**
 * Office Open XML packages name `[Content_Types].xml` among their first entries; OpenDocument
 * packages start with an uncompressed entry `mimetype` holding `application/vnd.oasis.opendocument.…`
 * (ODF 1.2 Part 3 §3.3).
 */
function isOfficeArchive(head: Uint8Array): boolean {
  return (
    indexOf(head, ascii('[Content_Types].xml')) >= 0 ||
    indexOf(head.subarray(0, 200), ascii('application/vnd.oasis.opendocument.')) >= 0
  )
}

/**
 * Plain text: UTF-8 (with or without a byte order mark), or a single-byte code page such as
 * Windows-1252, with no control characters other than tab, line feed, form feed and carriage
 * return. A NUL anywhere means a binary file.
 */
function looksLikeText(head: Uint8Array): boolean {
  for (const octet of head) {
    if (octet < 0x20 && octet !== 0x09 && octet !== 0x0a && octet !== 0x0c && octet !== 0x0d) {
      return false
    }
    if (octet === 0x7f) {
      return false
    }
  }
  return true
}

function startsWith(data: Uint8Array, prefix: readonly number[]): boolean {
  return data.length >= prefix.length && prefix.every((octet, i) => data[i] === octet)
}

function indexOf(data: Uint8Array, needle: readonly number[]): number {
  const first = needle[0]
  const last = data.length - needle.length
  for (let i = 0; i <= last; i++) {
    if (data[i] === first && needle.every((octet, j) => data[i + j] === octet)) {
      return i
    }
  }
  return -1
}

function ascii(text: string): number[] {
  return Array.from(text, (c) => c.charCodeAt(0))
}
