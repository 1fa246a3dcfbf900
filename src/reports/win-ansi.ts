/**
 * Text for the standard Type 1 fonts in WinAnsiEncoding (ISO 32000-1 Annex D.2, Table D.1):
 * one octet per character. 0x20–0x7E are ASCII and 0xA0–0xFF are U+00A0–U+00FF; 0x80–0x9F
 * hold the typographic characters below. Anything else (controls, other scripts, emoji) is
 * written as '?', so the report says there was a character it cannot show rather than dropping it.
 */

/** WinAnsiEncoding 0x80–0x9F: the Unicode character of each code that has one. */
const HIGH_CODES: ReadonlyMap<number, number> = new Map([
  [0x20ac, 0x80], // euro
  [0x201a, 0x82], // quotesinglbase
  [0x0192, 0x83], // florin
  [0x201e, 0x84], // quotedblbase
  [0x2026, 0x85], // ellipsis
  [0x2020, 0x86], // dagger
  [0x2021, 0x87], // daggerdbl
  [0x02c6, 0x88], // circumflex
  [0x2030, 0x89], // perthousand
  [0x0160, 0x8a], // Scaron
  [0x2039, 0x8b], // guilsinglleft
  [0x0152, 0x8c], // OE
  [0x017d, 0x8e], // Zcaron
  [0x2018, 0x91], // quoteleft
  [0x2019, 0x92], // quoteright
  [0x201c, 0x93], // quotedblleft
  [0x201d, 0x94], // quotedblright
  [0x2022, 0x95], // bullet
  [0x2013, 0x96], // endash
  [0x2014, 0x97], // emdash
  [0x02dc, 0x98], // tilde
  [0x2122, 0x99], // trademark
  [0x0161, 0x9a], // scaron
  [0x203a, 0x9b], // guilsinglright
  [0x0153, 0x9c], // oe
  [0x017e, 0x9e], // zcaron
  [0x0178, 0x9f], // Ydieresis
])

export const WIN_ANSI_ELLIPSIS = 0x85
const QUESTION_MARK = 0x3f

/** The WinAnsi code of one Unicode code point, or '?' when it has none. */
export function winAnsiCode(codePoint: number): number {
  if ((codePoint >= 0x20 && codePoint <= 0x7e) || (codePoint >= 0xa0 && codePoint <= 0xff)) {
    return codePoint
  }
  return HIGH_CODES.get(codePoint) ?? QUESTION_MARK
}

/** The text in WinAnsiEncoding, one octet per code point. */
export function winAnsiOctets(text: string): Uint8Array {
  const codes: number[] = []
  for (const character of text) {
    codes.push(winAnsiCode(character.codePointAt(0) ?? QUESTION_MARK))
  }
  return Uint8Array.from(codes)
}
