/**
 * stampHeader: the band is the only part of the page it changes, its height follows the line
 * density, the same stamp always gives the same pels, and a text too long for the line is made
 * narrower, the page number still at the right end.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { type Bitmap, blankBitmap, isBlack, rowOf, setBlack } from '../../src/codec/bitmap.js'
import { headerBandRows, stampHeader } from '../../src/header-line/stamp-header.js'

const STAMP = { text: '2026-12-06 09:05 UTC  FROM: Harbour Clinic +15555550150', page: 2, pages: 3 }

/** A page with a black pel in every row and column, so any change below the band shows. */
function patternPage(height: number): Bitmap {
  const page = blankBitmap(1728, height)
  for (let y = 0; y < height; y++) {
    setBlack(page, (y * 7) % 1728, y)
  }
  return page
}

function inkRows(page: Bitmap): number[] {
  const rows: number[] = []
  for (let y = 0; y < page.height; y++) {
    if (rowOf(page, y).some((octet) => octet !== 0)) {
      rows.push(y)
    }
  }
  return rows
}

describe('stampHeader', () => {
  for (const yDpi of [98, 196, 392]) {
    it(`changes only the band at ${yDpi} lines per inch, and writes in it`, () => {
      const page = patternPage(yDpi * 11)
      const stamped = stampHeader(page, yDpi, STAMP)
      const band = headerBandRows(yDpi)
      assert.equal(band, Math.round((40 * yDpi) / 204))
      for (let y = band; y < page.height; y++) {
        assert.ok(Buffer.from(rowOf(stamped, y)).equals(Buffer.from(rowOf(page, y))), `row ${y}`)
      }
      const written = inkRows(stampHeader(blankBitmap(1728, yDpi * 11), yDpi, STAMP))
      assert.ok(written.length > band / 3, `${written.length} rows of ink`)
      assert.ok(written.every((y) => y < band))
      assert.ok(
        Buffer.from(page.data).equals(Buffer.from(patternPage(yDpi * 11).data)),
        'input kept',
      )
    })
  }

  it('draws the same pels for the same stamp, and others for another page number', () => {
    const a = stampHeader(blankBitmap(1728, 2156), 196, STAMP)
    const b = stampHeader(blankBitmap(1728, 2156), 196, STAMP)
    const c = stampHeader(blankBitmap(1728, 2156), 196, { ...STAMP, page: 3 })
    assert.ok(Buffer.from(a.data).equals(Buffer.from(b.data)))
    assert.ok(!Buffer.from(a.data).equals(Buffer.from(c.data)))
  })

  it('makes a text too long for the line narrower, the page number still at the right', () => {
    const long = stampHeader(blankBitmap(1728, 2156), 196, { ...STAMP, text: 'W'.repeat(100) })
    const inkAt = (from: number, to: number) => {
      for (let y = 0; y < headerBandRows(196); y++) {
        for (let x = from; x < to; x++) {
          if (isBlack(long, x, y)) {
            return true
          }
        }
      }
      return false
    }
    assert.ok(inkAt(1600, 1704), 'the page number')
    assert.ok(inkAt(24, 100), 'the start of the text')
    assert.ok(!inkAt(1704, 1728), 'the right margin')
  })
})
