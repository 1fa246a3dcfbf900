/**
 * A PDF's pages drawn on several threads (pdf-page-threads.ts) are the pages one thread draws,
 * bit for bit and in order; and a failure while they are handed on stops every thread.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import type { Bitmap } from '../../src/codec/bitmap.js'
import { binarizingRoom } from '../../src/rendering/binarize.js'
import { openPdf } from '../../src/rendering/pdf-pages.js'
import { drawPdfPages, roomToBinarize } from '../../src/rendering/pdf-page-threads.js'

const FIFTY_PAGES = new URL('../fixtures/documents/fifty-pages.pdf', import.meta.url)
const FINE = 196 / 204

async function drawAll(threads: number, onPage?: (bitmap: Bitmap) => void): Promise<Bitmap[]> {
  const data = new Uint8Array(readFileSync(FIFTY_PAGES))
  const document = await openPdf(data, { limit: 250, used: 0 })
  const pages: Bitmap[] = []
  try {
    await drawPdfPages(
      {
        data,
        document,
        resolution: 'fine',
        enhancement: true,
        lineStretch: FINE,
        maxFaxPages: 250,
        threads,
      },
      (bitmap) => {
        onPage?.(bitmap)
        pages.push(bitmap)
      },
    )
  } finally {
    document.close()
  }
  return pages
}

describe('drawPdfPages', () => {
  it('draws a page where the threshold reads it in place: on a multiple of 8, room after it', async () => {
    const data = new Uint8Array(readFileSync(FIFTY_PAGES))
    const document = await openPdf(data, { limit: 250, used: 0 })
    try {
      for (const resolution of ['fine', 'superfine'] as const) {
        const [drawn] = document.drawPage(
          1,
          resolution,
          ({ width, height, data: pixels, inWasm }) => ({
            width,
            height,
            offset: pixels.byteOffset,
            room: inWasm?.room,
            inPlace: inWasm?.memory.buffer === pixels.buffer,
          }),
          1,
          roomToBinarize(true),
        )
        assert.ok(drawn !== undefined)
        assert.equal(drawn.offset % 8, 0, resolution)
        assert.ok(drawn.inPlace, resolution)
        assert.ok((drawn.room ?? 0) >= binarizingRoom(drawn.width, drawn.height), resolution)
      }
      // Without enhancement the pages are dithered, which needs no room.
      const [dithered] = document.drawPage(
        1,
        'fine',
        (grey) => grey.inWasm,
        1,
        roomToBinarize(false),
      )
      assert.equal(dithered, undefined)
    } finally {
      document.close()
    }
  })

  it('gives the same pages in the same order on three threads as on one', async () => {
    const one = await drawAll(1)
    const three = await drawAll(3)
    assert.equal(one.length, 50)
    assert.equal(three.length, 50)
    for (const [index, page] of one.entries()) {
      const other = three[index]!
      assert.equal(other.height, page.height, `page ${index + 1}`)
      assert.ok(Buffer.from(other.data).equals(Buffer.from(page.data)), `page ${index + 1}`)
    }
    // The pages differ from one another (each has its number), so the order is checked too.
    assert.ok(!Buffer.from(one[0]!.data).equals(Buffer.from(one[1]!.data)))
  })

  it('stops every thread when handing a page on fails, and answers that failure', async () => {
    let handed = 0
    const stop = new Error('the fax has more pages than it may have')
    await assert.rejects(
      drawAll(3, () => {
        handed++
        if (handed === 12) {
          throw stop
        }
      }),
      (error) => error === stop,
    )
    assert.equal(handed, 12)
  })
})
