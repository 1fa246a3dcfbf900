/**
 * SIP messages: the messages of a fax call round-trip octet for octet; compact forms, folded
 * lines, Via and comma lists, auth headers with quoted commas, case-insensitive names;
 * Content-Length on datagrams (RFC 3261 §18.3); every error code with the reply a UAS owes;
 * checkMandatoryHeaders (§8.1.1); and SipHeaders' editing.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  formatCSeq,
  formatNameAddr,
  formatVia,
  parseDigestChallenge,
  parseVia,
} from '../../../src/telephony/sip/sip-headers.js'
import {
  MAX_HEADER_FIELDS,
  MAX_LINE_OCTETS,
  MAX_MESSAGE_OCTETS,
  SipHeaders,
  canonicalHeaderName,
  checkMandatoryHeaders,
  parseSipMessage,
  serializeSipMessage,
  type SipMessage,
  type SipRequest,
  type SipResponse,
} from '../../../src/telephony/sip/sip-message.js'
import {
  SipParseError,
  type SipParseErrorCode,
} from '../../../src/telephony/sip/sip-parse-error.js'
import {
  AUDIO_OFFER,
  BYE,
  INVITE,
  OK_TO_INVITE,
  REGISTER,
  SAMPLES,
  T38_OFFER,
  UNAUTHORIZED,
  message,
  octets,
  text,
} from './sip-samples.js'

function expectSipError(
  fn: () => unknown,
  code: SipParseErrorCode,
  statusForReply?: number,
): SipParseError {
  let caught: SipParseError | undefined
  assert.throws(fn, (error) => {
    assert.ok(error instanceof SipParseError, `not a SipParseError: ${String(error)}`)
    assert.equal(error.code, code, error.message)
    assert.equal(error.statusForReply, statusForReply, error.message)
    caught = error
    return true
  })
  return caught as SipParseError
}

function parse(message: string): SipMessage {
  return parseSipMessage(octets(message))
}

function request(message: string): SipRequest {
  const parsed = parse(message)
  assert.equal(parsed.kind, 'request')
  return parsed
}

function response(message: string): SipResponse {
  const parsed = parse(message)
  assert.equal(parsed.kind, 'response')
  return parsed
}

const MINIMAL = [
  'OPTIONS sip:faxd@192.0.2.10 SIP/2.0',
  'Via: SIP/2.0/UDP 198.51.100.7;branch=z9hG4bK1',
  'Max-Forwards: 70',
  'From: <sip:probe@198.51.100.7>;tag=1',
  'To: <sip:faxd@192.0.2.10>',
  'Call-ID: probe-1',
  'CSeq: 1 OPTIONS',
]

describe('the messages of a fax call', () => {
  for (const [name, sample] of Object.entries(SAMPLES)) {
    it(`round-trips ${name} octet for octet`, () => {
      const parsed = parse(sample)
      assert.equal(text(serializeSipMessage(parsed)), sample)
      assert.deepEqual(parseSipMessage(serializeSipMessage(parsed)), parsed)
      checkMandatoryHeaders(parsed)
    })
  }

  it('reads an INVITE: request line, headers and the SDP body', () => {
    const invite = request(INVITE)
    assert.equal(invite.method, 'INVITE')
    assert.equal(invite.uri, 'sip:+12125550100@198.51.100.7;user=phone')
    assert.equal(invite.headers.get('Call-ID'), 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6@192.0.2.10')
    assert.equal(invite.headers.get('Content-Type'), 'application/sdp')
    assert.deepEqual(invite.headers.getAll('Allow'), [
      'INVITE',
      'ACK',
      'CANCEL',
      'BYE',
      'OPTIONS',
      'UPDATE',
    ])
    assert.deepEqual(invite.headers.getAll('Supported'), ['timer', 'replaces'])
    assert.equal(text(invite.body), AUDIO_OFFER)
    assert.equal(invite.headers.size, 14)
  })

  it('reads a 200 with its status line, Record-Route list and answer', () => {
    const ok = response(OK_TO_INVITE)
    assert.equal(ok.status, 200)
    assert.equal(ok.reason, 'OK')
    assert.deepEqual(ok.headers.getAll('Record-Route'), [
      '<sip:198.51.100.7;lr;ftag=9fxced76sl>',
      '<sip:10.0.0.7;lr>',
    ])
    const via = parseVia(ok.headers.get('Via') ?? '')
    assert.equal(via.received, '192.0.2.10')
    assert.equal(via.rport, 5060)
    assert.match(text(ok.body), /^m=audio 18452 RTP\/AVP 0 101\r$/m)
  })

  it('reads a 401 with two challenges, each with commas inside its quoted values', () => {
    const challenge = response(UNAUTHORIZED)
    const lines = challenge.headers.getAll('WWW-Authenticate')
    assert.equal(lines.length, 2)
    const first = parseDigestChallenge(lines[0] ?? '')
    assert.equal(first.opaque, 'x,y')
    assert.deepEqual(first.qop, ['auth', 'auth-int'])
    assert.equal(parseDigestChallenge(lines[1] ?? '').algorithm, 'SHA-256')
    assert.equal(challenge.body.length, 0)
  })

  it('builds a T.38 200 from parts, and it parses back to the same message', () => {
    const headers = new SipHeaders()
      .append(
        'Via',
        formatVia({
          transport: 'UDP',
          host: '198.51.100.7',
          port: 5060,
          branch: 'z9hG4bK5a21d0c3',
        }),
      )
      .append('From', formatNameAddr({ uri: 'sip:+12125550100@198.51.100.7', tag: 'as5d8e1c2a' }))
      .append(
        'To',
        formatNameAddr({ displayName: 'Acme Fax', uri: 'sip:faxd@192.0.2.10', tag: 'x1' }),
      )
      .append('Call-ID', 'abc@192.0.2.10')
      .append('CSeq', formatCSeq({ seq: 102, method: 'INVITE' }))
      .append('Content-Type', 'application/sdp')
    const ok: SipResponse = {
      kind: 'response',
      status: 200,
      reason: 'OK',
      headers,
      body: octets(T38_OFFER),
    }
    const wire = text(serializeSipMessage(ok))
    assert.equal(
      wire,
      message(
        [
          'SIP/2.0 200 OK',
          'Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK5a21d0c3',
          'From: <sip:+12125550100@198.51.100.7>;tag=as5d8e1c2a',
          'To: "Acme Fax" <sip:faxd@192.0.2.10>;tag=x1',
          'Call-ID: abc@192.0.2.10',
          'CSeq: 102 INVITE',
          'Content-Type: application/sdp',
          'Content-Length: {}',
        ],
        T38_OFFER,
      ),
    )
    assert.equal(ok.headers.has('Content-Length'), false, 'serializing leaves the message alone')
    assert.deepEqual(response(wire).body, ok.body)
  })

  it('counts Content-Length in octets, not characters', () => {
    const body = 's=Büro ☎\r\n'
    const bye = request(BYE)
    const wire = serializeSipMessage({ ...bye, body: octets(body) })
    assert.equal(request(text(wire)).headers.get('Content-Length'), String(octets(body).length))
    assert.equal(text(request(text(wire)).body), body)
  })
})

describe('header syntax', () => {
  it('expands compact forms, and serializes the full names', () => {
    const compact = message(
      [
        'INVITE sip:faxd@192.0.2.10 SIP/2.0',
        'v: SIP/2.0/UDP 198.51.100.7;branch=z9hG4bK1',
        'Max-Forwards: 70',
        'f: <sip:a@198.51.100.7>;tag=1',
        't: <sip:faxd@192.0.2.10>',
        'i: compact-1',
        'CSeq: 1 INVITE',
        'm: <sip:a@198.51.100.7>',
        'k: timer',
        's: fax',
        'e: gzip',
        'o: refer',
        'u: talk',
        'x: 1800;refresher=uas',
        'r: <sip:c@example.com>',
        'b: <sip:d@example.com>',
        'c: application/sdp',
        'l: {}',
      ],
      AUDIO_OFFER,
    )
    const invite = request(compact)
    assert.deepEqual(
      [...invite.headers].map(([name]) => name),
      [
        'Via',
        'Max-Forwards',
        'From',
        'To',
        'Call-ID',
        'CSeq',
        'Contact',
        'Supported',
        'Subject',
        'Content-Encoding',
        'Event',
        'Allow-Events',
        'Session-Expires',
        'Refer-To',
        'Referred-By',
        'Content-Type',
        'Content-Length',
      ],
    )
    assert.equal(invite.headers.get('Call-ID'), 'compact-1')
    assert.equal(invite.headers.get('i'), 'compact-1')
    assert.equal(text(invite.body), AUDIO_OFFER)
    const wire = text(serializeSipMessage(invite))
    assert.match(wire, /\r\nSession-Expires: 1800;refresher=uas\r\n/)
    assert.match(wire, /\r\nContent-Length: \d+\r\n\r\n/)
    assert.doesNotMatch(wire, /\r\n[a-z]: /)
  })

  it('looks names up without regard to case, and spells known ones as the RFCs do', () => {
    const invite = request(
      message([
        ...MINIMAL.map((line) => line.replace(/^Call-ID/, 'cALL-iD').replace(/^CSeq/, 'cseq')),
        'WWW-AUTHENTICATE: Digest realm="r", nonce="n"',
        'X-Custom-Thing: 1',
      ]),
    )
    assert.equal(invite.headers.get('CALL-ID'), 'probe-1')
    assert.equal(invite.headers.get('call-id'), 'probe-1')
    assert.equal(invite.headers.get('VIA'), 'SIP/2.0/UDP 198.51.100.7;branch=z9hG4bK1')
    assert.equal(invite.headers.get('x-custom-thing'), '1')
    const names = [...invite.headers].map(([name]) => name)
    assert.ok(
      names.includes('Call-ID') && names.includes('CSeq') && names.includes('WWW-Authenticate'),
    )
    assert.ok(names.includes('X-Custom-Thing'), 'unknown names keep their spelling')
    assert.equal(canonicalHeaderName('max-forwards'), 'Max-Forwards')
    assert.equal(canonicalHeaderName('L'), 'Content-Length')
  })

  it('unfolds continuation lines into one SP, and reads a folded Via', () => {
    const folded = request(
      message([
        ...MINIMAL.slice(0, 1),
        'Via: SIP/2.0/UDP 198.51.100.7;branch=z9hG4bK1,',
        '  SIP/2.0/UDP 10.0.0.7;branch=z9hG4bK2',
        ...MINIMAL.slice(2),
        "Subject: I know you're there,",
        '         pick up the phone',
        '\tand talk to me!',
      ]),
    )
    assert.equal(
      folded.headers.get('Subject'),
      "I know you're there, pick up the phone and talk to me!",
    )
    assert.deepEqual(
      folded.headers.getAll('Via').map((v) => parseVia(v).host),
      ['198.51.100.7', '10.0.0.7'],
    )
    checkMandatoryHeaders(folded)
  })

  it('keeps Via in order across lines and commas, top first', () => {
    const twoLines = request(
      message([
        ...MINIMAL.slice(0, 1),
        'Via: SIP/2.0/UDP 198.51.100.7;branch=z9hG4bK1, SIP/2.0/TCP [2001:db8::7]:5070;branch=z9hG4bK2',
        'Via: SIP/2.0/UDP 10.0.0.7;branch=z9hG4bK3',
        ...MINIMAL.slice(2),
      ]),
    )
    const vias = twoLines.headers.getAll('Via').map(parseVia)
    assert.deepEqual(
      vias.map((v) => [v.transport, v.host, v.port, v.branch]),
      [
        ['UDP', '198.51.100.7', undefined, 'z9hG4bK1'],
        ['TCP', '2001:db8::7', 5070, 'z9hG4bK2'],
        ['UDP', '10.0.0.7', undefined, 'z9hG4bK3'],
      ],
    )
    assert.equal(twoLines.headers.get('Via'), 'SIP/2.0/UDP 198.51.100.7;branch=z9hG4bK1')
    assert.equal(twoLines.headers.getLines('Via').length, 2)
    assert.deepEqual(checkMandatoryHeaders(twoLines).via, vias)
  })

  it('splits Contact at commas outside quoted display names and <URI>s only', () => {
    const headers = new SipHeaders([
      [
        'Contact',
        '"Doe, John" <sip:john,doe@example.com;transport=udp>;q=0.7, <sip:b@example.com>;expires=60',
      ],
      ['Contact', 'sip:c@example.com'],
      ['Date', 'Sat, 13 Nov 2010 23:29:00 GMT'],
      ['X-Unknown', 'a, b'],
      ['Supported', ''],
      ['Require', 'timer,,100rel'],
    ])
    assert.deepEqual(headers.getAll('Contact'), [
      '"Doe, John" <sip:john,doe@example.com;transport=udp>;q=0.7',
      '<sip:b@example.com>;expires=60',
      'sip:c@example.com',
    ])
    assert.deepEqual(headers.getAll('Date'), ['Sat, 13 Nov 2010 23:29:00 GMT'])
    assert.deepEqual(headers.getAll('X-Unknown'), ['a, b'])
    assert.deepEqual(headers.getAll('Supported'), [])
    assert.equal(headers.get('Supported'), undefined)
    assert.deepEqual(headers.getAll('Require'), ['timer', '100rel'])
  })

  it('never splits WWW-Authenticate, Authorization or Proxy-* at their commas', () => {
    const challenge = 'Digest realm="a, b", nonce="n,1", qop="auth,auth-int"'
    const headers = new SipHeaders([
      ['WWW-Authenticate', challenge],
      ['Proxy-Authenticate', challenge],
      ['Authorization', 'Digest username="u", realm="a, b"'],
      ['Proxy-Authorization', 'Digest username="u", realm="a, b"'],
    ])
    for (const name of ['WWW-Authenticate', 'Proxy-Authenticate']) {
      assert.deepEqual(headers.getAll(name), [challenge])
      assert.equal(headers.get(name), challenge)
    }
    assert.equal(headers.getAll('Authorization').length, 1)
    assert.equal(headers.getAll('Proxy-Authorization').length, 1)
  })

  it('skips CRLFs before the start line and accepts bare LF line ends', () => {
    const lf = `\r\n\r\n${message(MINIMAL).replace(/\r\n/g, '\n')}`
    const parsed = request(lf)
    assert.equal(parsed.method, 'OPTIONS')
    assert.equal(parsed.headers.get('CSeq'), '1 OPTIONS')
    assert.equal(parsed.body.length, 0)
  })

  it('accepts a status line without a reason phrase, and an empty header value', () => {
    const bare = response(message(['SIP/2.0 180', 'Subject:', 'Content-Length: 0']))
    assert.equal(bare.status, 180)
    assert.equal(bare.reason, '')
    assert.equal(bare.headers.get('Subject'), '')
    const lower = response(message(['sip/2.0 183 Session Progress', 'Content-Length: 0']))
    assert.equal(lower.reason, 'Session Progress')
  })
})

describe('Content-Length on a datagram (RFC 3261 §18.3)', () => {
  const head = MINIMAL.concat('Content-Type: application/sdp')

  it('takes the rest of the datagram as the body when Content-Length is missing', () => {
    const parsed = request(message(head, AUDIO_OFFER))
    assert.equal(text(parsed.body), AUDIO_OFFER)
  })

  it('ignores octets after the Content-Length', () => {
    const parsed = request(`${message(head.concat('Content-Length: 5'), '')}v=0\r\ngarbage`)
    assert.equal(text(parsed.body), 'v=0\r\n')
    assert.equal(
      text(serializeSipMessage(parsed)).endsWith('Content-Length: 5\r\n\r\nv=0\r\n'),
      true,
    )
  })

  it('reads Content-Length 0 as no body even when octets follow', () => {
    assert.equal(request(message(head.concat('l: 0'), 'trailing')).body.length, 0)
  })

  it('accepts the same length twice, and refuses two different ones', () => {
    assert.equal(request(message(head.concat('Content-Length: 3', 'l: 3'), 'abc')).body.length, 3)
    expectSipError(
      () => parse(message(head.concat('Content-Length: 3', 'Content-Length: 4'), 'abcd')),
      'bad-content-length',
      400,
    )
  })

  it('refuses a Content-Length larger than the datagram: 400 for a request, silence for a response', () => {
    const error = expectSipError(
      () => parse(message(head.concat('Content-Length: 500'), AUDIO_OFFER)),
      'bad-content-length',
      400,
    )
    assert.equal(error.request?.method, 'OPTIONS')
    assert.equal(error.request?.headers.find(([name]) => name === 'Call-ID')?.[1], 'probe-1')
    expectSipError(
      () => parse(message(['SIP/2.0 200 OK', 'Content-Length: 10'], 'short')),
      'bad-content-length',
      undefined,
    )
  })

  it('refuses a Content-Length that is not a number', () => {
    for (const value of ['-1', 'ten', '1e3', '12345678901', '']) {
      expectSipError(
        () => parse(message(head.concat(`Content-Length: ${value}`))),
        'bad-content-length',
        400,
      )
    }
  })
})

describe('errors', () => {
  it('bad-start-line: garbage, bad methods and URIs, extra spaces, status out of range', () => {
    expectSipError(() => parse('hello world\r\n\r\n'), 'bad-start-line')
    expectSipError(() => parseSipMessage(new Uint8Array(0)), 'bad-start-line')
    expectSipError(() => parse('\r\n\r\n'), 'bad-start-line')
    expectSipError(() => parse('SIP/2.0 99 Too Low\r\n\r\n'), 'bad-start-line')
    expectSipError(() => parse('SIP/2.0 700 Too High\r\n\r\n'), 'bad-start-line')
    expectSipError(() => parse('SIP/2.0 2000 OK\r\n\r\n'), 'bad-start-line')
    expectSipError(() => parse('SIP/2.0  200 OK\r\n\r\n'), 'bad-start-line')
    for (const line of [
      'INV(TE sip:a@b SIP/2.0',
      'INVITE  sip:a@b SIP/2.0',
      'INVITE sip:a@b  SIP/2.0',
      'INVITE a@b SIP/2.0',
      'INVITE SIP/2.0',
      'INVITE sip:a@b extra SIP/2.0',
    ]) {
      const error = expectSipError(
        () => parse(message([line, ...MINIMAL.slice(1)])),
        'bad-start-line',
        400,
      )
      assert.equal(error.request?.headers.length, MINIMAL.length - 1, 'headers read for the 400')
    }
  })

  it('unsupported-version: 505 for a request, nothing for a response', () => {
    expectSipError(
      () => parse(message(['OPTIONS sip:a@b SIP/3.0', ...MINIMAL.slice(1)])),
      'unsupported-version',
      505,
    )
    expectSipError(() => parse('SIP/3.0 200 OK\r\n\r\n'), 'unsupported-version')
  })

  it('bad-header: no colon, a bad name, a control character, a fold before any header', () => {
    for (const line of [
      'No colon here',
      'Bad Name: x',
      ': empty',
      'Subject: a\u0000b',
      'Subject: a\rb',
    ]) {
      const error = expectSipError(() => parse(message([...MINIMAL, line])), 'bad-header', 400)
      assert.equal(error.request?.headers.length, MINIMAL.length - 1)
    }
    expectSipError(
      () => parse(message([MINIMAL[0] ?? '', ' folded', ...MINIMAL.slice(1)])),
      'bad-header',
      400,
    )
    expectSipError(() => parse(message(['SIP/2.0 200 OK', 'bad line'])), 'bad-header', undefined)
  })

  it('too-large: the message, a line, a folded header, the number of headers (513)', () => {
    const big = new Uint8Array(MAX_MESSAGE_OCTETS + 1).fill(0x61)
    big.set(octets(`${MINIMAL.join('\r\n')}\r\nX: `))
    expectSipError(() => parseSipMessage(big), 'too-large', 513)
    const longLine = `X: ${'a'.repeat(MAX_LINE_OCTETS)}`
    expectSipError(() => parse(message([...MINIMAL, longLine])), 'too-large', 513)
    expectSipError(() => parse(message(['SIP/2.0 200 OK', longLine])), 'too-large', undefined)
    const folds = Array.from({ length: 20 }, () => ` ${'b'.repeat(500)}`)
    expectSipError(() => parse(message([...MINIMAL, 'Subject: a', ...folds])), 'too-large', 513)
    const many = Array.from(
      { length: MAX_HEADER_FIELDS + 1 - MINIMAL.length + 1 },
      (_, i) => `X-${i}: ${i}`,
    )
    expectSipError(() => parse(message([...MINIMAL, ...many])), 'too-large', 513)
    assert.equal(request(message([...MINIMAL, ...many.slice(1)])).headers.size, MAX_HEADER_FIELDS)
    expectSipError(
      () => parseSipMessage(new Uint8Array(MAX_LINE_OCTETS + 10).fill(0x41)),
      'too-large',
    )
  })

  it('truncated: a header section without its empty line', () => {
    expectSipError(() => parse(MINIMAL.join('\r\n')), 'truncated', 400)
    expectSipError(() => parse(`${MINIMAL.join('\r\n')}\r\n`), 'truncated', 400)
    expectSipError(() => parse('SIP/2.0 200 OK\r\nVia: x'), 'truncated', undefined)
  })

  it('missing-header: each mandatory header of a request, named in the message (400)', () => {
    for (const name of ['Via', 'Max-Forwards', 'From', 'To', 'Call-ID', 'CSeq']) {
      const lines = MINIMAL.filter((line) => !line.startsWith(`${name}:`))
      const error = expectSipError(
        () => checkMandatoryHeaders(request(message(lines))),
        'missing-header',
        400,
      )
      assert.match(error.message, new RegExp(`Missing ${name}`))
      assert.equal(error.request?.method, 'OPTIONS')
    }
    const noMaxForwards = message([
      'SIP/2.0 200 OK',
      ...MINIMAL.slice(1).filter((l) => !l.startsWith('Max')),
    ])
    assert.equal(checkMandatoryHeaders(response(noMaxForwards)).maxForwards, undefined)
    const noCallId = message([
      'SIP/2.0 200 OK',
      ...MINIMAL.slice(1).filter((l) => !l.startsWith('Call-ID')),
    ])
    expectSipError(() => checkMandatoryHeaders(response(noCallId)), 'missing-header', undefined)
    expectSipError(
      () =>
        checkMandatoryHeaders(
          request(message([...MINIMAL.filter((l) => !l.startsWith('Via')), 'Via:'])),
        ),
      'missing-header',
      400,
    )
  })

  it('checkMandatoryHeaders: reads them, and refuses repeats, bad values and a CSeq of another method', () => {
    const read = checkMandatoryHeaders(request(REGISTER))
    assert.equal(read.callId, '1j9FpLxk3uxtm8tn@192.0.2.10')
    assert.deepEqual(read.cseq, { seq: 1, method: 'REGISTER' })
    assert.equal(read.from.tag, 'a73kszlfl')
    assert.equal(read.to.tag, undefined)
    assert.equal(read.maxForwards, 70)
    for (const extra of [
      'Call-ID: again',
      'From: <sip:x@y>;tag=2',
      'CSeq: 1 OPTIONS',
      'To: <sip:x@y>',
      'Max-Forwards: 70',
    ]) {
      expectSipError(
        () => checkMandatoryHeaders(request(message([...MINIMAL, extra]))),
        'bad-header',
        400,
      )
    }
    const replace = (name: string, value: string): string =>
      message(MINIMAL.map((line) => (line.startsWith(`${name}:`) ? `${name}: ${value}` : line)))
    for (const [name, value] of [
      ['CSeq', '1 INVITE'],
      ['CSeq', 'one OPTIONS'],
      ['Max-Forwards', '256'],
      ['Via', 'SIP/2.0/UDP'],
      ['From', 'no uri'],
      ['To', '<sip:a@b'],
      ['Call-ID', 'has space'],
    ] as const) {
      expectSipError(() => checkMandatoryHeaders(request(replace(name, value))), 'bad-header', 400)
    }
  })

  it('bad-argument: headers and start lines that could not go on the wire', () => {
    const headers = new SipHeaders()
    expectSipError(() => headers.append('Subject', 'a\r\nVia: injected'), 'bad-argument')
    expectSipError(() => headers.set('Bad Name', 'x'), 'bad-argument')
    expectSipError(() => headers.append('X', 'nul\u0000'), 'bad-argument')
    const body = new Uint8Array(0)
    expectSipError(
      () =>
        serializeSipMessage({ kind: 'request', method: 'IN VITE', uri: 'sip:a@b', headers, body }),
      'bad-argument',
    )
    expectSipError(
      () =>
        serializeSipMessage({ kind: 'request', method: 'INVITE', uri: 'sip:a b', headers, body }),
      'bad-argument',
    )
    expectSipError(
      () => serializeSipMessage({ kind: 'response', status: 99, reason: 'x', headers, body }),
      'bad-argument',
    )
    expectSipError(
      () =>
        serializeSipMessage({ kind: 'response', status: 200, reason: 'OK\r\nX: y', headers, body }),
      'bad-argument',
    )
  })
})

describe('SipHeaders', () => {
  it('sets in place of the first line, removes the rest, or appends', () => {
    const headers = new SipHeaders([
      ['Via', 'SIP/2.0/UDP a;branch=z9hG4bK1'],
      ['Contact', '<sip:a@b>'],
      ['Via', 'SIP/2.0/UDP b;branch=z9hG4bK2'],
    ])
    headers.set('v', ' SIP/2.0/UDP c;branch=z9hG4bK3 ')
    assert.deepEqual(
      [...headers],
      [
        ['Via', 'SIP/2.0/UDP c;branch=z9hG4bK3'],
        ['Contact', '<sip:a@b>'],
      ],
    )
    headers.set('Expires', '60')
    assert.deepEqual([...headers].at(-1), ['Expires', '60'])
  })

  it('prepends a new top Via before the others, appends, deletes and clones', () => {
    const headers = new SipHeaders([
      ['Max-Forwards', '70'],
      ['Via', 'SIP/2.0/UDP b;branch=z9hG4bK2'],
    ])
    headers.prepend('Via', 'SIP/2.0/UDP a;branch=z9hG4bK1').prepend('Route', '<sip:r;lr>')
    assert.deepEqual(
      [...headers].map(([name]) => name),
      ['Route', 'Max-Forwards', 'Via', 'Via'],
    )
    assert.equal(headers.get('Via'), 'SIP/2.0/UDP a;branch=z9hG4bK1')
    const copy = headers.clone()
    assert.equal(headers.delete('VIA'), true)
    assert.equal(headers.delete('Via'), false)
    assert.equal(headers.has('Via'), false)
    assert.equal(copy.getAll('Via').length, 2)
    assert.equal(headers.size, 2)
    headers.append('Via', 'SIP/2.0/UDP z;branch=z9hG4bK9')
    assert.deepEqual([...headers.entries()].at(-1), ['Via', 'SIP/2.0/UDP z;branch=z9hG4bK9'])
    assert.equal(headers.get('Nope'), undefined)
    assert.deepEqual(headers.getAll('Nope'), [])
  })
})
