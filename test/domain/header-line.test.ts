/**
 * The header line's rules: what an account's settings give (defaults, off, the name), which
 * settings are refused and why, and the text of one attempt (fields filled in the account's
 * time zone, an empty field taken out with its space).
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  DEFAULT_HEADER_TEMPLATE,
  headerLineOf,
  headerLineSettingsProblem,
  headerText,
  pageNumberText,
} from '../../src/domain/header-line.js'

const AT = Date.UTC(2026, 6, 4, 17, 30) // 13:30 in New York (EDT), 02:30 the next day in Tokyo

describe('headerLineOf', () => {
  it('is on by default: the default template, UTC, the account name', () => {
    assert.deepEqual(headerLineOf({}, 'Ada Lovelace'), {
      template: DEFAULT_HEADER_TEMPLATE,
      timeZone: 'UTC',
      name: 'Ada Lovelace',
    })
  })

  it("names the sender by caller_id_name before the account's name", () => {
    assert.equal(
      headerLineOf({ caller_id_name: ' Harbour Clinic ' }, 'Ada')?.name,
      'Harbour Clinic',
    )
    assert.equal(headerLineOf({ caller_id_name: '  ' }, 'Ada')?.name, 'Ada')
  })

  it('is off with enabled: false', () => {
    assert.equal(headerLineOf({ header_line: { enabled: false } }, 'Ada'), null)
  })

  it('falls back to the defaults for settings stored before they were checked', () => {
    const line = headerLineOf({ header_line: { template: '{nope}', time_zone: 'Nowhere' } }, '')
    assert.deepEqual(line, { template: DEFAULT_HEADER_TEMPLATE, timeZone: 'UTC', name: '' })
  })
})

describe('headerLineSettingsProblem', () => {
  it('takes every field, and a real time zone', () => {
    const template = '{date} {time} {zone} {name} {from} {to}'
    assert.equal(headerLineSettingsProblem({ template, time_zone: 'Europe/Berlin' }), null)
    assert.equal(headerLineSettingsProblem({}), null)
  })

  for (const [settings, reason] of [
    [{ template: 'x'.repeat(101) }, /at most 100 characters/],
    [{ template: 'two\nlines' }, /one line/],
    [{ template: '{date} {fax_number}' }, /unknown field \{fax_number\}/],
    [{ time_zone: 'EST5EDT-nope' }, /IANA time zone/],
  ] as const) {
    it(`refuses ${JSON.stringify(settings).slice(0, 40)}, saying why`, () => {
      assert.match(headerLineSettingsProblem(settings) ?? '', reason)
    })
  }
})

describe('headerText', () => {
  const facts = { atMs: AT, from: '+15555550150', to: '+15555550100' }

  it("fills the fields in the account's time zone", () => {
    const line = { template: DEFAULT_HEADER_TEMPLATE, timeZone: 'America/New_York', name: 'Ada' }
    assert.equal(
      headerText(line, facts),
      '2026-07-04 13:30 EDT  FROM: Ada +15555550150  TO: +15555550100',
    )
    assert.equal(
      headerText({ ...line, timeZone: 'UTC' }, facts),
      '2026-07-04 17:30 UTC  FROM: Ada +15555550150  TO: +15555550100',
    )
  })

  it('dates the day as it is where the account is', () => {
    const line = { template: '{date} {time}', timeZone: 'Asia/Tokyo', name: '' }
    assert.equal(headerText(line, facts), '2026-07-05 02:30')
  })

  it('takes an empty field out with the space before it', () => {
    const line = { template: DEFAULT_HEADER_TEMPLATE, timeZone: 'UTC', name: '' }
    assert.equal(
      headerText(line, { ...facts, from: null }),
      '2026-07-04 17:30 UTC  FROM:  TO: +15555550100',
    )
    assert.equal(
      headerText(line, facts),
      '2026-07-04 17:30 UTC  FROM: +15555550150  TO: +15555550100',
    )
  })

  it('keeps text around the fields as written, and braces that name no field', () => {
    const line = { template: 'Fax {from} {x} ✓', timeZone: 'UTC', name: '' }
    assert.equal(headerText(line, facts), 'Fax +15555550150 {x} ✓')
  })
})

describe('pageNumberText', () => {
  it('is PAGE x/y', () => {
    assert.equal(pageNumberText(2, 3), 'PAGE 2/3')
  })
})
