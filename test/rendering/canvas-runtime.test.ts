/**
 * pdf.js draws its images on canvases from the @napi-rs/canvas it resolves itself; faxd draws
 * the page on one from its own. Two copies of Skia in one process crash at the first image
 * (a segmentation fault, seen with pdfjs-dist 5.6 bringing @napi-rs/canvas 0.1 beside our 1.1),
 * so both must resolve to the same package.
 */
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { describe, it } from 'node:test'

const require = createRequire(import.meta.url)

describe('the canvas runtime', () => {
  it('is one @napi-rs/canvas, shared with pdf.js', () => {
    const ours = require.resolve('@napi-rs/canvas')
    const pdfjs = createRequire(require.resolve('pdfjs-dist/package.json')).resolve(
      '@napi-rs/canvas',
    )
    assert.equal(pdfjs, ours)
  })
})
