/**
 * The file structure of a PDF (ISO 32000-1:2008 §7.5): header, numbered indirect objects, the
 * cross-reference table with the offset of each, and the trailer. The writers of fax PDFs and
 * reports (pdf-fax-writer.ts, src/reports) describe their objects as PDF source text and streams;
 * this module numbers them, measures them and writes the table. Output is a pure function of
 * the objects given (no dates, no file identifier), so the same pages give the same octets.
 * Text here is ASCII: anything else goes into a literal string as an octal escape.
 */
import { CodecError } from './codec-error.js'

/** A reference to an indirect object ("12 0 R", §7.3.10); every object here has generation 0. */
export function pdfRef(objectNumber: number): string {
  return `${objectNumber} 0 R`
}

/**
 * A number as PDF writes it (§7.3.3): a whole number as is, a real with at most four decimals
 * and no exponent ("Real numbers shall not use … exponential format").
 */
export function pdfNumber(value: number): string {
  if (!Number.isFinite(value)) {
    throw new CodecError('bad-argument', `a PDF number must be finite, not ${value}`)
  }
  const text = Number.isInteger(value) ? String(value) : value.toFixed(4).replace(/\.?0+$/, '')
  return text === '-0' ? '0' : text
}

/**
 * A literal string (§7.3.4.2) of the given octets. "Balanced pairs of parentheses within a
 * string require no special treatment", but an unbalanced one does, so every parenthesis and
 * the REVERSE SOLIDUS are escaped with a backslash; octets outside printable ASCII are written
 * as the escape \ddd (up to three octal digits, here always three).
 */
export function pdfLiteralString(octets: Uint8Array): string {
  let text = '('
  for (const octet of octets) {
    if (octet === 0x28 || octet === 0x29 || octet === 0x5c) {
      text += `\\${String.fromCharCode(octet)}`
    } else if (octet >= 0x20 && octet <= 0x7e) {
      text += String.fromCharCode(octet)
    } else {
      text += `\\${octet.toString(8).padStart(3, '0')}`
    }
  }
  return `${text})`
}

/** Content stream source (ASCII: strings hold their other octets as escapes) as octets. */
export function asciiOctets(text: string): Uint8Array {
  const octets = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code > 0x7f) {
      throw new CodecError('bad-argument', 'PDF source text must be ASCII')
    }
    octets[i] = code
  }
  return octets
}

interface PdfObject {
  /** The object's value as PDF source, e.g. "<< /Type /Page … >>". */
  readonly source: string
  /** When the object is a stream: its data, written between `stream` and `endstream`. */
  readonly stream: Uint8Array | null
}

/** Collects the indirect objects of one file, then writes it. */
export class PdfFile {
  readonly #objects: (PdfObject | undefined)[] = []

  /** A number for an object that is written later with set() (so that objects can refer ahead). */
  reserve(): number {
    this.#objects.push(undefined)
    return this.#objects.length
  }

  /** Adds an object given as PDF source; answers its number. */
  add(source: string): number {
    const number = this.reserve()
    this.set(number, source)
    return number
  }

  /**
   * Adds a stream (§7.3.8.1): `dictionary` is the source of its dictionary entries without the
   * angle brackets and without /Length, which is added here from the data.
   */
  addStream(dictionary: string, data: Uint8Array): number {
    const number = this.reserve()
    this.setStream(number, dictionary, data)
    return number
  }

  set(number: number, source: string): void {
    this.#put(number, { source, stream: null })
  }

  setStream(number: number, dictionary: string, data: Uint8Array): void {
    const entries = dictionary === '' ? '' : `${dictionary} `
    this.#put(number, { source: `<< ${entries}/Length ${data.length} >>`, stream: data })
  }

  #put(number: number, object: PdfObject): void {
    if (!Number.isInteger(number) || number < 1 || number > this.#objects.length) {
      throw new CodecError('bad-argument', `object ${number} was not reserved`)
    }
    this.#objects[number - 1] = object
  }

  /**
   * The whole file. `root` is the document catalog and `info` the optional document information
   * dictionary, both named in the trailer (§7.5.5).
   */
  write(root: number, info?: number): Uint8Array {
    const out = new OctetSink()
    // §7.5.2: the header, then a comment line of at least four octets of 128 or more, so that
    // tools that guess transfer modes treat the file as binary.
    out.text('%PDF-1.4\n')
    out.octets(Uint8Array.of(0x25, 0xe2, 0xe3, 0xcf, 0xd3, 0x0a))
    const offsets: number[] = []
    this.#objects.forEach((object, index) => {
      if (object === undefined) {
        throw new CodecError('bad-argument', `object ${index + 1} was reserved but never set`)
      }
      offsets.push(out.length)
      out.text(`${index + 1} 0 obj\n${object.source}\n`)
      if (object.stream !== null) {
        // §7.3.8.1: "stream" is followed by an end-of-line marker (CRLF or LF, not CR alone);
        // "there should be an end-of-line marker after the data and before endstream", which is
        // not counted in /Length.
        out.text('stream\n')
        out.octets(object.stream)
        out.text('\nendstream\n')
      }
      out.text('endobj\n')
    })
    // §7.5.4: one subsection from object 0; each entry exactly 20 octets, "nnnnnnnnnn ggggg n"
    // and a two-character end-of-line (here SP LF). Object 0 heads the free list, generation
    // 65535.
    const xref = out.length
    const size = this.#objects.length + 1
    out.text(`xref\n0 ${size}\n0000000000 65535 f \n`)
    for (const offset of offsets) {
      out.text(`${String(offset).padStart(10, '0')} 00000 n \n`)
    }
    const infoEntry = info === undefined ? '' : ` /Info ${pdfRef(info)}`
    out.text(`trailer\n<< /Size ${size} /Root ${pdfRef(root)}${infoEntry} >>\n`)
    // §7.5.5: the last lines give the offset of the xref keyword, then the end-of-file marker.
    out.text(`startxref\n${xref}\n%%EOF\n`)
    return out.finish()
  }
}

/** A growing octet buffer; text must be ASCII. */
class OctetSink {
  #buffer = new Uint8Array(1 << 16)
  length = 0

  text(ascii: string): void {
    this.#reserve(ascii.length)
    for (let i = 0; i < ascii.length; i++) {
      const code = ascii.charCodeAt(i)
      if (code > 0x7f) {
        throw new CodecError(
          'bad-argument',
          `PDF source text must be ASCII, not U+${code.toString(16).toUpperCase().padStart(4, '0')}`,
        )
      }
      this.#buffer[this.length++] = code
    }
  }

  octets(data: Uint8Array): void {
    this.#reserve(data.length)
    this.#buffer.set(data, this.length)
    this.length += data.length
  }

  finish(): Uint8Array {
    return this.#buffer.slice(0, this.length)
  }

  #reserve(more: number): void {
    if (this.length + more <= this.#buffer.length) {
      return
    }
    let size = this.#buffer.length * 2
    while (size < this.length + more) {
      size *= 2
    }
    const grown = new Uint8Array(size)
    grown.set(this.#buffer.subarray(0, this.length))
    this.#buffer = grown
  }
}
