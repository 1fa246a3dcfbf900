/**
 * The confirmation report's parts: text in WinAnsiEncoding, Helvetica's widths (checked against
 * URW Nimbus Sans, the metric-compatible font Ghostscript ships; a missing font file fails the
 * test), durations and times as printed, long values wrapped inside the page (poppler's word
 * boxes), and the same octets for the same fax.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import {
  A4_PAPER,
  LETTER_PAPER,
  formatDuration,
  formatUtc,
  writeFaxReport,
} from '../../src/reports/fax-report.js'
import { helveticaWidth } from '../../src/reports/helvetica-widths.js'
import { winAnsiOctets } from '../../src/reports/win-ansi.js'
import { aFaxRecord } from '../support/sample-records.js'

const NIMBUS_SANS_AFM = '/usr/share/fonts/type1/urw-base35/NimbusSans-Regular.afm'

/** Glyph names of WinAnsiEncoding 0x20–0x7E (ISO 32000-1 Table D.2). */
// prettier-ignore
const ASCII_GLYPHS = [
  'space', 'exclam', 'quotedbl', 'numbersign', 'dollar', 'percent', 'ampersand', 'quotesingle',
  'parenleft', 'parenright', 'asterisk', 'plus', 'comma', 'hyphen', 'period', 'slash',
  'zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine',
  'colon', 'semicolon', 'less', 'equal', 'greater', 'question', 'at',
  ...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split(''),
  'bracketleft', 'backslash', 'bracketright', 'asciicircum', 'underscore', 'grave',
  ...'abcdefghijklmnopqrstuvwxyz'.split(''),
  'braceleft', 'bar', 'braceright', 'asciitilde',
]

const folder = mkdtempSync(join(tmpdir(), 'faxd-report-'))
after(() => rmSync(folder, { recursive: true, force: true }))

describe('report text', () => {
  it('encodes WinAnsi: ASCII and Latin-1 as they are, typography in 0x80–0x9F, else ?', () => {
    assert.deepEqual(
      [...winAnsiOctets('A é € – “x” … ✓ Ω 😀 \u0007')],
      [0x41, 0x20, 0xe9, 0x20, 0x80, 0x20, 0x96, 0x20, 0x93, 0x78, 0x94, 0x20, 0x85, 0x20].concat([
        0x3f, 0x20, 0x3f, 0x20, 0x3f, 0x20, 0x3f,
      ]),
    )
  })

  it("uses Helvetica's widths for ASCII (as URW Nimbus Sans has them)", () => {
    let afm: string
    try {
      afm = readFileSync(NIMBUS_SANS_AFM, 'latin1')
    } catch (error) {
      assert.fail(`${NIMBUS_SANS_AFM} is missing (install fonts-urw-base35): ${String(error)}`)
    }
    const widths = new Map<string, number>()
    for (const match of afm.matchAll(/^C -?\d+ ; WX (\d+) ; N (\S+) ;/gm)) {
      widths.set(match[2] ?? '', Number(match[1]))
    }
    ASCII_GLYPHS.forEach((glyph, index) => {
      assert.equal(helveticaWidth(0x20 + index), widths.get(glyph), glyph)
    })
    assert.equal(ASCII_GLYPHS.length, 0x7f - 0x20)
  })

  it('prints durations and times as people read them', () => {
    assert.deepEqual([0, 35, 60, 95, 3600, 3725, 59.6].map(formatDuration), [
      '0 s',
      '35 s',
      '1 min 0 s',
      '1 min 35 s',
      '1 h 0 min 0 s',
      '1 h 2 min 5 s',
      '1 min 0 s',
    ])
    assert.equal(formatUtc(Date.UTC(2026, 10, 27, 18, 40, 5)), '2026-11-27 18:40:05 UTC')
  })
})

describe('the report page', () => {
  function wordBoxes(pdf: Uint8Array): { xMax: number; yMax: number; text: string }[] {
    const file = join(folder, 'report.pdf')
    writeFileSync(file, pdf)
    const result = spawnSync('pdftotext', ['-bbox', file, '-'], { encoding: 'utf8' })
    if (result.error !== undefined) {
      assert.fail(`pdftotext could not run (${result.error.message}); install poppler-utils`)
    }
    assert.equal(result.status, 0, result.stderr)
    return [
      ...result.stdout.matchAll(
        /<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g,
      ),
    ].map((m) => ({ xMax: Number(m[1]), yMax: Number(m[2]), text: m[3] ?? '' }))
  }

  it('wraps long values inside the margins, at most three lines ending with an ellipsis', () => {
    const description = `${'A very long account of what went wrong on the line. '.repeat(12)}END`
    const unbroken = 'x'.repeat(300)
    for (const paper of [LETTER_PAPER, A4_PAPER]) {
      const pdf = writeFaxReport(
        {
          fax: aFaxRecord('u', { description, from: unbroken }),
          account: { name: 'W'.repeat(120), email: 'someone@example.test' },
          headers: null,
        },
        null,
        paper,
      )
      const words = wordBoxes(pdf)
      assert.ok(words.length > 20)
      for (const word of words) {
        assert.ok(word.xMax <= paper.widthPt - 54 + 0.5, `"${word.text}" ends at ${word.xMax}`)
        assert.ok(word.yMax <= paper.heightPt - 54 + 0.5, `"${word.text}" is in the top margin`)
      }
      const text = words.map((word) => word.text).join(' ')
      assert.ok(!text.includes('END'), 'the end of the description is cut off')
      assert.match(text, /…/)
    }
  })

  it('writes the same octets for the same fax', () => {
    const input = {
      fax: aFaxRecord('u'),
      account: { name: 'Ada', email: 'ada@example.test' },
      headers: null,
    }
    assert.deepEqual(writeFaxReport(input, null), writeFaxReport(input, null))
  })
})
