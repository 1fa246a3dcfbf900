/**
 * SDP (RFC 4566) parsing and formatting: the lines of a whole description, the tolerance we
 * allow (LF line ends, blank lines, extra blanks, session lines out of order), every refusal
 * with its code, the limits, exact CRLF output, round trips, and a seeded fuzzer of mutated
 * bodies that must each parse (and then round-trip) or throw an SdpError, nothing else.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  MAX_SDP_CHARS,
  MAX_SDP_LINES,
  MAX_SDP_LINE_CHARS,
  SdpError,
  formatSdp,
  mediaConnection,
  parseSdp,
  type SdpErrorCode,
  type SdpMedia,
  type SessionDescription,
} from '../../../src/telephony/sip/sdp.js'
import { seededRandom } from '../../support/seeded-random.js'

const crlf = (...lines: string[]): string => lines.map((line) => `${line}\r\n`).join('')

function expectSdpError(fn: () => unknown, code: SdpErrorCode): void {
  assert.throws(fn, (error) => {
    assert.ok(error instanceof SdpError, `not an SdpError: ${String(error)}`)
    assert.equal(error.code, code, error.message)
    return true
  })
}

/** A re-INVITE body around the brief's example image section (transmission.md §5). */
const T38_REOFFER = crlf(
  'v=0',
  'o=- 3912345678 3912345679 IN IP4 192.0.2.1',
  's=faxd',
  'c=IN IP4 192.0.2.1',
  't=0 0',
  'm=image 40000 udptl t38',
  'a=T38FaxVersion:0',
  'a=T38MaxBitRate:14400',
  'a=T38FaxRateManagement:transferredTCF',
  'a=T38FaxMaxBuffer:2000',
  'a=T38FaxMaxDatagram:400',
  'a=T38FaxUdpEC:t38UDPRedundancy',
)

const AUDIO_OFFER = crlf(
  'v=0',
  'o=root 1821 1821 IN IP4 198.51.100.7',
  's=Asterisk PBX 18.20.0',
  'c=IN IP4 198.51.100.7',
  'b=CT:384',
  't=0 0',
  'm=audio 17070 RTP/AVP 0 8 101',
  'b=AS:64',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-16',
  'a=ptime:20',
  'a=maxptime:150',
  'a=sendrecv',
)

/** Every optional line type RFC 4566 has, at both levels. */
const EVERY_LINE = crlf(
  'v=0',
  'o=jdoe 2890844526 2890842807 IN IP4 10.47.16.5',
  's=SDP Seminar',
  'i=A Seminar on the session description protocol',
  'u=http://www.example.com/seminars/sdp.pdf',
  'e=j.doe@example.com (Jane Doe)',
  'p=+1 617 555-6011',
  'c=IN IP4 224.2.17.12/127',
  't=2873397496 2873404696',
  'r=604800 3600 0 90000',
  't=0 0',
  'z=2882844526 -1h 2898848070 0',
  'k=prompt',
  'a=recvonly',
  'm=audio 49170/2 RTP/AVP 0',
  'i=the audio',
  'c=IN IP6 ff15::101/3',
  'b=AS:64',
  'k=clear:secret',
  'a=rtpmap:0 PCMU/8000',
  'm=video 51372 RTP/AVP 99',
  'a=rtpmap:99 h263-1998/90000',
)

describe('parseSdp', () => {
  it('reads the session lines and the image section of a T.38 re-offer', () => {
    const sd = parseSdp(T38_REOFFER)
    assert.deepEqual(sd.origin, {
      username: '-',
      sessionId: '3912345678',
      sessionVersion: '3912345679',
      netType: 'IN',
      addressType: 'IP4',
      address: '192.0.2.1',
    })
    assert.equal(sd.sessionName, 'faxd')
    assert.deepEqual(sd.connection, { addressType: 'IP4', address: '192.0.2.1' })
    assert.deepEqual(sd.times, [{ start: 0, stop: 0, repeats: [] }])
    assert.equal(sd.media.length, 1)
    const image = sd.media[0] as SdpMedia
    assert.deepEqual(
      { media: image.media, port: image.port, proto: image.proto, formats: image.formats },
      { media: 'image', port: 40000, proto: 'udptl', formats: ['t38'] },
    )
    assert.deepEqual(image.attributes, [
      { name: 'T38FaxVersion', value: '0' },
      { name: 'T38MaxBitRate', value: '14400' },
      { name: 'T38FaxRateManagement', value: 'transferredTCF' },
      { name: 'T38FaxMaxBuffer', value: '2000' },
      { name: 'T38FaxMaxDatagram', value: '400' },
      { name: 'T38FaxUdpEC', value: 't38UDPRedundancy' },
    ])
    assert.equal(image.connection, undefined)
    assert.deepEqual(mediaConnection(sd, image), { addressType: 'IP4', address: '192.0.2.1' })
  })

  it('keeps attributes in order, properties apart from values, and b lines at both levels', () => {
    const sd = parseSdp(AUDIO_OFFER)
    const audio = sd.media[0] as SdpMedia
    assert.deepEqual(sd.bandwidths, [{ type: 'CT', value: 384 }])
    assert.deepEqual(audio.bandwidths, [{ type: 'AS', value: 64 }])
    assert.deepEqual(audio.formats, ['0', '8', '101'])
    assert.deepEqual(audio.attributes, [
      { name: 'rtpmap', value: '0 PCMU/8000' },
      { name: 'rtpmap', value: '8 PCMA/8000' },
      { name: 'rtpmap', value: '101 telephone-event/8000' },
      { name: 'fmtp', value: '101 0-16' },
      { name: 'ptime', value: '20' },
      { name: 'maxptime', value: '150' },
      { name: 'sendrecv' },
    ])
    assert.deepEqual(parseSdp(T38_REOFFER + 'a=empty:\r\n').media[0]?.attributes.at(-1), {
      name: 'empty',
      value: '',
    })
  })

  it('reads every line type of RFC 4566 at the level it belongs to', () => {
    const sd = parseSdp(EVERY_LINE)
    assert.equal(sd.information, 'A Seminar on the session description protocol')
    assert.equal(sd.uri, 'http://www.example.com/seminars/sdp.pdf')
    assert.deepEqual(sd.emails, ['j.doe@example.com (Jane Doe)'])
    assert.deepEqual(sd.phones, ['+1 617 555-6011'])
    assert.deepEqual(sd.connection, { addressType: 'IP4', address: '224.2.17.12/127' })
    assert.deepEqual(sd.times, [
      { start: 2873397496, stop: 2873404696, repeats: ['604800 3600 0 90000'] },
      { start: 0, stop: 0, repeats: [] },
    ])
    assert.equal(sd.timeZones, '2882844526 -1h 2898848070 0')
    assert.equal(sd.encryptionKey, 'prompt')
    assert.deepEqual(sd.attributes, [{ name: 'recvonly' }])
    const [audio, video] = sd.media
    assert.deepEqual(audio, {
      media: 'audio',
      port: 49170,
      portCount: 2,
      proto: 'RTP/AVP',
      formats: ['0'],
      title: 'the audio',
      connection: { addressType: 'IP6', address: 'ff15::101/3' },
      bandwidths: [{ type: 'AS', value: 64 }],
      encryptionKey: 'clear:secret',
      attributes: [{ name: 'rtpmap', value: '0 PCMU/8000' }],
    })
    assert.equal(video?.media, 'video')
    assert.deepEqual(mediaConnection(sd, video), sd.connection)
  })

  it('takes LF line ends, blank lines, runs of blanks and trailing blanks', () => {
    const sloppy = [
      'v=0',
      '',
      'o=-   1 1\tIN IP4 192.0.2.1  ',
      's=-',
      'c=IN  IP4 192.0.2.1 ',
      't=0   0',
      'm=image  40000 udptl  t38 ',
      'a=T38FaxVersion:0   ',
      'a=sendrecv\t',
      '',
      '',
    ].join('\n')
    const sd = parseSdp(sloppy)
    assert.equal(sd.origin.sessionId, '1')
    assert.deepEqual(sd.media[0]?.formats, ['t38'])
    assert.deepEqual(sd.media[0]?.attributes, [
      { name: 'T38FaxVersion', value: '0' },
      { name: 'sendrecv' },
    ])
  })

  it('takes session lines out of order after v, and a media-level c line only', () => {
    const sd = parseSdp(
      crlf(
        'v=0',
        's=trunk',
        'a=group:BUNDLE x',
        't=0 0',
        'o=- 7 7 IN IP6 2001:db8::1',
        'm=image 6000 udptl t38',
        'c=IN IP6 2001:db8::7',
      ),
    )
    assert.equal(sd.connection, undefined)
    assert.deepEqual(mediaConnection(sd, sd.media[0] as SdpMedia), {
      addressType: 'IP6',
      address: '2001:db8::7',
    })
  })

  it('lets a declined stream (port 0) go without any c line', () => {
    const sd = parseSdp(
      crlf('v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 't=0 0', 'm=image 0 udptl t38'),
    )
    assert.equal(sd.media[0]?.port, 0)
  })

  const head = ['v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0']
  const refusals: [string, string, SdpErrorCode][] = [
    ['an empty body', '', 'missing-line'],
    ['blank lines only', '\r\n \r\n', 'missing-line'],
    ['no v line first', crlf(...head.slice(1)), 'missing-line'],
    ['v=1', crlf('v=1', ...head.slice(1)), 'bad-version'],
    ['a second v line', crlf(...head, 'v=0'), 'misplaced-line'],
    ['no o line', crlf('v=0', 's=-', 't=0 0'), 'missing-line'],
    ['no s line', crlf('v=0', 'o=- 1 1 IN IP4 192.0.2.1', 't=0 0'), 'missing-line'],
    ['no t line', crlf('v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-'), 'missing-line'],
    ['a type letter RFC 4566 lacks', crlf(...head, 'x=1'), 'unknown-type'],
    ['an upper-case type letter', crlf(...head, 'A=sendrecv'), 'unknown-type'],
    ['a blank before =', crlf(...head, 'a =sendrecv'), 'bad-line'],
    ['no = at all', crlf(...head, 'sendrecv'), 'bad-line'],
    ['a NUL in a line', crlf(...head, 'a=x\0y'), 'bad-line'],
    ['a lone CR inside a line', crlf(...head, 'a=x\ry'), 'bad-line'],
    ['a second o line', crlf(...head, 'o=- 2 2 IN IP4 192.0.2.1'), 'misplaced-line'],
    ['a second session c line', crlf(...head, 'c=IN IP4 192.0.2.2'), 'misplaced-line'],
    ['r before any t', crlf(...head.slice(0, 4), 'r=1 2 3', 't=0 0'), 'misplaced-line'],
    ['t inside a media section', crlf(...head, 'm=image 1 udptl t38', 't=0 0'), 'misplaced-line'],
    [
      'two c lines in one stream',
      crlf(...head, 'm=image 1 udptl t38', 'c=IN IP4 1.1.1.1', 'c=IN IP4 1.1.1.2'),
      'misplaced-line',
    ],
    ['an o line of 5 fields', crlf('v=0', 'o=- 1 1 IN IP4', 's=-', 't=0 0'), 'bad-origin'],
    ['c=IN IP5', crlf(...head, 'm=image 1 udptl t38', 'c=IN IP5 192.0.2.1'), 'bad-connection'],
    ['c=ATM', crlf(...head, 'm=image 1 udptl t38', 'c=ATM NSAP 47.0091'), 'bad-connection'],
    ['c without an address', crlf(...head, 'm=image 1 udptl t38', 'c=IN IP4'), 'bad-connection'],
    [
      'c with a fourth field',
      crlf(...head, 'm=image 1 udptl t38', 'c=IN IP4 a b'),
      'bad-connection',
    ],
    ['b without a colon', crlf(...head, 'b=AS64'), 'bad-bandwidth'],
    ['b with letters', crlf(...head, 'b=AS:lots'), 'bad-bandwidth'],
    ['t with one field', crlf(...head.slice(0, 4), 't=0'), 'bad-time'],
    ['t with a sign', crlf(...head.slice(0, 4), 't=-1 0'), 'bad-time'],
    ['t of 16 digits', crlf(...head.slice(0, 4), 't=1234567890123456 0'), 'bad-time'],
    ['m without formats', crlf(...head, 'm=image 40000 udptl'), 'bad-media'],
    ['m with port 70000', crlf(...head, 'm=image 70000 udptl t38'), 'bad-media'],
    ['m with a port of letters', crlf(...head, 'm=audio abc RTP/AVP 0'), 'bad-media'],
    ['m with port count 0', crlf(...head, 'm=audio 4000/0 RTP/AVP 0'), 'bad-media'],
    ['m with an empty proto part', crlf(...head, 'm=audio 4000 RTP//AVP 0'), 'bad-media'],
    ['a with an empty name', crlf(...head, 'a=:x'), 'bad-attribute'],
    ['a with nothing', crlf(...head, 'a='), 'bad-attribute'],
    ['a name with a blank', crlf(...head, 'a=T38 FaxVersion:0'), 'bad-attribute'],
    [
      'a stream without any c line',
      crlf('v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 't=0 0', 'm=image 1 udptl t38'),
      'missing-line',
    ],
  ]
  for (const [what, text, code] of refusals) {
    it(`refuses ${what} (${code})`, () => {
      expectSdpError(() => parseSdp(text), code)
    })
  }

  it('refuses a body, a line count or a line over the limits before reading it', () => {
    expectSdpError(() => parseSdp(T38_REOFFER + 'a=x\r\n'.repeat(MAX_SDP_CHARS / 5)), 'too-large')
    const manyLines = T38_REOFFER + 'a=x\r\n'.repeat(MAX_SDP_LINES)
    assert.ok(manyLines.length <= MAX_SDP_CHARS)
    expectSdpError(() => parseSdp(manyLines), 'too-large')
    expectSdpError(
      () => parseSdp(T38_REOFFER + `a=x:${'y'.repeat(MAX_SDP_LINE_CHARS)}\r\n`),
      'too-large',
    )
    parseSdp(T38_REOFFER + 'a=x\r\n'.repeat(MAX_SDP_LINES - 12))
  })

  it('refuses what is not a string', () => {
    expectSdpError(() => parseSdp(undefined as unknown as string), 'bad-argument')
  })
})

describe('formatSdp', () => {
  const description: SessionDescription = {
    origin: {
      username: '-',
      sessionId: '42',
      sessionVersion: '43',
      netType: 'IN',
      addressType: 'IP4',
      address: '192.0.2.1',
    },
    sessionName: 'faxd',
    emails: [],
    phones: [],
    connection: { addressType: 'IP4', address: '192.0.2.1' },
    bandwidths: [],
    times: [{ start: 0, stop: 0, repeats: [] }],
    attributes: [],
    media: [
      {
        media: 'image',
        port: 40000,
        proto: 'udptl',
        formats: ['t38'],
        bandwidths: [{ type: 'AS', value: 20 }],
        attributes: [{ name: 'T38FaxVersion', value: '0' }, { name: 'sendrecv' }],
      },
    ],
  }

  it('writes the lines in RFC 4566 order, each ended by CRLF', () => {
    assert.equal(
      formatSdp(description),
      crlf(
        'v=0',
        'o=- 42 43 IN IP4 192.0.2.1',
        's=faxd',
        'c=IN IP4 192.0.2.1',
        't=0 0',
        'm=image 40000 udptl t38',
        'b=AS:20',
        'a=T38FaxVersion:0',
        'a=sendrecv',
      ),
    )
  })

  it('gives back what it parsed, for every sample', () => {
    for (const text of [T38_REOFFER, AUDIO_OFFER, EVERY_LINE]) {
      const sd = parseSdp(text)
      assert.equal(formatSdp(sd), text)
      assert.deepEqual(parseSdp(formatSdp(sd)), sd)
    }
  })

  const media = description.media[0] as SdpMedia
  const bad: [string, SessionDescription][] = [
    ['a line break in s', { ...description, sessionName: 'fax\r\nx=1' }],
    [
      'a blank in the username',
      { ...description, origin: { ...description.origin, username: 'a b' } },
    ],
    ['an empty session id', { ...description, origin: { ...description.origin, sessionId: '' } }],
    ['no t line', { ...description, times: [] }],
    ['a negative time', { ...description, times: [{ start: -1, stop: 0, repeats: [] }] }],
    ['port 70000', { ...description, media: [{ ...media, port: 70000 }] }],
    ['a port count of 0', { ...description, media: [{ ...media, portCount: 0 }] }],
    ['no formats', { ...description, media: [{ ...media, formats: [] }] }],
    ['a format with a blank', { ...description, media: [{ ...media, formats: ['t 38'] }] }],
    ['an attribute name with a colon', { ...description, attributes: [{ name: 'a:b' }] }],
    [
      'an attribute value ending in a blank',
      { ...description, attributes: [{ name: 'a', value: 'b ' }] },
    ],
    ['a NUL in a value', { ...description, attributes: [{ name: 'a', value: 'b\0' }] }],
    [
      'an IP5 address',
      { ...description, connection: { addressType: 'IP5' as 'IP4', address: 'x' } },
    ],
    ['a stream without a connection', { ...description, connection: undefined }],
    ['a fractional bandwidth', { ...description, bandwidths: [{ type: 'AS', value: 1.5 }] }],
  ]
  for (const [what, sd] of bad) {
    it(`refuses to write ${what}`, () => {
      expectSdpError(() => formatSdp(sd), 'bad-argument')
    })
  }
})

describe('hostile SDP bodies', () => {
  const CORPUS = [T38_REOFFER, AUDIO_OFFER, EVERY_LINE]
  const NOISE = [
    '\r',
    '\n',
    '\r\n',
    '\0',
    ' ',
    '\t',
    '=',
    ':',
    '/',
    '.',
    '-',
    '0',
    '9',
    'a',
    'Z',
    'é',
    '\u{1f4e0}',
    'x=',
    'm=',
    'c=',
    'a=',
    'v=0',
    '99999999999999999',
  ]
  const TYPES = [...'vosiuepcbtrzkamxyV1 ']

  function mutate(text: string, rand: ReturnType<typeof seededRandom>): string {
    let out = text
    const rounds = rand.int(1, 4)
    for (let round = 0; round < rounds; round++) {
      const at = rand.int(0, out.length)
      const lines = out.split('\r\n')
      const line = rand.int(0, Math.max(0, lines.length - 1))
      switch (rand.int(0, 8)) {
        case 0:
          out = out.slice(0, at) + out.slice(at + rand.int(1, 8))
          break
        case 1:
          out = out.slice(0, at) + rand.pick(NOISE) + out.slice(at)
          break
        case 2:
          out = out.slice(0, at)
          break
        case 3:
          lines.splice(line, 1)
          out = lines.join('\r\n')
          break
        case 4:
          lines.splice(line, 0, lines[rand.int(0, lines.length - 1)] ?? '')
          out = lines.join('\r\n')
          break
        case 5: {
          const fieldsOf = Array.from({ length: rand.int(0, 6) }, () => rand.pick(NOISE))
          lines[line] = `${rand.pick(TYPES)}=${fieldsOf.join(rand.pick([' ', '', ':']))}`
          out = lines.join('\r\n')
          break
        }
        case 6: {
          // a number somewhere (a port, a time, a bandwidth…) becomes another, maybe huge
          const numbers = [...out.matchAll(/[0-9]+/g)]
          const hit = numbers.length > 0 ? rand.pick(numbers) : undefined
          if (hit !== undefined) {
            const value = String(rand.int(0, 2 ** 31)).repeat(rand.int(1, 3))
            out = out.slice(0, hit.index) + value + out.slice(hit.index + hit[0].length)
          }
          break
        }
        case 7:
          out = Array.from({ length: rand.int(0, 200) }, () =>
            String.fromCharCode(rand.int(0, 255)),
          ).join('')
          break
        default: {
          const swap = rand.int(0, lines.length - 1)
          const a = lines[line] ?? ''
          lines[line] = lines[swap] ?? ''
          lines[swap] = a
          out = lines.join('\r\n')
        }
      }
    }
    return out
  }

  it('parses or refuses 10,000 mutated bodies, and round-trips every one it parses', () => {
    const rand = seededRandom(4566)
    const seen = new Map<string, number>()
    for (let trial = 0; trial < 10_000; trial++) {
      const text = mutate(rand.pick(CORPUS), rand)
      let outcome: string
      try {
        const sd = parseSdp(text)
        const again = formatSdp(sd)
        assert.deepEqual(parseSdp(again), sd, `round trip of ${JSON.stringify(text)}`)
        outcome = 'ok'
      } catch (error) {
        if (!(error instanceof SdpError)) {
          assert.fail(`${String(error)} for ${JSON.stringify(text)}`)
        }
        assert.ok(error.message.length > 5)
        outcome = error.code
      }
      seen.set(outcome, (seen.get(outcome) ?? 0) + 1)
    }
    for (const code of [
      'ok',
      'bad-line',
      'unknown-type',
      'misplaced-line',
      'missing-line',
      'bad-media',
      'bad-origin',
    ] as const) {
      assert.ok((seen.get(code) ?? 0) > 0, `never saw ${code}: ${JSON.stringify([...seen])}`)
    }
    assert.ok((seen.get('ok') ?? 0) > 1000, JSON.stringify([...seen]))
  })
})
