/**
 * The TrueType reader on the font the header line is set in (DejaVu Sans Mono): characters to
 * glyphs, one advance for every glyph of a monospaced font, outlines of simple and composite
 * glyphs (an accented letter is its base letter and its accent), and a cut-short file refused.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { describe, it } from 'node:test'
import { FontError, parseTrueType } from '../../src/header-line/truetype.js'

const FONT_FILE = join(
  dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')),
  'ttf',
  'DejaVuSansMono.ttf',
)
const bytes = new Uint8Array(readFileSync(FONT_FILE))
const font = parseTrueType(bytes)

function bounds(glyph: number) {
  const xs: number[] = []
  const ys: number[] = []
  for (const contour of font.outlineOf(glyph)) {
    for (let i = 0; i < contour.length; i += 2) {
      xs.push(contour[i]!)
      ys.push(contour[i + 1]!)
    }
  }
  return {
    minX: Math.min(...xs),
    maxX: Math.max(...xs),
    minY: Math.min(...ys),
    maxY: Math.max(...ys),
  }
}

describe('parseTrueType (DejaVu Sans Mono)', () => {
  it('maps characters to glyphs, and what it lacks to .notdef', () => {
    const a = font.glyphOf(0x41)
    assert.ok(a > 0)
    assert.notEqual(font.glyphOf(0x42), a)
    assert.ok(font.glyphOf(0x416) > 0, 'Cyrillic Ж')
    assert.equal(font.glyphOf(0x4e2d), 0, 'no CJK in this font')
  })

  it('gives every glyph the same advance, as a monospaced font does', () => {
    const advances = new Set(
      [...'Wi.0 +:é'].map((c) => font.advanceOf(font.glyphOf(c.codePointAt(0)!))),
    )
    assert.equal(advances.size, 1)
    assert.equal(font.unitsPerEm, 2048)
  })

  it('outlines a simple glyph: an O is two contours, the counter inside', () => {
    const o = font.outlineOf(font.glyphOf(0x4f))
    assert.equal(o.length, 2)
    const { minY, maxY } = bounds(font.glyphOf(0x4f))
    assert.ok(minY < 50 && maxY > 1400, `${minY}..${maxY}`)
    assert.deepEqual(font.outlineOf(font.glyphOf(0x20)), [], 'a space has none')
  })

  it('outlines a composite glyph: é is an e with an accent above it', () => {
    const e = bounds(font.glyphOf(0x65))
    const eAcute = bounds(font.glyphOf(0xe9))
    assert.ok(font.outlineOf(font.glyphOf(0xe9)).length > font.outlineOf(font.glyphOf(0x65)).length)
    assert.equal(eAcute.minY, e.minY)
    assert.ok(eAcute.maxY > e.maxY + 200)
  })

  it('refuses a file cut short, saying so', () => {
    assert.throws(() => parseTrueType(bytes.subarray(0, 4096).slice()), /cut short/)
    assert.throws(() => parseTrueType(bytes.subarray(0, 10).slice()), FontError)
  })
})
