/**
 * Seeded mutations of SIP messages, shared by the parser's fuzz (sip-fuzz.test.ts) and the fuzz
 * of faxd's SIP port (test/fuzz/sip-port.fuzz.test.ts): the same random generator gives the
 * same mutations, so a failing case replays from its seed.
 */
import type { SeededRandom } from '../../support/seeded-random.js'
import { octets } from './sip-samples.js'

/** Header lines that are malformed, odd or at the edge of the grammar. */
export const HOSTILE_LINES = [
  'Content-Length: 99999',
  'Content-Length: 0',
  'l: 3',
  'Content-Length: -1',
  'Via: SIP/2.0/UDP [::1',
  'v: SIP/2.0/UDP a;branch=z9hG4bK;rport=70000',
  'Contact: "unterminated <sip:a@b>',
  'Contact: *',
  'm: <sip:a,b@c>;expires=1, sip:d@e;q=1',
  'To: <sip:%zz@b>',
  'From: sip:a@b;tag',
  'CSeq: 99999999999 INVITE',
  'Call-ID: a b',
  'Max-Forwards: 1000',
  'Session-Expires: 1800;refresher=',
  'WWW-Authenticate: Digest realm="a,b", nonce="c\\"d", qop="auth,auth-int"',
  'Proxy-Authenticate: Digest realm=',
  'Authorization: Digest username="u"',
  'X-Long: ' + 'x'.repeat(9000),
  '  folded continuation',
  '\tfolded, "quoted, comma"',
  'Bad Header: x',
  ':',
  'Subject: \u00e9\u00e8 \u2603',
  'Subject: "',
  'Route: <sip:[2001:db8::1]:5060;lr>,<sip:h;lr>',
]

/** The grammar's delimiters and whitespace, put where they do not belong. */
export const SPECIAL = [
  ':',
  ';',
  ',',
  '"',
  '<',
  '>',
  '\r',
  '\n',
  ' ',
  '\t',
  '%',
  '[',
  ']',
  '@',
  '\\',
  '=',
  '?',
]

/**
 * One to three seeded mutations of `source`: bit flips, a truncation, a hostile or random
 * header line, random octets, a dropped or repeated line, a grammar character, inserted noise,
 * or random text in place of the whole.
 */
export function mutate(source: Uint8Array, rand: SeededRandom): Uint8Array {
  let data: Uint8Array = Uint8Array.from(source)
  const rounds = rand.int(1, 3)
  for (let round = 0; round < rounds; round++) {
    const kind = rand.int(0, 8)
    if (kind === 0 && data.length > 0) {
      for (let i = rand.int(1, 8); i > 0; i--) {
        const at = rand.int(0, data.length - 1)
        data[at] = (data[at] ?? 0) ^ (1 << rand.int(0, 7))
      }
    } else if (kind === 1) {
      data = data.slice(0, rand.int(0, data.length))
    } else if (kind === 2 || kind === 3) {
      const lines = new TextDecoder().decode(data).split('\r\n')
      const at = rand.int(1, Math.max(1, lines.length - 1))
      const line = kind === 2 ? rand.pick(HOSTILE_LINES) : randomHeaderLine(rand)
      lines.splice(at, 0, line)
      data = octets(lines.join('\r\n'))
    } else if (kind === 4 && data.length > 0) {
      const at = rand.int(0, data.length - 1)
      const count = rand.int(1, 16)
      for (let i = at; i < Math.min(data.length, at + count); i++) {
        data[i] = rand.int(0, 255)
      }
    } else if (kind === 5) {
      const lines = new TextDecoder().decode(data).split('\r\n')
      const at = rand.int(0, lines.length - 1)
      if (rand.chance(0.5)) {
        lines.splice(at, 1)
      } else {
        lines.splice(at, 0, lines[at] ?? '')
      }
      data = octets(lines.join('\r\n'))
    } else if (kind === 6 && data.length > 0) {
      const text = new TextDecoder().decode(data)
      const at = rand.int(0, text.length)
      data = octets(text.slice(0, at) + rand.pick(SPECIAL) + text.slice(at + rand.int(0, 1)))
    } else if (kind === 7) {
      const noise = Uint8Array.from({ length: rand.int(0, 64) }, () => rand.int(0, 255))
      const at = rand.int(0, data.length)
      data = Uint8Array.from([...data.subarray(0, at), ...noise, ...data.subarray(at)])
    } else {
      data = Uint8Array.from({ length: rand.int(0, 200) }, () =>
        rand.chance(0.7) ? rand.int(0x20, 0x7e) : rand.pick([0x0d, 0x0a, 0x09, 0x00, 0xff]),
      )
    }
  }
  return data
}

/** A header line with a name SIP knows (or X-Fuzz) and a value of random printable text. */
export function randomHeaderLine(rand: SeededRandom): string {
  const name = rand.pick([
    'Via',
    'v',
    'To',
    't',
    'From',
    'Contact',
    'CSeq',
    'Call-ID',
    'Content-Length',
    'WWW-Authenticate',
    'Session-Expires',
    'X-Fuzz',
  ])
  let value = ''
  for (let i = rand.int(0, 40); i > 0; i--) {
    value += rand.chance(0.3)
      ? rand.pick(SPECIAL.filter((c) => c !== '\r' && c !== '\n'))
      : String.fromCharCode(rand.int(0x21, 0x7e))
  }
  return `${name}: ${value}`
}
