/**
 * Hostile input: 10,000 seeded mutations of the fax call's messages (bit flips, truncations,
 * random and malformed header lines, random octets, dropped and repeated lines, grammar
 * characters in odd places). Parsing must succeed or throw a SipParseError, nothing else; so
 * must checkMandatoryHeaders, every typed header reader and the URI parser on whatever did
 * parse. What parses must serialize without complaint and parse back to the same message.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  parseCSeq,
  parseCallId,
  parseDigestChallenge,
  parseDigestCredentials,
  parseExpires,
  parseMaxForwards,
  parseMinSe,
  parseNameAddr,
  parseSessionExpires,
  parseVia,
} from '../../../src/telephony/sip/sip-headers.js'
import {
  checkMandatoryHeaders,
  parseSipMessage,
  serializeSipMessage,
  type SipMessage,
} from '../../../src/telephony/sip/sip-message.js'
import { SipParseError } from '../../../src/telephony/sip/sip-parse-error.js'
import { parseUri } from '../../../src/telephony/sip/sip-uri.js'
import { seededRandom } from '../../support/seeded-random.js'
import { SPECIAL, mutate } from './sip-mutations.js'
import { SAMPLES, octets } from './sip-samples.js'

const RUNS = 10_000

const READERS: Readonly<Record<string, (value: string) => unknown>> = {
  Via: parseVia,
  From: parseNameAddr,
  To: parseNameAddr,
  Contact: (value) => (value === '*' ? value : parseUri(parseNameAddr(value).uri)),
  Route: parseNameAddr,
  'Record-Route': parseNameAddr,
  CSeq: parseCSeq,
  'Call-ID': parseCallId,
  'Max-Forwards': parseMaxForwards,
  Expires: parseExpires,
  'Session-Expires': parseSessionExpires,
  'Min-SE': parseMinSe,
  'WWW-Authenticate': parseDigestChallenge,
  'Proxy-Authenticate': parseDigestChallenge,
  Authorization: parseDigestCredentials,
}

/** Runs `fn` and lets through only a SipParseError; anything else fails the test. */
function tolerate(fn: () => unknown, input: Uint8Array, what: string): void {
  try {
    fn()
  } catch (error) {
    if (!(error instanceof SipParseError)) {
      assert.fail(
        `${what} threw ${String(error)} on ${JSON.stringify(new TextDecoder().decode(input))}`,
      )
    }
  }
}

function withoutContentLength(message: SipMessage): unknown {
  const headers = message.headers.clone()
  headers.delete('Content-Length')
  return { ...message, headers: [...headers] }
}

describe('hostile input', () => {
  it(`parses or refuses ${RUNS.toLocaleString('en')} mutated messages, and never throws anything else`, (t) => {
    const rand = seededRandom(3261)
    const sources = Object.values(SAMPLES).map(octets)
    let parsed = 0
    let mandatoryOk = 0
    const startedAt = performance.now()
    for (let run = 0; run < RUNS; run++) {
      const input = mutate(rand.pick(sources), rand)
      let message: SipMessage
      try {
        message = parseSipMessage(input)
      } catch (error) {
        if (!(error instanceof SipParseError)) {
          assert.fail(
            `parse threw ${String(error)} on ${JSON.stringify(new TextDecoder().decode(input))}`,
          )
        }
        assert.ok(
          error.statusForReply === undefined || [400, 505, 513].includes(error.statusForReply),
        )
        continue
      }
      parsed++
      tolerate(
        () => {
          checkMandatoryHeaders(message)
          mandatoryOk++
        },
        input,
        'checkMandatoryHeaders',
      )
      if (message.kind === 'request') {
        tolerate(() => parseUri(message.uri), input, 'parseUri')
      }
      for (const [name, read] of Object.entries(READERS)) {
        for (const value of message.headers.getAll(name)) {
          tolerate(() => read(value), input, name)
        }
      }
      const again = parseSipMessage(serializeSipMessage(message))
      assert.deepEqual(withoutContentLength(again), withoutContentLength(message))
    }
    const seconds = (performance.now() - startedAt) / 1000
    t.diagnostic(
      `${parsed} parsed, ${mandatoryOk} with good mandatory headers, ${seconds.toFixed(2)} s`,
    )
    // Enough of each kind to mean something: many parse, many of those are whole requests.
    assert.ok(parsed > RUNS * 0.25, `only ${parsed} parsed`)
    assert.ok(mandatoryOk > RUNS * 0.1, `only ${mandatoryOk} passed checkMandatoryHeaders`)
  })

  it('parses random octets and random text without throwing anything but SipParseError', () => {
    const rand = seededRandom(18)
    for (let run = 0; run < 1000; run++) {
      const input = Uint8Array.from({ length: rand.int(0, 300) }, () => rand.int(0, 255))
      tolerate(() => parseSipMessage(input), input, 'parse')
      const text = new TextDecoder().decode(input)
      for (const read of Object.values(READERS)) {
        tolerate(() => read(text), input, 'reader')
      }
      tolerate(() => parseUri(`sip:${text}`), input, 'parseUri')
    }
  })

  it(
    'takes long runs of grammar characters (the input of a backtracking blow-up)',
    { timeout: 30_000 },
    (t) => {
      const startedAt = performance.now()
      for (const c of SPECIAL) {
        const value = c.repeat(8000)
        const input = octets(
          `OPTIONS sip:a@b SIP/2.0\r\nContact: ${value}\r\nVia: ${value}\r\n\r\n`,
        )
        tolerate(() => parseSipMessage(input), input, 'parse')
        for (const read of Object.values(READERS)) {
          tolerate(() => read(value), input, 'reader')
        }
        tolerate(() => parseUri(`sip:${'a'.repeat(4000)}${c}`), input, 'parseUri')
        tolerate(() => parseUri(`tel:+${'1'.repeat(4000)}${c}`), input, 'parseUri')
      }
      // Timing is reported, not asserted (a loaded CI machine is no measure); a regex that
      // backtracks on these inputs takes minutes, and the test's own timeout catches that.
      t.diagnostic(`${((performance.now() - startedAt) / 1000).toFixed(2)} s`)
    },
  )
})
