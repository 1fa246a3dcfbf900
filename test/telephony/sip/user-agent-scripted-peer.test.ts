/**
 * A faxd SipUserAgent (A) against a far end the test writes message by message: the answers a
 * faxd agent would never give (a proxy's 407, a 488 to T.38, a 500 with Retry-After).
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { B_MEDIA_PORT, FAR_TAG, SipPair, bodyText, cseqOf, farOk, itemAt } from './sip-pair.js'
import type { SipCallEvent } from '../../../src/telephony/sip/sip-call.js'
import { digestAuthorization } from '../../../src/telephony/sip/digest.js'
import {
  parseDigestCredentials,
  parseNameAddr,
  parseVia,
} from '../../../src/telephony/sip/sip-headers.js'
import { responseFor } from '../../../src/telephony/sip/request-factory.js'

const CREDENTIALS = { username: 'faxd', password: 'secret' }
const CHALLENGE = 'Digest realm="trunk.example", nonce="n0nce-1", qop="auth", algorithm=MD5'

function ended(events: readonly SipCallEvent[]): unknown[] {
  return events.flatMap((e) => (e.type === 'ended' ? [e.end] : []))
}

// ---- 5. Digest --------------------------------------------------------------------------------

test('a 407 is answered with a new INVITE carrying Proxy-Authorization, and the call goes up', () => {
  const pair = new SipPair({ b: 'scripted', a: { credentials: CREDENTIALS } })
  const call = pair.place()
  const first = pair.lastRequestFromA('INVITE')
  pair.deliverToA(
    responseFor(first, 407, 'Proxy Authentication Required', {
      toTag: 'proxy',
      extraHeaders: [['Proxy-Authenticate', CHALLENGE]],
    }),
  )
  const invites = pair.requests('A', 'INVITE')
  assert.equal(invites.length, 2)
  const ack = itemAt(pair.requests('A', 'ACK'), 0).message
  assert.equal(ack.headers.get('Via'), first.headers.get('Via'), 'the 407 is acknowledged')

  const second = itemAt(invites, 1).message
  assert.deepEqual(cseqOf(second), { seq: cseqOf(first).seq + 1, method: 'INVITE' })
  assert.equal(second.headers.get('Call-ID'), first.headers.get('Call-ID'))
  assert.equal(second.headers.get('From'), first.headers.get('From'))
  assert.equal(parseNameAddr(second.headers.get('To') ?? '').tag, undefined)
  assert.equal(second.uri, first.uri)
  assert.notEqual(
    parseVia(second.headers.get('Via') ?? '').branch,
    parseVia(first.headers.get('Via') ?? '').branch,
  )
  assert.deepEqual(second.body, first.body)

  const answer = parseDigestCredentials(second.headers.get('Proxy-Authorization') ?? '')
  assert.equal(answer.username, 'faxd')
  assert.equal(answer.realm, 'trunk.example')
  assert.equal(answer.nonce, 'n0nce-1')
  assert.equal(answer.uri, second.uri)
  assert.equal(answer.qop, 'auth')
  assert.equal(answer.nc, '00000001')
  assert.ok(answer.cnonce)
  const expected = digestAuthorization({
    challenge: { realm: 'trunk.example', nonce: 'n0nce-1', algorithm: 'MD5', qop: ['auth'] },
    credentials: CREDENTIALS,
    method: 'INVITE',
    uri: second.uri,
    nonceCount: 1,
    cnonce: answer.cnonce,
  })
  assert.equal(answer.response, expected.response)

  pair.deliverToA(farOk(second, 'audio'))
  assert.equal(call.state, 'established')
  assert.deepEqual(
    pair.callEvents('A', call).map((e) => e.type),
    ['answered'],
  )
  const ok = itemAt(pair.requests('A', 'ACK'), 1).message
  assert.equal(cseqOf(ok).seq, 2)
  assert.equal(parseNameAddr(ok.headers.get('To') ?? '').tag, FAR_TAG)
})

test('a second 407 for the same nonce (a wrong password) ends the call rejected, with no third INVITE', () => {
  const pair = new SipPair({ b: 'scripted', a: { credentials: CREDENTIALS } })
  const call = pair.place()
  const challenge = (invite = pair.lastRequestFromA('INVITE')) =>
    pair.deliverToA(
      responseFor(invite, 407, 'Proxy Authentication Required', {
        toTag: 'proxy',
        extraHeaders: [['Proxy-Authenticate', CHALLENGE]],
      }),
    )
  challenge()
  assert.equal(pair.requests('A', 'INVITE').length, 2)
  challenge()
  pair.run(40_000, 1_000)
  assert.equal(pair.requests('A', 'INVITE').length, 2)
  assert.equal(pair.requests('A', 'ACK').length, 2, 'both 407s are acknowledged')
  assert.deepEqual(ended(pair.callEvents('A', call)), [
    { reason: 'rejected', status: 407, phrase: 'Proxy Authentication Required' },
  ])
})

// ---- 6. 488 to our T.38 re-INVITE ---------------------------------------------------------------

test('a 488 to our T.38 re-INVITE ends the call with BYE as t38-refused', () => {
  const pair = new SipPair({ b: 'scripted' })
  const call = pair.place()
  const invite = pair.lastRequestFromA('INVITE')
  pair.deliverToA(farOk(invite, 'audio'))
  assert.equal(call.state, 'established')
  const answeredAt = pair.now

  pair.run(1_990)
  assert.equal(pair.requests('A', 'INVITE').length, 1)
  pair.run(10)
  const reinvite = itemAt(pair.requests('A', 'INVITE'), 1)
  assert.equal(reinvite.at - answeredAt, 2_000, 'reinviteDelayMs after the 200')
  assert.match(bodyText(reinvite.message), /^m=image 40000 udptl t38$/m)
  assert.equal(parseNameAddr(reinvite.message.headers.get('To') ?? '').tag, FAR_TAG)

  pair.deliverToA(responseFor(reinvite.message, 488, 'Not Acceptable Here'))
  const acks = pair.requests('A', 'ACK')
  assert.equal(acks.length, 2)
  assert.equal(itemAt(acks, 1).message.headers.get('Via'), reinvite.message.headers.get('Via'))
  const bye = itemAt(pair.requests('A', 'BYE'), 0).message
  assert.equal(parseNameAddr(bye.headers.get('To') ?? '').tag, FAR_TAG)
  assert.equal(cseqOf(bye).seq, cseqOf(reinvite.message).seq + 1)
  const [end, ...more] = ended(pair.callEvents('A', call))
  assert.equal(more.length, 0)
  assert.deepEqual(
    { ...(end as object), detail: undefined },
    { reason: 't38-refused', status: 488, detail: undefined },
  )
})

test('a 500 with Retry-After to our T.38 re-INVITE is retried after it, not taken as a refusal', () => {
  // RFC 3261 §14.2: a UAS that gets a re-INVITE while an earlier INVITE transaction of the
  // dialog is unfinished "MUST return a 500 ... and MUST include a Retry-After header field
  // with a randomly chosen value of between 0 and 10 seconds"; the 500 says "try later".
  const pair = new SipPair({ b: 'scripted' })
  const call = pair.place()
  pair.deliverToA(farOk(pair.lastRequestFromA('INVITE'), 'audio'))
  pair.run(2_000)
  const reinvite = itemAt(pair.requests('A', 'INVITE'), 1).message
  pair.deliverToA(
    responseFor(reinvite, 500, 'Server Internal Error', { extraHeaders: [['Retry-After', '3']] }),
  )
  assert.equal(pair.requests('A', 'BYE').length, 0, 'no BYE for a 500 with Retry-After')
  assert.equal(call.state, 'established')
  pair.run(3_000)
  const again = itemAt(pair.requests('A', 'INVITE'), 2).message
  assert.match(bodyText(again), /^m=image 40000 udptl t38$/m)
  pair.deliverToA(farOk(again, 't38'))
  assert.deepEqual(
    pair.callEvents('A', call).flatMap((e) => (e.type === 'media' ? [e.media.remote] : [])),
    [{ address: '127.0.0.1', port: B_MEDIA_PORT }],
  )
})

// ---- post-dial digits --------------------------------------------------------------------------

test('post-dial digits go as SIP INFO, one per digit in order, and the T.38 re-INVITE waits for them', () => {
  const pair = new SipPair({ b: 'scripted', a: { reinviteDelayMs: 500 } })
  const call = pair.place()
  const invite = pair.lastRequestFromA('INVITE')
  pair.deliverToA(farOk(invite, 'audio'))
  call.sendDigits('12#')
  // The far end answers each INFO; the next goes once the last is answered and its tone is over.
  for (let answered = 0; answered < 3; answered++) {
    pair.run(100)
    const infos = pair.requests('A', 'INFO')
    assert.equal(infos.length, answered + 1, `INFO ${answered + 1} sent`)
    assert.equal(pair.requests('A', 'INVITE').length, 1, 'no re-INVITE while digits are due')
    pair.deliverToA(responseFor(itemAt(infos, answered).message, 200, 'OK'))
    pair.run(200)
  }
  const infos = pair.requests('A', 'INFO').map((record) => record.message)
  assert.deepEqual(
    infos.map((info) => bodyText(info)),
    [
      'Signal=1\r\nDuration=160\r\n',
      'Signal=2\r\nDuration=160\r\n',
      'Signal=#\r\nDuration=160\r\n',
    ],
  )
  assert.ok(infos.every((info) => info.headers.get('Content-Type') === 'application/dtmf-relay'))
  assert.deepEqual(
    infos.map((info) => cseqOf(info)),
    [2, 3, 4].map((seq) => ({ seq, method: 'INFO' })),
  )
  pair.run(500)
  const reinvite = itemAt(pair.requests('A', 'INVITE'), 1)
  assert.match(bodyText(reinvite.message), /^m=image /m)
  assert.ok(
    pair.wire.indexOf(reinvite) > pair.wire.indexOf(itemAt(pair.requests('A', 'INFO'), 2)),
    'the re-INVITE to T.38 follows the last digit',
  )
  assert.throws(() => call.sendDigits('1x'), RangeError)
})
