/**
 * The T.38 and audio streams of a fax call's SDP: the brief's example offer byte for byte,
 * offers written the way Cisco gateways, Asterisk and typical trunks write them (`:0` flags,
 * T38FaxMaxRate, no version, names in any case, IPv6, a session-level c line only), our answer
 * to each, every refusal, the settled parameters on both sides, the audio offer and answer,
 * and our descriptions across a call (audio, then the re-INVITE that replaces it with image).
 * The sample offers are our own, written to the shapes those peers are known to send.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { formatSdp, parseSdp, type SdpMedia } from '../../../src/telephony/sip/sdp.js'
import {
  AUDIO_PAYLOAD_TYPES,
  answerMedia,
  audioAnswer,
  audioOffer,
  createLocalDescription,
  isAudioRefusal,
  localSessionDescription,
  readAudioStream,
  updateLocalDescription,
  type AudioStream,
} from '../../../src/telephony/sip/sdp-offer-answer.js'
import {
  DEFAULT_T38_CAPABILITIES,
  answerT38,
  buildT38Media,
  farMaxDatagramOctets,
  isT38Refusal,
  negotiateT38,
  readT38Params,
  readT38Stream,
  t38Offer,
  type T38Capabilities,
  type T38ErrorCorrection,
  type T38Params,
  type T38Stream,
} from '../../../src/telephony/sip/t38-sdp.js'
import { seededRandom } from '../../support/seeded-random.js'

const crlf = (...lines: string[]): string => lines.map((line) => `${line}\r\n`).join('')

/** transmission.md §5: our UAC's re-INVITE to SIPp, which answered the same on port 40002. */
const BRIEF_EXAMPLE = [
  'm=image 40000 udptl t38',
  'a=T38FaxVersion:0',
  'a=T38MaxBitRate:14400',
  'a=T38FaxRateManagement:transferredTCF',
  'a=T38FaxMaxBuffer:2000',
  'a=T38FaxMaxDatagram:400',
  'a=T38FaxUdpEC:t38UDPRedundancy',
]

const session = (address = '192.0.2.1', ...rest: string[]): string[] => [
  'v=0',
  `o=- 1 1 IN IP4 ${address}`,
  's=-',
  `c=IN IP4 ${address}`,
  't=0 0',
  ...rest,
]

/** A Cisco IOS gateway's re-INVITE: flags written as `:0`, a tiny buffer and datagram. */
const CISCO = crlf(
  'v=0',
  'o=CiscoSystemsSIP-GW-UserAgent 4471 9321 IN IP4 203.0.113.20',
  's=SIP Call',
  'c=IN IP4 203.0.113.20',
  't=0 0',
  'm=image 17318 udptl t38',
  'c=IN IP4 203.0.113.20',
  'a=T38FaxVersion:0',
  'a=T38MaxBitRate:14400',
  'a=T38FaxFillBitRemoval:0',
  'a=T38FaxTranscodingMMR:0',
  'a=T38FaxTranscodingJBIG:0',
  'a=T38FaxRateManagement:transferredTCF',
  'a=T38FaxMaxBuffer:200',
  'a=T38FaxMaxDatagram:72',
  'a=T38FaxUdpEC:t38UDPRedundancy',
)

/** Asterisk's shape: the fill-bit flag bare, datagram 400, no buffer. */
const ASTERISK = crlf(
  'v=0',
  'o=- 1638286541 1638286543 IN IP4 198.51.100.7',
  's=Asterisk',
  'c=IN IP4 198.51.100.7',
  't=0 0',
  'm=image 4420 udptl t38',
  'a=T38FaxVersion:0',
  'a=T38MaxBitRate:14400',
  'a=T38FaxFillBitRemoval',
  'a=T38FaxRateManagement:transferredTCF',
  'a=T38FaxMaxDatagram:400',
  'a=T38FaxUdpEC:t38UDPRedundancy',
)

/**
 * A trunk's SBC: no T38FaxVersion, the older T38FaxMaxRate and T38MaxDatagram spellings, names
 * and values in other cases, FEC, an IPv6 media address, and a version-4 attribute we ignore.
 */
const TRUNK_IPV6 = crlf(
  'v=0',
  'o=sbc 20250101 20250102 IN IP6 2001:db8::10',
  's=session',
  't=0 0',
  'm=image 30000 UDPTL T38',
  'c=IN IP6 2001:db8::20',
  'a=t38maxbitrate:9600',
  'a=T38FAXRATEMANAGEMENT:transferredtcf',
  'a=t38MaxDatagram:1500',
  'a=T38FaxUdpEc:T38UDPFEC',
  'a=T38FaxMaxIFP:300',
  'a=t38faxtranscodingjbig:1',
)

/** A trunk that offers T.38 in the first INVITE, next to audio, with T38FaxMaxRate. */
const FIRST_INVITE_BOTH = crlf(
  ...session(
    '198.51.100.30',
    'm=audio 10000 RTP/AVP 8 0 96',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:96 telephone-event/8000',
    'a=fmtp:96 0-15',
    'm=image 10002 udptl t38',
    'a=T38FaxVersion:2',
    'a=T38FaxMaxRate:14400',
    'a=T38FaxRateManagement:transferredTCF',
    'a=T38FaxMaxBuffer:1800',
    'a=T38FaxMaxDatagram:512',
    'a=T38FaxUdpEC:t38UDPRedundancy',
  ),
)

function stream(text: string): T38Stream {
  const found = readT38Stream(parseSdp(text))
  assert.ok(!isT38Refusal(found), JSON.stringify(found))
  return found
}

function answer(offer: T38Params, ours: T38Capabilities = DEFAULT_T38_CAPABILITIES): T38Params {
  const result = answerT38(offer, ours)
  assert.ok(!isT38Refusal(result), JSON.stringify(result))
  return result
}

/** The attribute lines of a built image section, as they are written. */
const lines = (media: SdpMedia): string[] =>
  formatSdp({ ...parseSdp(crlf(...session())), media: [media] })
    .split('\r\n')
    .slice(5, -1)

/** T38Params like the brief's example; an override of undefined removes the field. */
const params = (overrides: Partial<T38Params> = {}): T38Params => {
  const all: Record<string, unknown> = {
    version: 0,
    maxBitRateBps: 14400,
    rateManagement: 'transferredTCF',
    maxBufferOctets: 2000,
    maxDatagramOctets: 400,
    errorCorrection: 't38UDPRedundancy',
    fillBitRemoval: false,
    transcodingMmr: false,
    transcodingJbig: false,
    ...overrides,
  }
  return Object.fromEntries(
    Object.entries(all).filter(([, value]) => value !== undefined),
  ) as unknown as T38Params
}

describe('the brief’s example offer', () => {
  it('is exactly what we offer with the default capabilities', () => {
    assert.deepEqual(lines(buildT38Media(t38Offer(DEFAULT_T38_CAPABILITIES), 40000)), BRIEF_EXAMPLE)
  })

  it('reads back to the parameters it was built from', () => {
    const found = stream(crlf(...session('192.0.2.1', ...BRIEF_EXAMPLE)))
    assert.deepEqual(found, {
      index: 0,
      port: 40000,
      connection: { addressType: 'IP4', address: '192.0.2.1' },
      params: params(),
    })
  })

  it('gets the same attributes back in our answer, as SIPp gave on port 40002', () => {
    const ours = answer(stream(crlf(...session('192.0.2.1', ...BRIEF_EXAMPLE))).params)
    assert.deepEqual(lines(buildT38Media(ours, 40002)), [
      'm=image 40002 udptl t38',
      ...BRIEF_EXAMPLE.slice(1),
    ])
  })
})

describe('reading offers as peers write them', () => {
  it('Cisco: `:0` flags are off, buffer 200 and datagram 72 are read', () => {
    const found = stream(CISCO)
    assert.equal(found.port, 17318)
    assert.deepEqual(found.params, params({ maxBufferOctets: 200, maxDatagramOctets: 72 }))
  })

  it('Cisco with `:1` flags: they read as on', () => {
    const on = stream(CISCO.replace(/(Removal|MMR|JBIG):0/g, '$1:1')).params
    assert.deepEqual([on.fillBitRemoval, on.transcodingMmr, on.transcodingJbig], [true, true, true])
  })

  it('Asterisk: a bare flag is on, an absent buffer stays absent', () => {
    const { params: read } = stream(ASTERISK)
    assert.equal(read.fillBitRemoval, true)
    assert.equal(read.maxBufferOctets, undefined)
    assert.equal(read.maxDatagramOctets, 400)
  })

  it('a trunk over IPv6: no version is 0, old spellings and any case are read', () => {
    const found = stream(TRUNK_IPV6)
    assert.deepEqual(found.connection, { addressType: 'IP6', address: '2001:db8::20' })
    assert.deepEqual(found.params, {
      version: 0,
      maxBitRateBps: 9600,
      rateManagement: 'transferredTCF',
      maxDatagramOctets: 1500,
      errorCorrection: 't38UDPFEC',
      fillBitRemoval: false,
      transcodingMmr: false,
      transcodingJbig: true,
    })
  })

  it('a session-level c line only gives the stream its address', () => {
    const found = stream(crlf(...session('198.51.100.99', ...BRIEF_EXAMPLE)))
    assert.deepEqual(found.connection, { addressType: 'IP4', address: '198.51.100.99' })
  })

  it('T.38 next to audio in a first INVITE: the image stream at index 1, T38FaxMaxRate read', () => {
    const found = stream(FIRST_INVITE_BOTH)
    assert.equal(found.index, 1)
    assert.equal(found.params.version, 2)
    assert.equal(found.params.maxBitRateBps, 14400)
    assert.equal(found.params.maxBufferOctets, 1800)
  })

  it('takes the first of a repeated attribute, and counts unreadable values as absent', () => {
    const text = crlf(
      ...session(
        '192.0.2.1',
        'm=image 5000 udptl t38',
        'a=T38FaxVersion:x',
        'a=T38FaxVersion:3',
        'a=T38MaxBitRate:14.4k',
        'a=T38FaxMaxDatagram:-1',
        'a=T38FaxMaxBuffer:99999999999',
        'a=T38FaxRateManagement:sometimes',
        'a=T38FaxUdpEC:t38UDPMagic',
        'a=T38MaxBitRate:0',
      ),
    )
    assert.deepEqual(stream(text).params, {
      version: 0,
      errorCorrection: 'none',
      fillBitRemoval: false,
      transcodingMmr: false,
      transcodingJbig: false,
    })
  })

  it('reads T38MaxBitRate:0 (AudioCodes’ "no limit") as no rate given', () => {
    const text = crlf(...session('192.0.2.1', 'm=image 5000 udptl t38', 'a=T38MaxBitRate:0'))
    assert.equal(stream(text).params.maxBitRateBps, undefined)
  })

  it('never throws on mutated attribute values', () => {
    const rand = seededRandom(38)
    const names = [
      'T38FaxVersion',
      't38maxbitrate',
      'T38FaxMaxRate',
      'T38FaxRateManagement',
      'T38FaxMaxBuffer',
      'T38FaxMaxDatagram',
      'T38MaxDatagram',
      'T38FaxUdpEC',
      'T38FaxFillBitRemoval',
      'T38FaxTranscodingMMR',
      'T38FaxTranscodingJBIG',
    ]
    const values = [
      undefined,
      '',
      '0',
      '1',
      '3',
      '400',
      '14400',
      ' 9600 ',
      '-5',
      '1e3',
      'transferredTCF',
      'LOCALTCF',
      't38UDPFEC',
      'x',
      '99999999999999',
    ]
    for (let trial = 0; trial < 2000; trial++) {
      const attributes = Array.from({ length: rand.int(0, 12) }, () => {
        const value = rand.pick(values)
        return value === undefined ? { name: rand.pick(names) } : { name: rand.pick(names), value }
      })
      const read = readT38Params({ ...buildT38Media(params(), 1), attributes })
      assert.ok(Number.isInteger(read.version) && read.version >= 0)
      const result = answerT38(read, DEFAULT_T38_CAPABILITIES)
      if (!isT38Refusal(result)) {
        assert.ok(result.version <= 0 && result.maxBitRateBps !== undefined)
        assert.equal(result.maxBitRateBps <= 14400 && result.maxBitRateBps >= 2400, true)
      }
    }
  })
})

describe('answering a T.38 offer', () => {
  it('Cisco: our buffer and datagram, flags off, and we send at most 72 octets', () => {
    const offer = stream(CISCO).params
    assert.deepEqual(answer(offer), params())
    assert.equal(farMaxDatagramOctets(offer), 72)
  })

  it('Asterisk: the bare fill-bit flag is not turned on in the answer', () => {
    const ours = answer(stream(ASTERISK).params)
    assert.equal(ours.fillBitRemoval, false)
    assert.deepEqual(lines(buildT38Media(ours, 4000)), [
      'm=image 4000 udptl t38',
      ...BRIEF_EXAMPLE.slice(1),
    ])
  })

  it('a trunk with FEC, 9600 and 1500: version 0, 9600, redundancy, and we send at most 400', () => {
    const offer = stream(TRUNK_IPV6).params
    assert.deepEqual(answer(offer), params({ maxBitRateBps: 9600 }))
    assert.equal(farMaxDatagramOctets(offer), 400)
  })

  it('version: the lower of the offer and our highest', () => {
    const cases: [number, 0 | 1 | 2 | 3, number][] = [
      [0, 3, 0],
      [3, 0, 0],
      [2, 3, 2],
      [3, 2, 2],
      [4, 3, 3],
    ]
    for (const [offered, highest, expected] of cases) {
      const ours = { ...DEFAULT_T38_CAPABILITIES, highestVersion: highest }
      assert.equal(
        answer(params({ version: offered }), ours).version,
        expected,
        `${offered}/${highest}`,
      )
    }
  })

  it('max bit rate: the lower of the two, ours when the offer gives none', () => {
    const at9600 = { ...DEFAULT_T38_CAPABILITIES, maxBitRateBps: 9600 }
    assert.equal(answer(params({ maxBitRateBps: 33600 })).maxBitRateBps, 14400)
    assert.equal(answer(params({ maxBitRateBps: 7200 })).maxBitRateBps, 7200)
    assert.equal(answer(params({ maxBitRateBps: 14400 }), at9600).maxBitRateBps, 9600)
    assert.equal(answer(params({ maxBitRateBps: undefined })).maxBitRateBps, 14400)
  })

  it('rate management: transferredTCF when the offer says it or nothing', () => {
    assert.equal(answer(params({ rateManagement: undefined })).rateManagement, 'transferredTCF')
  })

  it('error correction: the offer or weaker, redundancy preferred', () => {
    const R = 't38UDPRedundancy'
    const F = 't38UDPFEC'
    const cases: [T38ErrorCorrection, T38Capabilities['errorCorrection'], T38ErrorCorrection][] = [
      [R, [R], R],
      [F, [R], R],
      [F, [R, F], R],
      [F, [F, R], F],
      [F, [F], F],
      [R, [F], 'none'],
      ['none', [R, F], 'none'],
      [R, [], 'none'],
      [F, [], 'none'],
    ]
    for (const [offered, ecs, expected] of cases) {
      const ours = { ...DEFAULT_T38_CAPABILITIES, errorCorrection: ecs }
      assert.equal(
        answer(params({ errorCorrection: offered }), ours).errorCorrection,
        expected,
        `${offered} / ${ecs.join(',')}`,
      )
    }
  })

  it('never turns on the flags, whatever is offered', () => {
    const offer = params({ fillBitRemoval: true, transcodingMmr: true, transcodingJbig: true })
    const ours = answer(offer)
    assert.deepEqual(
      [ours.fillBitRemoval, ours.transcodingMmr, ours.transcodingJbig],
      [false, false, false],
    )
  })

  it('refuses localTCF and rates below 2400', () => {
    assert.deepEqual(answerT38(params({ rateManagement: 'localTCF' }), DEFAULT_T38_CAPABILITIES), {
      refused: 'local-tcf',
      detail: 'T38FaxRateManagement:localTCF over udptl',
    })
    const slow = answerT38(params({ maxBitRateBps: 300 }), DEFAULT_T38_CAPABILITIES)
    assert.ok(isT38Refusal(slow) && slow.refused === 'bit-rate')
  })
})

describe('refusing descriptions without a usable T.38 stream', () => {
  const cases: [string, string, string][] = [
    ['audio only', crlf(...session('192.0.2.1', 'm=audio 4000 RTP/AVP 0')), 'no-image-stream'],
    ['no streams at all', crlf(...session()), 'no-image-stream'],
    [
      'an image stream with port 0',
      crlf(...session('192.0.2.1', 'm=image 0 udptl t38')),
      'declined',
    ],
    [
      'a declined image next to audio',
      crlf(...session('192.0.2.1', 'm=audio 4000 RTP/AVP 0', 'm=image 0 udptl t38')),
      'declined',
    ],
    [
      'T.38 over RTP',
      crlf(...session('192.0.2.1', 'm=image 5004 RTP/AVP 96', 'a=rtpmap:96 t38/8000')),
      'unsupported-transport',
    ],
    [
      'T.38 over TCP',
      crlf(...session('192.0.2.1', 'm=image 5004 TCP t38')),
      'unsupported-transport',
    ],
    [
      'udptl without t38',
      crlf(...session('192.0.2.1', 'm=image 5004 udptl jpeg')),
      'unsupported-format',
    ],
  ]
  for (const [what, text, reason] of cases) {
    it(`refuses ${what} (${reason})`, () => {
      const found = readT38Stream(parseSdp(text))
      assert.ok(isT38Refusal(found), JSON.stringify(found))
      assert.equal(found.refused, reason)
      assert.ok(found.detail.length > 5)
    })
  }

  it('picks the usable image stream past a declined one', () => {
    const text = crlf(...session('192.0.2.1', 'm=image 0 udptl t38', 'm=image 6000 udptl t38'))
    assert.equal(stream(text).index, 1)
  })
})

describe('what both sides settle on', () => {
  it('our offer and a lower answer: the lower of each, their datagram for our sending', () => {
    const ours = params({ version: 3, errorCorrection: 't38UDPFEC' })
    const theirs = params({ version: 1, maxBitRateBps: 9600, maxDatagramOctets: 1024 })
    assert.deepEqual(negotiateT38(ours, theirs), {
      version: 1,
      maxBitRateBps: 9600,
      errorCorrection: 't38UDPRedundancy',
      farMaxDatagramOctets: 1024,
    })
  })

  it('holds an answer above our offer to our offer', () => {
    const settled = negotiateT38(
      params({ version: 0, errorCorrection: 'none' }),
      params({ version: 3 }),
    )
    assert.ok(!isT38Refusal(settled))
    assert.deepEqual([settled.version, settled.errorCorrection], [0, 'none'])
  })

  it('their offer and our answer agree with answerT38', () => {
    const offer = stream(FIRST_INVITE_BOTH).params
    const ours = answer(offer, { ...DEFAULT_T38_CAPABILITIES, highestVersion: 3 })
    assert.deepEqual(negotiateT38(ours, offer), {
      version: 2,
      maxBitRateBps: 14400,
      errorCorrection: 't38UDPRedundancy',
      farMaxDatagramOctets: 512,
    })
  })

  it('refuses localTCF from either side and no rate from 2400', () => {
    for (const [local, remote] of [
      [params(), params({ rateManagement: 'localTCF' })],
      [params({ rateManagement: 'localTCF' }), params()],
    ] as const) {
      const settled = negotiateT38(local, remote)
      assert.ok(isT38Refusal(settled) && settled.refused === 'local-tcf')
    }
    const slow = negotiateT38(params(), params({ maxBitRateBps: 1200 }))
    assert.ok(isT38Refusal(slow) && slow.refused === 'bit-rate')
    const neither = negotiateT38(
      params({ maxBitRateBps: undefined }),
      params({ maxBitRateBps: undefined }),
    )
    assert.ok(!isT38Refusal(neither) && neither.maxBitRateBps === 14400)
  })

  it('sends at most 400 octets when the far end gives no datagram, 0, or more than 1400', () => {
    const cases: [number | undefined, number][] = [
      [undefined, 400],
      [0, 400],
      [72, 72],
      [400, 400],
      [1400, 1400],
      [1401, 400],
      [65535, 400],
    ]
    for (const [announced, expected] of cases) {
      assert.equal(
        farMaxDatagramOctets(params({ maxDatagramOctets: announced })),
        expected,
        `${announced}`,
      )
    }
  })
})

describe('building image sections', () => {
  it('round-trips every shape of parameters through SDP text', () => {
    const samples = [
      params(),
      params({ version: 3, maxBitRateBps: 33600, errorCorrection: 't38UDPFEC' }),
      params({ errorCorrection: 'none', maxBufferOctets: undefined, maxDatagramOctets: undefined }),
      params({ fillBitRemoval: true, transcodingMmr: true, transcodingJbig: true }),
      params({ rateManagement: 'localTCF', maxBitRateBps: undefined }),
    ]
    for (const sample of samples) {
      const text = formatSdp({
        ...parseSdp(crlf(...session())),
        media: [buildT38Media(sample, 6000)],
      })
      assert.deepEqual(stream(text).params, sample)
    }
  })

  it('writes set flags bare and leaves out absent values and EC none', () => {
    const built = buildT38Media(
      params({ errorCorrection: 'none', maxBufferOctets: undefined, fillBitRemoval: true }),
      6000,
    )
    assert.deepEqual(lines(built), [
      'm=image 6000 udptl t38',
      'a=T38FaxVersion:0',
      'a=T38MaxBitRate:14400',
      'a=T38FaxRateManagement:transferredTCF',
      'a=T38FaxMaxDatagram:400',
      'a=T38FaxFillBitRemoval',
    ])
  })
})

describe('the audio stream', () => {
  it('offers PCMU, PCMA and telephone-event 0-15 with ptime 20, sendrecv', () => {
    assert.deepEqual(lines(audioOffer(4000)), [
      'm=audio 4000 RTP/AVP 0 8 101',
      'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:8 PCMA/8000',
      'a=rtpmap:101 telephone-event/8000',
      'a=fmtp:101 0-15',
      'a=ptime:20',
      'a=sendrecv',
    ])
    assert.deepEqual(lines(audioOffer(4000, ['PCMA'])), [
      'm=audio 4000 RTP/AVP 8',
      'a=rtpmap:8 PCMA/8000',
      'a=ptime:20',
      'a=sendrecv',
    ])
    assert.throws(() => audioOffer(4000, ['telephone-event']), /PCMU or PCMA/)
    assert.equal(AUDIO_PAYLOAD_TYPES['telephone-event'], 101)
  })

  const audioOf = (text: string): AudioStream => {
    const found = readAudioStream(parseSdp(text))
    assert.ok(!isAudioRefusal(found), JSON.stringify(found))
    return found
  }

  it('reads an answer: the codec chosen and telephone-event’s payload type', () => {
    const answerText = crlf(
      ...session(
        '198.51.100.7',
        'm=audio 17070 RTP/AVP 8 96',
        'a=rtpmap:8 pcma/8000',
        'a=rtpmap:96 Telephone-Event/8000',
        'a=fmtp:96 0-16',
        'a=ptime:30',
      ),
    )
    assert.deepEqual(audioOf(answerText), {
      index: 0,
      port: 17070,
      connection: { addressType: 'IP4', address: '198.51.100.7' },
      codec: 'PCMA',
      payloadType: 8,
      telephoneEventPayloadType: 96,
      direction: 'sendrecv',
      ptimeMs: 30,
    })
  })

  it('reads a static payload type without rtpmap, and no telephone-event', () => {
    const found = audioOf(
      crlf(
        ...session('192.0.2.1', 'm=audio 5000 RTP/AVP 18 0', 'a=rtpmap:18 G729/8000', 'a=sendonly'),
      ),
    )
    assert.equal(found.codec, 'PCMU')
    assert.equal(found.payloadType, 0)
    assert.equal(found.telephoneEventPayloadType, undefined)
    assert.equal(found.direction, 'sendonly')
  })

  it('takes the direction from the session when the stream gives none', () => {
    const found = audioOf(crlf(...session('192.0.2.1', 'a=inactive', 'm=audio 5000 RTP/AVP 0')))
    assert.equal(found.direction, 'inactive')
  })

  it('reads the audio stream of a first INVITE that also offers T.38', () => {
    const found = audioOf(FIRST_INVITE_BOTH)
    assert.deepEqual(
      [found.codec, found.payloadType, found.telephoneEventPayloadType],
      ['PCMA', 8, 96],
    )
  })

  const refusals: [string, string, string][] = [
    ['no audio', crlf(...session('192.0.2.1', ...BRIEF_EXAMPLE)), 'no-audio-stream'],
    ['port 0', crlf(...session('192.0.2.1', 'm=audio 0 RTP/AVP 0')), 'declined'],
    ['SRTP', crlf(...session('192.0.2.1', 'm=audio 5000 RTP/SAVP 0')), 'unsupported-transport'],
    [
      'G.729 only',
      crlf(...session('192.0.2.1', 'm=audio 5000 RTP/AVP 18', 'a=rtpmap:18 G729/8000')),
      'no-common-codec',
    ],
    [
      'PCMU at 16 kHz',
      crlf(...session('192.0.2.1', 'm=audio 5000 RTP/AVP 97', 'a=rtpmap:97 PCMU/16000')),
      'no-common-codec',
    ],
  ]
  for (const [what, text, reason] of refusals) {
    it(`refuses an audio stream with ${what} (${reason})`, () => {
      const found = readAudioStream(parseSdp(text))
      assert.ok(isAudioRefusal(found) && found.refused === reason, JSON.stringify(found))
    })
  }

  it('answers with the offer’s payload types and the direction RFC 3264 allows', () => {
    const offered = audioOf(FIRST_INVITE_BOTH)
    assert.deepEqual(lines(audioAnswer(offered, 7000)), [
      'm=audio 7000 RTP/AVP 8 96',
      'a=rtpmap:8 PCMA/8000',
      'a=rtpmap:96 telephone-event/8000',
      'a=fmtp:96 0-15',
      'a=ptime:20',
      'a=sendrecv',
    ])
    const directions = [
      ['sendrecv', 'sendrecv'],
      ['sendonly', 'recvonly'],
      ['recvonly', 'sendonly'],
      ['inactive', 'inactive'],
    ] as const
    for (const [theirs, ours] of directions) {
      const media = audioAnswer({ ...offered, direction: theirs }, 7000)
      assert.deepEqual(media.attributes.at(-1), { name: ours })
    }
  })
})

describe('our descriptions across a call', () => {
  const connection = { addressType: 'IP4', address: '192.0.2.1' } as const

  it('starts with audio, then a re-INVITE replaces it with image and adds one to the version', () => {
    const first = createLocalDescription({
      sessionId: 3912345678n,
      connection,
      media: [audioOffer(4000)],
    })
    assert.equal(
      formatSdp(localSessionDescription(first)),
      crlf(
        'v=0',
        'o=- 3912345678 3912345678 IN IP4 192.0.2.1',
        's=faxd',
        'c=IN IP4 192.0.2.1',
        't=0 0',
        'm=audio 4000 RTP/AVP 0 8 101',
        'a=rtpmap:0 PCMU/8000',
        'a=rtpmap:8 PCMA/8000',
        'a=rtpmap:101 telephone-event/8000',
        'a=fmtp:101 0-15',
        'a=ptime:20',
        'a=sendrecv',
      ),
    )
    const reoffer = updateLocalDescription(first, [
      buildT38Media(t38Offer(DEFAULT_T38_CAPABILITIES), 40000),
    ])
    const text = formatSdp(localSessionDescription(reoffer))
    assert.equal(
      text,
      crlf(
        'v=0',
        'o=- 3912345678 3912345679 IN IP4 192.0.2.1',
        's=faxd',
        'c=IN IP4 192.0.2.1',
        't=0 0',
        ...BRIEF_EXAMPLE,
      ),
    )
    assert.deepEqual(stream(text).params, t38Offer(DEFAULT_T38_CAPABILITIES))
    // a session-timer refresh repeats the same SDP under the same version
    const refresh = updateLocalDescription(reoffer, [
      buildT38Media(t38Offer(DEFAULT_T38_CAPABILITIES), 40000),
    ])
    assert.equal(refresh.version, 3912345679n)
    assert.equal(formatSdp(localSessionDescription(refresh)), text)
  })

  it('keeps IPv6 in the o and c lines', () => {
    const local = createLocalDescription({
      sessionId: 7n,
      connection: { addressType: 'IP6', address: '2001:db8::5' },
      media: [audioOffer(4000)],
    })
    const sd = parseSdp(formatSdp(localSessionDescription(local)))
    assert.equal(sd.origin.addressType, 'IP6')
    assert.deepEqual(sd.connection, { addressType: 'IP6', address: '2001:db8::5' })
  })

  it('answers T.38 in a first INVITE: the image accepted, the audio declined, in order', () => {
    const offer = parseSdp(FIRST_INVITE_BOTH)
    const found = stream(FIRST_INVITE_BOTH)
    const media = answerMedia(offer, found.index, buildT38Media(answer(found.params), 40002))
    const local = createLocalDescription({ sessionId: 99n, connection, media })
    assert.equal(
      formatSdp(localSessionDescription(local)),
      crlf(
        'v=0',
        'o=- 99 99 IN IP4 192.0.2.1',
        's=faxd',
        'c=IN IP4 192.0.2.1',
        't=0 0',
        'm=audio 0 RTP/AVP 8 0 96',
        'm=image 40002 udptl t38',
        ...BRIEF_EXAMPLE.slice(1),
      ),
    )
  })

  it('refuses to drop m lines, a negative session id, and an answer to a stream not offered', () => {
    const both = createLocalDescription({
      sessionId: 1n,
      connection,
      media: [audioOffer(4000), audioOffer(4002)],
    })
    assert.throws(() => updateLocalDescription(both, [audioOffer(4000)]), /RFC 3264/)
    assert.throws(
      () => createLocalDescription({ sessionId: -1n, connection, media: [] }),
      /negative/,
    )
    assert.throws(() => answerMedia(parseSdp(CISCO), 1, audioOffer(4000)), /no stream 1/)
  })
})
