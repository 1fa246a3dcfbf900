/**
 * Advance widths of Helvetica (the standard Type 1 font, ISO 32000-1 §9.6.2.2) in thousandths of
 * the font size, for laying out report text without embedding a font. The printable ASCII codes
 * are the widths of Adobe's Helvetica metrics in WinAnsiEncoding (code 39 is quotesingle and 96 is
 * grave there, not the quoteright and quoteleft of StandardEncoding); test/reports checks them
 * against the metric-compatible URW Nimbus Sans that Ghostscript uses. Codes 0x80–0xFF count as
 * 1000, the widest glyph, so that text measured here never runs wider than it is drawn.
 */

// prettier-ignore
const ASCII_WIDTHS: readonly number[] = [
  // 0x20 space ! " # $ % & ' ( ) * + , - . /
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
  // 0x30 0–9 : ; < = > ?
  556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
  // 0x40 @ A–O
  1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
  // 0x50 P–Z [ \ ] ^ _
  667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
  // 0x60 ` a–o
  333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
  // 0x70 p–z { | } ~
  556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
]

const UPPER_HALF_WIDTH = 1000

/** The width of one WinAnsi code, in thousandths of the font size. */
export function helveticaWidth(code: number): number {
  return ASCII_WIDTHS[code - 0x20] ?? UPPER_HALF_WIDTH
}

/** The width of WinAnsi text at `fontSize`, in points. */
export function helveticaTextWidth(octets: Uint8Array, fontSize: number): number {
  let total = 0
  for (const code of octets) {
    total += helveticaWidth(code)
  }
  return (total * fontSize) / 1000
}
