/** Fitting document pages onto fax pages: the width, the paper, rotation, never cropping. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { FAX_PAGE_WIDTH, placeOnFaxPages, placePage } from '../../src/rendering/fax-geometry.js'

describe('placePage', () => {
  it('puts a Letter page on a Letter fax page, shrunk from 1734 to the 1728-pel line', () => {
    const placement = placePage(8.5, 11, 'fine')
    assert.equal(placement.paper.name, 'letter')
    assert.equal(placement.pageRows, 2156)
    assert.equal(placement.contentWidth, 1728)
    assert.equal(placement.left, 0)
    assert.equal(placement.rotate, false)
    assert.ok(placement.contentRows <= placement.pageRows)
  })

  it('puts an A4 page on A4 (2292 rows at fine), at its natural 1687 pels, centred', () => {
    const placement = placePage(210 / 25.4, 297 / 25.4, 'fine')
    assert.equal(placement.paper.name, 'a4')
    assert.equal(placement.pageRows, 2292)
    assert.equal(placement.contentWidth, 1687)
    assert.equal(placement.left, 20)
    assert.equal(placement.contentRows, 2292)
  })

  it('puts a Legal page on Legal, and doubles the rows at superfine', () => {
    assert.equal(placePage(8.5, 14, 'fine').paper.name, 'legal')
    assert.equal(placePage(8.5, 14, 'fine').pageRows, 2744)
    assert.equal(placePage(8.5, 14, 'superfine').pageRows, 5488)
    assert.equal(placePage(8.5, 11, 'superfine').pageRows, 4312)
  })

  it('turns a landscape page upright (A4 landscape becomes an A4 page)', () => {
    const placement = placePage(297 / 25.4, 210 / 25.4, 'fine')
    assert.equal(placement.rotate, true)
    assert.equal(placement.paper.name, 'a4')
    assert.equal(placement.contentWidth, 1687)
  })

  it('shrinks a page longer than Legal to fit Legal, keeping its proportions', () => {
    const placement = placePage(8.5, 30, 'fine')
    assert.equal(placement.paper.name, 'legal')
    assert.equal(placement.contentRows, 2744)
    const scale = 2744 / (30 * 196)
    assert.ok(Math.abs(placement.contentWidth - 8.5 * 204 * scale) <= 1)
    assert.equal(placement.left, Math.floor((FAX_PAGE_WIDTH - placement.contentWidth) / 2))
  })

  it('keeps a small page at its size, centred on Letter', () => {
    const placement = placePage(3.5, 2, 'fine')
    assert.equal(placement.rotate, true)
    assert.equal(placement.paper.name, 'letter')
    assert.equal(placement.contentWidth, 2 * 204)
    assert.equal(placement.contentRows, Math.round(3.5 * 196))
    assert.ok(placement.top > 0 && placement.left > 0)
  })

  it('never places content outside the page, for any size', () => {
    for (let width = 0.5; width < 40; width *= 1.37) {
      for (let height = 0.5; height < 40; height *= 1.41) {
        for (const resolution of ['fine', 'superfine'] as const) {
          const p = placePage(width, height, resolution)
          assert.ok(p.left >= 0 && p.left + p.contentWidth <= FAX_PAGE_WIDTH, `${width}×${height}`)
          assert.ok(p.top >= 0 && p.top + p.contentRows <= p.pageRows, `${width}×${height}`)
        }
      }
    }
  })

  it('refuses a page without a positive size', () => {
    assert.throws(() => placePage(0, 11, 'fine'), RangeError)
    assert.throws(() => placePage(8.5, Number.NaN, 'fine'), RangeError)
  })
})

describe('placeOnFaxPages', () => {
  it('places a page that fits Legal as placePage does, on one fax page', () => {
    for (const [width, height] of [
      [8.5, 11],
      [8.27, 11.69],
      [8.5, 14],
      [11.69, 8.27],
      [8.5, 14.1],
    ] as const) {
      assert.deepEqual(placeOnFaxPages(width, height, 'fine'), [placePage(width, height, 'fine')])
    }
  })

  it('splits a page longer than Legal at its scale: Legal pages, then the shortest that holds the rest', () => {
    // 8.5 × 30 in: 1734 pels across, scaled to 1728; 30 in × 196 × 1728/1734 = 5860 rows.
    const pages = placeOnFaxPages(8.5, 30, 'fine')
    assert.deepEqual(
      pages.map((page) => [page.paper.name, page.pageRows, page.top]),
      [
        ['legal', 2744, 0],
        ['legal', 2744, -2744],
        ['letter', 2156, -5488],
      ],
    )
    for (const page of pages) {
      assert.equal(page.contentWidth, 1728)
      assert.equal(page.contentRows, 5860)
      assert.equal(page.left, 0)
      assert.equal(page.rotate, false)
    }
  })

  it('splits at superfine into twice the rows, and turns a long landscape page first', () => {
    assert.deepEqual(
      placeOnFaxPages(8.5, 20, 'superfine').map((page) => [page.pageRows, page.top]),
      [
        [5488, 0],
        [4312, -5488],
      ],
    )
    const turned = placeOnFaxPages(20, 8.5, 'fine')
    assert.equal(turned.length, 2)
    assert.ok(turned.every((page) => page.rotate))
  })

  it('covers every row of the content once, for any length', () => {
    for (let height = 14.5; height < 200; height *= 1.3) {
      const pages = placeOnFaxPages(8, height, 'fine')
      let covered = 0
      for (const page of pages) {
        assert.equal(page.top, 0 - covered)
        covered += Math.min(page.pageRows, page.contentRows - covered)
      }
      assert.equal(covered, pages[0]!.contentRows, `${height} in`)
      assert.ok(pages.at(-1)!.pageRows >= pages[0]!.contentRows + pages.at(-1)!.top)
    }
  })
})
