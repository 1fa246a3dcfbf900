/** Typesetting plain text: wrapping, tabs, form feeds, pagination, code pages. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { decodeText, layoutText } from '../../src/rendering/text-pages.js'

/** A monospace measure: every code point is one unit wide. */
const measure = (line: string): number => Array.from(line).length

describe('layoutText', () => {
  it('wraps at spaces and breaks a word longer than the line', () => {
    const pages = layoutText('alpha beta gamma delta ' + 'x'.repeat(25), measure, 10, 100)
    assert.deepEqual(pages, [
      ['alpha beta', 'gamma', 'delta', 'x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)],
    ])
  })

  it('expands tabs to every eighth column and keeps leading spaces', () => {
    assert.deepEqual(layoutText('a\tb\n  c', measure, 80, 100), [['a       b', '  c']])
  })

  it('starts a new page at a form feed and after linesPerPage lines', () => {
    const pages = layoutText('1\n2\n3\n4\n5\f6', measure, 80, 2)
    assert.deepEqual(pages, [['1', '2'], ['3', '4'], ['5'], ['6']])
  })

  it('makes no blank last page from a trailing newline or form feed', () => {
    assert.deepEqual(layoutText('one\ntwo\n\f\n', measure, 80, 2), [['one', 'two']])
  })

  it('never sets a line wider than the measure, whatever the text', () => {
    let seed = 7
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648
      return seed / 2147483648
    }
    const alphabet = 'ab cdé\tΩжf€  '
    for (let round = 0; round < 50; round++) {
      const text = Array.from({ length: 800 }, () =>
        random() < 0.02 ? '\n' : alphabet[Math.floor(random() * alphabet.length)],
      ).join('')
      const width = 5 + Math.floor(random() * 60)
      for (const line of layoutText(text, measure, width, 40).flat()) {
        assert.ok(measure(line) <= width, JSON.stringify(line))
      }
    }
  })

  it('keeps every non-space character, in order', () => {
    const text =
      'The quick brown fox\tjumps over\nthe lazy dog. ' + 'https://example.org/' + 'p'.repeat(90)
    const set = layoutText(text, measure, 17, 5).flat().join('')
    assert.equal(set.replace(/\s/g, ''), text.replace(/\s/g, ''))
  })
})

describe('decodeText', () => {
  it('reads UTF-8 and drops a byte order mark', () => {
    assert.equal(
      decodeText(new Uint8Array([0xef, 0xbb, 0xbf, 0x63, 0x61, 0x66, 0xc3, 0xa9])),
      'café',
    )
  })

  it('falls back to Windows-1252 for octets that are not UTF-8', () => {
    assert.equal(decodeText(new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x20, 0x80])), 'café €')
  })
})
