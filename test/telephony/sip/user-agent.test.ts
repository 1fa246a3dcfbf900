/**
 * Two SipUserAgents calling each other on a virtual clock (sip-pair.ts): call set-up, the path
 * to T.38, busy, CANCEL, glare, retransmissions over a lossy line, and bad input.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'

import {
  A_MEDIA_PORT,
  B_MEDIA_PORT,
  SipPair,
  bodyText,
  cseqOf,
  firstMatching,
  isRequest,
  isResponse,
  itemAt,
  leaveUnanswered,
  rejectWith,
  ringOnly,
} from './sip-pair.js'
import type { CallMedia, SipCallEvent } from '../../../src/telephony/sip/sip-call.js'
import { parseNameAddr, parseVia } from '../../../src/telephony/sip/sip-headers.js'
import { parseSdp } from '../../../src/telephony/sip/sdp.js'

const EXPECTED_T38 = {
  version: 0,
  maxBitRateBps: 14_400,
  errorCorrection: 't38UDPRedundancy',
  farMaxDatagramOctets: 400,
} as const

function mediaEvents(events: readonly SipCallEvent[]): CallMedia[] {
  return events.flatMap((e) => (e.type === 'media' ? [e.media] : []))
}

function endOf(events: readonly SipCallEvent[]): unknown {
  const ends = events.flatMap((e) => (e.type === 'ended' ? [e.end] : []))
  assert.equal(ends.length, 1, `one ended event, got ${JSON.stringify(ends)}`)
  return ends[0]
}

const text = new TextEncoder()

function octets(lines: readonly string[], body = ''): Uint8Array {
  return text.encode(`${lines.join('\r\n')}\r\n\r\n${body}`)
}

const STRANGER = { address: '127.0.0.1', port: 5099 }

function strangerHeaders(method: string, n: number): string[] {
  return [
    `${method} sip:faxd@127.0.0.1:5062 SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bK-stranger-${n}`,
    'Max-Forwards: 70',
    `From: <sip:stranger@127.0.0.1>;tag=s${n}`,
    'To: <sip:faxd@127.0.0.1>',
    `Call-ID: stranger-${n}@test`,
    `CSeq: 1 ${method}`,
    'Contact: <sip:stranger@127.0.0.1:5099>',
  ]
}

// ---- 1. audio, then B re-INVITEs to T.38 -------------------------------------------------------

test('a call answered with audio goes to T.38 by B re-INVITE after the ACK, and ends with BYE', () => {
  const pair = new SipPair()
  const call = pair.place()
  assert.equal(call.state, 'established')
  const [incoming] = pair.incomingCalls()
  assert.ok(incoming)

  const invite = itemAt(pair.requests('A', 'INVITE'), 0)
  assert.match(bodyText(invite.message), /^m=audio 40000 RTP\/AVP 0 8 101$/m)
  assert.doesNotMatch(bodyText(invite.message), /m=image/)

  pair.run(1_000)
  const reinvite = itemAt(pair.requests('B', 'INVITE'), 0)
  const ack = itemAt(pair.requests('A', 'ACK'), 0)
  assert.ok(pair.wire.indexOf(reinvite) > pair.wire.indexOf(ack), 'the re-INVITE follows the ACK')
  const offer = bodyText(reinvite.message)
  assert.match(offer, /^m=image 42000 udptl t38$/m)
  for (const line of [
    'a=T38FaxVersion:0',
    'a=T38MaxBitRate:14400',
    'a=T38FaxRateManagement:transferredTCF',
    'a=T38FaxMaxBuffer:2000',
    'a=T38FaxMaxDatagram:400',
    'a=T38FaxUdpEC:t38UDPRedundancy',
  ]) {
    assert.match(offer, new RegExp(`^${line}$`, 'm'))
  }
  // RFC 3264 §8.3.3: the audio line becomes the image line in place.
  assert.equal(parseSdp(offer).media.length, 1)

  const answer = itemAt(pair.responses('A', 200, 'INVITE'), 0)
  assert.match(bodyText(answer.message), /^m=image 40000 udptl t38$/m)
  assert.match(bodyText(answer.message), /^a=T38FaxVersion:0$/m)

  assert.deepEqual(mediaEvents(pair.callEvents('A', call)), [
    { remote: { address: '127.0.0.1', port: B_MEDIA_PORT }, t38: EXPECTED_T38 },
  ])
  assert.deepEqual(mediaEvents(pair.callEvents('B', incoming)), [
    { remote: { address: '127.0.0.1', port: A_MEDIA_PORT }, t38: EXPECTED_T38 },
  ])
  // A's own re-INVITE (reinviteDelayMs after the 200) is not needed any more.
  pair.run(5_000)
  assert.equal(pair.requests('A', 'INVITE').length, 1)

  call.hangUp()
  pair.settle()
  assert.equal(pair.requests('A', 'BYE').length, 1)
  assert.equal(pair.responses('B', 200, 'BYE').length, 1)
  assert.deepEqual(endOf(pair.callEvents('A', call)), { reason: 'local-hangup' })
  assert.deepEqual(endOf(pair.callEvents('B', incoming)), { reason: 'remote-hangup' })
  assert.equal(pair.a.calls.length, 0)
  assert.equal(pair.b?.calls.length, 0)
})

// ---- 2. T.38 in the first INVITE ---------------------------------------------------------------

test('with T.38 in the first INVITE, B answers the image stream, declines audio, and nobody re-INVITEs', () => {
  const pair = new SipPair({ a: { t38InInvite: true } })
  const call = pair.place()
  const invite = itemAt(pair.requests('A', 'INVITE'), 0)
  const offer = parseSdp(bodyText(invite.message))
  assert.deepEqual(
    offer.media.map((m) => [m.media, m.port]),
    [
      ['audio', A_MEDIA_PORT],
      ['image', A_MEDIA_PORT],
    ],
  )

  const ok = itemAt(pair.responses('B', 200, 'INVITE'), 0)
  const answer = parseSdp(bodyText(ok.message))
  assert.deepEqual(
    answer.media.map((m) => [m.media, m.port]),
    [
      ['audio', 0],
      ['image', B_MEDIA_PORT],
    ],
  )

  // The media event comes with the 200, at once.
  const events = pair.callEvents('A', call)
  assert.deepEqual(
    events.map((e) => e.type),
    ['answered', 'media'],
  )
  assert.deepEqual(mediaEvents(events), [
    { remote: { address: '127.0.0.1', port: B_MEDIA_PORT }, t38: EXPECTED_T38 },
  ])
  pair.run(10_000)
  assert.equal(pair.requests('A', 'INVITE').length, 1)
  assert.equal(pair.requests('B', 'INVITE').length, 0)
  assert.equal(mediaEvents(pair.callEvents('A', call)).length, 1)
  assert.equal(mediaEvents(pair.callEvents('B')).length, 1)
})

// ---- 3. busy ----------------------------------------------------------------------------------

test('a 486 ends the call rejected, and A acknowledges it from the INVITE transaction', () => {
  const pair = new SipPair({ answer: rejectWith(486, 'Busy Here') })
  const call = pair.place()
  assert.deepEqual(endOf(pair.callEvents('A', call)), {
    reason: 'rejected',
    status: 486,
    phrase: 'Busy Here',
  })
  const invite = itemAt(pair.requests('A', 'INVITE'), 0).message
  const busy = itemAt(pair.responses('B', 486, 'INVITE'), 0).message
  const [ack, ...more] = pair.requests('A', 'ACK')
  assert.ok(ack)
  assert.equal(more.length, 0)
  // §17.1.1.3: the INVITE's top Via (same branch), the response's To, CSeq number of the INVITE.
  assert.equal(ack.message.headers.get('Via'), invite.headers.get('Via'))
  assert.equal(ack.message.headers.get('To'), busy.headers.get('To'))
  assert.deepEqual(cseqOf(ack.message), { seq: cseqOf(invite).seq, method: 'ACK' })
  pair.run(10_000)
  assert.equal(pair.responses('B', 486).length, 1, 'the ACK stopped timer G')
  assert.equal(pair.a.calls.length, 0)
})

// ---- 4. CANCEL --------------------------------------------------------------------------------

test('hanging up while B rings sends CANCEL; B ends cancelled and answers 487', () => {
  const pair = new SipPair({ answer: ringOnly })
  const call = pair.place()
  assert.deepEqual(pair.callEvents('A', call), [{ type: 'ringing', status: 180 }])
  pair.run(1_000)
  assert.equal(pair.requests('A', 'CANCEL').length, 0)

  call.hangUp()
  pair.settle()
  const cancel = itemAt(pair.requests('A', 'CANCEL'), 0)
  const ringing = itemAt(pair.responses('B', 180), 0)
  assert.ok(pair.wire.indexOf(cancel) > pair.wire.indexOf(ringing))
  const invite = itemAt(pair.requests('A', 'INVITE'), 0).message
  assert.equal(
    parseVia(cancel.message.headers.get('Via') ?? '').branch,
    parseVia(invite.headers.get('Via') ?? '').branch,
  )
  assert.equal(pair.responses('B', 200, 'CANCEL').length, 1)
  assert.equal(pair.responses('B', 487, 'INVITE').length, 1)
  const incoming = itemAt(pair.incomingCalls(), 0)
  assert.deepEqual(endOf(pair.callEvents('B', incoming)), { reason: 'cancelled' })
  assert.deepEqual(endOf(pair.callEvents('A', call)), { reason: 'cancelled' })
  assert.equal(pair.requests('A', 'ACK').length, 1, 'the 487 is acknowledged')
  assert.equal(pair.requests('A', 'BYE').length, 0)
})

test('a call left ringing is cancelled at the ring timeout and ends no-answer', () => {
  const pair = new SipPair({ answer: ringOnly, a: { ringTimeoutMs: 45_000 } })
  const call = pair.place()
  pair.run(44_990)
  assert.equal(pair.requests('A', 'CANCEL').length, 0, 'no CANCEL before the ring timeout')
  pair.run(20)
  pair.settle()
  const cancel = itemAt(pair.requests('A', 'CANCEL'), 0)
  assert.ok(cancel.at >= 45_000 && cancel.at < 45_010, `CANCEL at ${cancel.at} ms`)
  assert.equal(pair.responses('B', 487, 'INVITE').length, 1)
  assert.deepEqual(endOf(pair.callEvents('A', call)), { reason: 'no-answer', afterMs: 45_000 })
})

test('hanging up before any provisional response holds the CANCEL until the 100 Trying', () => {
  const pair = new SipPair({ answer: leaveUnanswered })
  const call = pair.place()
  call.hangUp()
  pair.settle()
  pair.run(190)
  assert.equal(pair.requests('A', 'CANCEL').length, 0, '§9.1: no CANCEL before a provisional')
  pair.run(100)
  const trying = itemAt(pair.responses('B', 100), 0)
  const cancel = itemAt(pair.requests('A', 'CANCEL'), 0)
  assert.equal(trying.at, 200)
  assert.equal(cancel.at, 200)
  assert.ok(pair.wire.indexOf(cancel) > pair.wire.indexOf(trying))
  assert.equal(pair.responses('B', 487, 'INVITE').length, 1)
  assert.deepEqual(endOf(pair.callEvents('A', call)), { reason: 'cancelled' })
  assert.deepEqual(endOf(pair.callEvents('B')), { reason: 'cancelled' })
})

test('a 200 that crosses our CANCEL is acknowledged and the call ended with BYE', () => {
  const pair = new SipPair({ answer: ringOnly })
  const call = pair.place()
  const incoming = itemAt(pair.incomingCalls(), 0)
  call.hangUp()
  incoming.accept(B_MEDIA_PORT)
  pair.settle()
  assert.equal(pair.requests('A', 'CANCEL').length, 1)
  assert.equal(pair.responses('B', 487).length, 0, 'too late to cancel: the INVITE had its 200')
  assert.equal(pair.requests('A', 'ACK').length, 1)
  assert.equal(pair.requests('A', 'BYE').length, 1)
  assert.deepEqual(endOf(pair.callEvents('A', call)), { reason: 'cancelled' })
  assert.deepEqual(endOf(pair.callEvents('B', incoming)), { reason: 'remote-hangup' })
  pair.run(5_000)
  assert.equal(pair.requests('B', 'INVITE').length, 0)
})

test('placing a call into silence ends it no-response when timer B fires at 64·T1', () => {
  const pair = new SipPair({ fate: () => 'drop' })
  const call = pair.place()
  pair.run(31_990)
  assert.equal(call.state, 'calling')
  pair.run(10)
  assert.deepEqual(endOf(pair.callEvents('A', call)), { reason: 'no-response' })
  assert.deepEqual(
    pair.requests('A', 'INVITE').map((r) => r.at),
    [0, 500, 1_500, 3_500, 7_500, 15_500, 31_500],
  )
})

// ---- 7. glare ---------------------------------------------------------------------------------

test('crossed T.38 re-INVITEs get 491 each; B (not the Call-ID owner) retries within 2 s and wins', () => {
  // B re-INVITEs when the ACK arrives, at the next tick (10 ms after the 200); A is set to do
  // the same 10 ms after the 200, so the two cross on the wire.
  const pair = new SipPair({ a: { reinviteDelayMs: 10 } })
  const call = pair.place()
  pair.step(10)
  const fromA = pair.requests('A', 'INVITE').filter((r) => cseqOf(r.message).seq > 1)
  const fromB = pair.requests('B', 'INVITE')
  assert.equal(fromA.length, 1)
  assert.equal(fromB.length, 1)
  assert.equal(itemAt(fromA, 0).at, itemAt(fromB, 0).at, 'both sent in the same instant')
  const pending = pair.responses('A', 491, 'INVITE').concat(pair.responses('B', 491, 'INVITE'))
  assert.equal(pending.length, 2, 'each side answers the other 491 (RFC 3261 §14.2)')
  const glareAt = itemAt(pending, 0).at

  pair.run(10_000)
  const retries = pair.requests('B', 'INVITE').slice(1)
  assert.equal(retries.length, 1)
  const waitMs = itemAt(retries, 0).at - glareAt
  assert.ok(waitMs >= 0 && waitMs <= 2_000, `B waited ${waitMs} ms`)
  assert.equal(waitMs % 10, 0, '§14.1: in units of 10 ms')
  assert.equal(
    pair.requests('A', 'INVITE').length,
    2,
    "A, whose retry would come at 2.1 s at the soonest, takes B's offer instead",
  )
  assert.equal(pair.responses('A', 200, 'INVITE').length, 1)

  const incoming = itemAt(pair.incomingCalls(), 0)
  assert.deepEqual(mediaEvents(pair.callEvents('A', call)), [
    { remote: { address: '127.0.0.1', port: B_MEDIA_PORT }, t38: EXPECTED_T38 },
  ])
  assert.deepEqual(mediaEvents(pair.callEvents('B', incoming)), [
    { remote: { address: '127.0.0.1', port: A_MEDIA_PORT }, t38: EXPECTED_T38 },
  ])
  assert.equal(call.state, 'established')
  assert.equal(incoming.state, 'established')
})

// ---- 9. retransmissions -----------------------------------------------------------------------

test('a lost INVITE is sent again by timer A at 500 ms and the call still goes up', () => {
  const pair = new SipPair({
    fate: firstMatching((r) => r.from === 'A' && isRequest(r.message, 'INVITE'), 'drop'),
  })
  const call = pair.place()
  assert.equal(call.state, 'calling')
  pair.run(490)
  assert.equal(pair.requests('A', 'INVITE').length, 1)
  pair.run(10)
  const [first, again] = pair.requests('A', 'INVITE')
  assert.ok(first && again)
  assert.equal(again.at, 500)
  assert.deepEqual(again.octets, first.octets)
  assert.equal(call.state, 'established')
  pair.run(3_000)
  assert.equal(mediaEvents(pair.callEvents('A', call)).length, 1)
})

test('every copy of a 2xx is acknowledged (RFC 3261 §13.2.2.4), and no second call is made', () => {
  const pair = new SipPair({
    fate: firstMatching((r) => r.from === 'B' && isResponse(r.message, 200, 'INVITE'), 'duplicate'),
  })
  const call = pair.place()
  const acks = pair.requests('A', 'ACK').filter((r) => cseqOf(r.message).seq === 1)
  assert.equal(acks.length, 2)
  assert.deepEqual(itemAt(acks, 1).octets, itemAt(acks, 0).octets)
  assert.equal(pair.a.calls.length, 1)
  assert.deepEqual(
    pair.callEvents('A', call).filter((e) => e.type === 'answered'),
    [{ type: 'answered' }],
  )
  assert.equal(pair.incomingCalls().length, 1)
})

test('B resends its 2xx at T1, 2·T1 … until the ACK comes through', () => {
  const pair = new SipPair({
    fate: firstMatching((r) => r.from === 'A' && isRequest(r.message, 'ACK'), 'drop', 2),
  })
  const call = pair.place()
  pair.run(10_000)
  const oks = pair.responses('B', 200, 'INVITE').filter((r) => cseqOf(r.message).seq === 1)
  assert.deepEqual(
    oks.map((r) => r.at),
    [0, 500, 1_500],
  )
  const acks = pair.requests('A', 'ACK').filter((r) => cseqOf(r.message).seq === 1)
  assert.deepEqual(
    acks.map((r) => [r.at, r.fate]),
    [
      [0, 'drop'],
      [500, 'drop'],
      [1_500, 'deliver'],
    ],
  )
  const incoming = itemAt(pair.incomingCalls(), 0)
  assert.equal(incoming.state, 'established')
  assert.equal(mediaEvents(pair.callEvents('A', call)).length, 1)
  assert.equal(mediaEvents(pair.callEvents('B', incoming)).length, 1)
})

test("lost ACKs keep B resending its 2xx, yet A's re-INVITE at 2 s still gets the call to T.38", () => {
  // Three ACKs lost: B is still resending its 2xx when A's own re-INVITE comes at 2 s, so B
  // answers it 500 with Retry-After (RFC 3261 §14.2). That is "try again later", not a refusal.
  const pair = new SipPair({
    fate: firstMatching((r) => r.from === 'A' && isRequest(r.message, 'ACK'), 'drop', 3),
  })
  const call = pair.place()
  pair.run(10_000)
  const incoming = itemAt(pair.incomingCalls(), 0)
  assert.deepEqual(
    pair.responses('B', 500, 'INVITE').map((r) => r.message.headers.has('Retry-After')),
    [true],
  )
  assert.equal(pair.requests('A', 'BYE').length, 0)
  assert.equal(call.state, 'established')
  assert.equal(incoming.state, 'established')
  assert.equal(mediaEvents(pair.callEvents('A', call)).length, 1)
  assert.equal(mediaEvents(pair.callEvents('B', incoming)).length, 1)
})

test('B gives up on an ACK that never comes with BYE once it has resent its 2xx for 64·T1', () => {
  // RFC 3261 §13.3.1.4: "If the server retransmits the 2xx response for 64*T1 seconds without
  // receiving an ACK, the dialog is confirmed, but the session SHOULD be terminated."
  const pair = new SipPair({
    a: { reinviteDelayMs: 120_000 },
    fate: (r) => (r.from === 'A' && isRequest(r.message, 'ACK') ? 'drop' : 'deliver'),
  })
  const call = pair.place()
  pair.run(40_000)
  const incoming = itemAt(pair.incomingCalls(), 0)
  assert.deepEqual(endOf(pair.callEvents('B', incoming)), { reason: 'no-ack' })
  const bye = itemAt(pair.requests('B', 'BYE'), 0)
  assert.equal(bye.at, 32_000)
  assert.deepEqual(endOf(pair.callEvents('A', call)), { reason: 'remote-hangup' })
})

// ---- 10. bad input ----------------------------------------------------------------------------

test('random octets are dropped with a bad-message event and no reply', () => {
  const pair = new SipPair()
  const sent = pair.inject('B', new Uint8Array([0x16, 0x03, 0x01, 0xff, 0x00, 0x42]), STRANGER)
  assert.deepEqual(sent, [])
  assert.ok(pair.events.B.some(({ event }) => event.type === 'bad-message'))
})

test('a request with a malformed header line is answered 400', () => {
  const pair = new SipPair()
  const lines = strangerHeaders('OPTIONS', 1)
  const sent = pair.inject('B', octets([...lines, 'this line is no header']), STRANGER)
  assert.deepEqual(
    sent.map((r) => (r.message?.kind === 'response' ? r.message.status : null)),
    [400],
  )
  assert.deepEqual(itemAt(sent, 0).to, STRANGER)
})

test('a request without Call-ID is answered 400 (RFC 3261 §21.4.1: "Missing Call-ID header field")', () => {
  const pair = new SipPair()
  const lines = strangerHeaders('INVITE', 2).filter((line) => !line.startsWith('Call-ID'))
  const sent = pair.inject('B', octets(lines), STRANGER)
  assert.ok(pair.events.B.some(({ event }) => event.type === 'bad-message'))
  assert.equal(pair.incomingCalls().length, 0)
  assert.deepEqual(
    sent.map((r) => (r.message?.kind === 'response' ? r.message.status : null)),
    [400],
  )
})

test('an INVITE that requires 100rel is answered 420 with Unsupported: 100rel', () => {
  const pair = new SipPair()
  const sent = pair.inject(
    'B',
    octets([...strangerHeaders('INVITE', 3), 'Require: 100rel']),
    STRANGER,
  )
  const reply = itemAt(sent, 0).message
  assert.ok(reply?.kind === 'response')
  assert.equal(reply.status, 420)
  assert.equal(reply.headers.get('Unsupported'), '100rel')
  assert.equal(pair.incomingCalls().length, 0)
})

test('an INVITE whose SDP does not parse is answered 400 when accepted', () => {
  const pair = new SipPair()
  const lines = [...strangerHeaders('INVITE', 4), 'Content-Type: application/sdp']
  const sent = pair.inject('B', octets(lines, 'this is not SDP\r\n'), STRANGER)
  assert.equal(pair.incomingCalls().length, 1, 'the owner is asked first')
  const reply = itemAt(sent, 0).message
  assert.ok(reply?.kind === 'response')
  assert.equal(reply.status, 400)
  assert.match(reply.reason, /^Bad SDP/)
  assert.ok(parseNameAddr(reply.headers.get('To') ?? '').tag, 'a final response carries a To tag')
})

test('OPTIONS outside a dialog is answered 200, a BYE for no dialog 481, and calls still work', () => {
  const pair = new SipPair()
  pair.inject('B', new Uint8Array([0x00, 0x01]), STRANGER)
  pair.inject('B', octets([...strangerHeaders('OPTIONS', 5), 'bad header']), STRANGER)
  pair.inject('B', octets([...strangerHeaders('INVITE', 6), 'Require: 100rel']), STRANGER)

  const options = pair.inject('B', octets(strangerHeaders('OPTIONS', 7)), STRANGER)
  const ok = itemAt(options, 0).message
  assert.ok(ok?.kind === 'response')
  assert.equal(ok.status, 200)
  assert.match(ok.headers.get('Allow') ?? '', /INVITE/)

  const byeLines = strangerHeaders('BYE', 8).map((line) =>
    line.startsWith('To:') ? 'To: <sip:faxd@127.0.0.1>;tag=nobody' : line,
  )
  const bye = itemAt(pair.inject('B', octets(byeLines), STRANGER), 0).message
  assert.ok(bye?.kind === 'response')
  assert.equal(bye.status, 481)

  const call = pair.place()
  pair.run(1_000)
  assert.equal(call.state, 'established')
  assert.equal(mediaEvents(pair.callEvents('A', call)).length, 1)
})

test('final responses to requests outside a dialog carry a To tag (RFC 3261 §8.2.6.2)', () => {
  // "if the To header field in the request did not contain a tag, the URI in the To header
  // field in the response MUST equal the URI in the To header field; additionally, the UAS
  // MUST add a tag to the To header field in the response (with the exception of the 100
  // (Trying) response". §9.2 adds for CANCEL: "The To tag of the response to the CANCEL and
  // the To tag in the response to the original request SHOULD be the same."
  const pair = new SipPair({ answer: ringOnly })
  const replies = [
    ...pair.inject('B', octets(strangerHeaders('OPTIONS', 11)), STRANGER),
    ...pair.inject('B', octets([...strangerHeaders('INVITE', 12), 'Require: 100rel']), STRANGER),
    ...pair.inject('B', octets([...strangerHeaders('OPTIONS', 13), 'bad header']), STRANGER),
    ...pair.inject('B', octets(strangerHeaders('SUBSCRIBE', 14)), STRANGER),
  ]
  const call = pair.place()
  call.hangUp()
  pair.settle()
  const ringingTag = parseNameAddr(
    itemAt(pair.responses('B', 180), 0).message.headers.get('To') ?? '',
  ).tag
  const cancelled = itemAt(pair.responses('B', 200, 'CANCEL'), 0).message
  const untagged = [...replies.map((r) => r.message), cancelled]
    .filter((m) => m?.kind === 'response')
    .filter((m) => parseNameAddr(m.headers.get('To') ?? '').tag === undefined)
    .map((m) => `${m.status} ${cseqOf(m).method}`)
  assert.deepEqual(untagged, [])
  assert.equal(parseNameAddr(cancelled.headers.get('To') ?? '').tag, ringingTag)
})
