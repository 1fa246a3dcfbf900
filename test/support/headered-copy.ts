/**
 * What a sent fax's download must be: the stored pages, each with a header line over its top
 * and nothing else changed.
 */
import assert from 'node:assert/strict'
import { rowOf } from '../../src/codec/bitmap.js'
import { readTiff } from '../../src/codec/tiff-read.js'
import { headerBandRows } from '../../src/header-line/stamp-header.js'

export function assertHeaderedCopy(downloaded: Uint8Array, stored: Uint8Array): void {
  const got = readTiff(downloaded)
  const rendered = readTiff(stored)
  assert.equal(got.length, rendered.length, 'pages')
  got.forEach((page, index) => {
    const original = rendered[index]!
    assert.deepEqual([page.width, page.height], [original.width, original.height])
    const band = headerBandRows(original.yDpi ?? 196)
    let ink = 0
    for (let y = 0; y < page.height; y++) {
      const row = rowOf(page.bitmap, y)
      if (y < band) {
        ink += row.reduce((sum, octet) => sum + (octet === 0 ? 0 : 1), 0)
      } else if (!Buffer.from(row).equals(Buffer.from(rowOf(original.bitmap, y)))) {
        assert.fail(`page ${index + 1}, row ${y} (below the header) differs from the rendered page`)
      }
    }
    assert.ok(ink > 0, `page ${index + 1} has no header line`)
  })
}
