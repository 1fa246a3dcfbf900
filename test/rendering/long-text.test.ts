/**
 * A text far longer than a fax may be stops at the page limit, laid out and drawn only that
 * far: 30 MB of text (thousands of pages) with a limit of 20 pages ends at page 21 with the
 * limit in the error, having drawn 20 pages, not after laying out the rest. Before, every page
 * was drawn first and the limit checked after: a 30 MB file ran out of memory instead.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Bitmap } from '../../src/codec/bitmap.js'
import { LETTER } from '../../src/rendering/fax-geometry.js'
import { renderFax } from '../../src/rendering/render-fax.js'
import { MAX_PICTURE_PIXELS } from '../../src/rendering/render-settings.js'
import { RenderingError } from '../../src/rendering/rendering-error.js'

const LINE = 'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima\n'

describe('a text longer than a fax may be', () => {
  it('stops at the page limit, with the limit in the error', { timeout: 120_000 }, async () => {
    const text = new TextEncoder().encode(LINE.repeat(Math.ceil(30_000_000 / LINE.length)))
    let drawn = 0
    await assert.rejects(
      renderFax(
        { documents: [text], resolution: 'fine', enhancement: true },
        { paper: LETTER, maxPages: 20, maxPicturePixels: MAX_PICTURE_PIXELS, office: undefined },
        (bitmap: Bitmap) => bitmap,
        (progress) => {
          drawn = progress.pagesDone
        },
      ),
      (error: unknown) =>
        error instanceof RenderingError &&
        error.status === 'failed_separate_file_pages_issue' &&
        /more than 20 pages/.test(error.message),
    )
    assert.equal(drawn, 20, 'pages drawn before the limit stopped it')
  })
})
