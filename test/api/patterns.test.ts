/**
 * The sendFax number patterns faxd validates with are the seed's, with `[*]{0,10}` written
 * `[*]{1,10}`. They must accept exactly the same strings, and match in linear time. A value that
 * fails one of the API's patterns is refused with a description people can act on: what the
 * value should look like, with an example, and never the regular expression (issue 14, point 4:
 * "the number-format error shows a regular expression").
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { openTestApp, type TestApp, type TestUser } from '../support/test-app.js'
import { DESTINATION_PATTERN, FROM_PATTERN } from '../../src/api/schemas/payload-outbox.js'

const SEED_DESTINATION = '^[+][0-9]{8,}([*]{0,10}[0-9]+)?$'
const SEED_SENDER = '(([+][0-9]{8,}([*]{0,10}[0-9]+)?)|(no_number)|(NO_NUMBER))'
const SEED_FROM = `^${SEED_SENDER}(,${SEED_SENDER})*$`

/** A small deterministic PRNG (mulberry32), so a failure names its seed. */
function random(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Strings near the language: well-formed lists most of the time, each possibly damaged. */
function candidate(next: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T
  const digits = (max: number) =>
    '0123456789'
      .slice(0, 1 + Math.floor(next() * 9))
      .repeat(1 + Math.floor(next() * max))
      .slice(0, 1 + Math.floor(next() * max))
  const sender = () => {
    const roll = next()
    if (roll < 0.1) {
      return pick(['no_number', 'NO_NUMBER', 'no_numbers', 'NO_number'])
    }
    const stars = roll < 0.6 ? '' : '*'.repeat(Math.floor(next() * 12))
    return `${next() < 0.95 ? '+' : ''}${digits(14)}${stars}${stars || next() < 0.5 ? digits(4) : ''}`
  }
  const parts = Array.from({ length: 1 + Math.floor(next() * 4) }, sender)
  let text = parts.join(next() < 0.95 ? ',' : ',,')
  if (next() < 0.3) {
    const at = Math.floor(next() * (text.length + 1))
    text = text.slice(0, at) + pick(['x', '*', ',', '+', '', ' ', '1']) + text.slice(at + 1)
  }
  return text
}

describe('number patterns', () => {
  it('accept exactly what the seed patterns accept (200,000 random strings)', () => {
    const seed = 20261127
    const next = random(seed)
    const pairs = [
      [new RegExp(SEED_DESTINATION, 'u'), new RegExp(DESTINATION_PATTERN, 'u')],
      [new RegExp(SEED_FROM, 'u'), new RegExp(FROM_PATTERN, 'u')],
    ] as const
    let accepted = 0
    for (let i = 0; i < 100_000; i++) {
      const text = candidate(next)
      for (const [seedPattern, ours] of pairs) {
        const expected = seedPattern.test(text)
        assert.equal(ours.test(text), expected, `${JSON.stringify(text)} (seed ${seed})`)
        accepted += expected ? 1 : 0
      }
    }
    assert.ok(accepted > 20_000, `the generator reaches the language (${accepted} accepted)`)
  })

  it('refuses a long list that fails at its end (the input that made the seed form backtrack)', () => {
    const hostile = `${Array.from({ length: 200 }, () => '+1234567890123456').join(',')},x`
    assert.equal(new RegExp(FROM_PATTERN, 'u').test(hostile), false)
    assert.equal(new RegExp(FROM_PATTERN, 'u').test(hostile.slice(0, -2)), true)
  })
})

describe('pattern errors say what a valid value looks like', () => {
  const FROM = '+15555550150'
  let t: TestApp
  let sender: TestUser
  let file: string

  before(async () => {
    t = await openTestApp()
    sender = await t.user({ numbers: [FROM] })
    file = await t.upload(sender)
  })
  after(async () => {
    await t.close()
  })

  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    [
      'a destination written with spaces',
      { to: ['+1 555 555 0100'] },
      'invalid_to',
      /^body field to\.0 must be a fax number in E\.164 form: \+, the country code and the number, digits only \(e\.g\. \+15555550100;/,
    ],
    [
      'a sending number without its +',
      { from: '15555550150' },
      'invalid_from',
      /^body field from must be one of your numbers in E\.164 form \(e\.g\. \+15555550150\)/,
    ],
    [
      'a send_time without its offset',
      { send_time: '2026-12-24 09:30' },
      'invalid_send_time',
      /^body field send_time must be a time as YYYY-MM-DD HH:MM:SS ±HHMM, e\.g\. 2026-12-24 09:30:00 \+0100$/,
    ],
  ]
  for (const [what, overrides, code, description] of cases) {
    it(`${what}: ${code}`, async () => {
      const response = await t.request('POST', '/v3/accounts/self/outbox', {
        token: sender.token,
        body: { from: FROM, to: ['+15555550100'], files: [file], ...overrides },
      })
      assert.equal(response.statusCode, 400, response.body)
      const answer = response.json<{ error: string; description: string }>()
      assert.equal(answer.error, code)
      assert.match(answer.description, description)
      assert.doesNotMatch(answer.description, /\^|\[0-9\]|pattern/)
    })
  }

  it("an account's phone and e-mail: the same", async () => {
    for (const [body, description] of [
      [
        { phone: '555-0100' },
        /^body field phone must be a number in E\.164 form, e\.g\. \+15555550100/,
      ],
      [
        { email: 'not an address' },
        /^body field email must be an e-mail address, e\.g\. name@example\.com$/,
      ],
    ] as const) {
      const response = await t.request('PUT', '/v3/accounts/self', { token: sender.token, body })
      assert.equal(response.statusCode, 400, response.body)
      const answer = response.json<{ error: string; description: string }>()
      assert.match(answer.description, description)
    }
  })
})
