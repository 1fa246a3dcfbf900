/**
 * Session timers (RFC 4028) across whole calls on the virtual clock: refreshes every half
 * interval for hours, BYE before expiry when the far end stops refreshing, 422 for an interval
 * below our Min-SE.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { SipPair, bodyText, cseqOf, farDialog, farOk, itemAt, sdpVersion } from './sip-pair.js'
import { parseSessionExpires } from '../../../src/telephony/sip/sip-headers.js'

const HOUR_MS = 3_600_000

function refreshesFrom(pair: SipPair, side: 'A' | 'B') {
  return pair.requests(side, 'INVITE').filter((r) => side === 'B' || cseqOf(r.message).seq > 1)
}

test('A, named refresher, re-INVITEs every 900 s with the same SDP, and the call outlives 3 hours', () => {
  const pair = new SipPair({ a: { t38InInvite: true } })
  const call = pair.place()
  const incoming = itemAt(pair.incomingCalls(), 0)
  const invite = itemAt(pair.requests('A', 'INVITE'), 0).message
  assert.deepEqual(
    parseSessionExpires(invite.headers.get('Session-Expires') ?? '').deltaSeconds,
    1800,
  )
  const ok = itemAt(pair.responses('B', 200, 'INVITE'), 0).message
  assert.equal(parseSessionExpires(ok.headers.get('Session-Expires') ?? '').refresher, 'uac')
  assert.equal(ok.headers.get('Require'), 'timer')
  assert.deepEqual(call.sessionTimer, { intervalSeconds: 1800, weRefresh: true })
  assert.deepEqual(incoming.sessionTimer, { intervalSeconds: 1800, weRefresh: false })

  pair.run(3 * HOUR_MS, 1_000)
  assert.equal(call.state, 'established')
  assert.equal(incoming.state, 'established')
  const refreshes = refreshesFrom(pair, 'A')
  assert.ok(refreshes.length >= 11, `${refreshes.length} refreshes`)
  assert.deepEqual(
    refreshes.map((r) => r.at),
    refreshes.map((_, i) => (i + 1) * 900_000),
  )
  for (const refresh of refreshes) {
    // RFC 3264 §8: no change, so the same o= version and the same description.
    assert.equal(sdpVersion(refresh.message), sdpVersion(invite))
    assert.equal(bodyText(refresh.message), bodyText(invite))
    assert.equal(
      parseSessionExpires(refresh.message.headers.get('Session-Expires') ?? '').refresher,
      'uac',
    )
  }
  assert.equal(refreshesFrom(pair, 'B').length, 0)
  assert.equal(
    pair.callEvents('A', call).filter((e) => e.type === 'refreshed').length,
    refreshes.length,
  )
  assert.equal(pair.requests('A', 'BYE').length + pair.requests('B', 'BYE').length, 0)
})

test('the side that is refreshed reports each refresh too ("refreshed ... either way")', () => {
  const pair = new SipPair({ a: { t38InInvite: true } })
  pair.place()
  const incoming = itemAt(pair.incomingCalls(), 0)
  pair.run(HOUR_MS, 1_000)
  assert.equal(refreshesFrom(pair, 'A').length, 4)
  assert.equal(pair.callEvents('B', incoming).filter((e) => e.type === 'refreshed').length, 4)
})

test('a T.38 re-INVITE from the side that does not refresh leaves the refresher as it was (RFC 4028 §7.4)', () => {
  // A asked for the timer and B named A refresher; B then re-INVITEs to T.38. §7.4: "It is
  // RECOMMENDED that the refresher parameter be set to 'uac' if the element sending the request
  // is currently performing refreshes, and 'uas' otherwise."
  const pair = new SipPair()
  const call = pair.place()
  const incoming = itemAt(pair.incomingCalls(), 0)
  pair.run(1_000)
  const reinvite = itemAt(pair.requests('B', 'INVITE'), 0).message
  assert.equal(parseSessionExpires(reinvite.headers.get('Session-Expires') ?? '').refresher, 'uas')
  assert.deepEqual(call.sessionTimer, { intervalSeconds: 1800, weRefresh: true })
  assert.deepEqual(incoming.sessionTimer, { intervalSeconds: 1800, weRefresh: false })
})

test('a far end that is refresher and never refreshes gets our BYE at 1768 s', () => {
  const pair = new SipPair({ b: 'scripted', a: { t38InInvite: true } })
  const call = pair.place()
  pair.deliverToA(
    farOk(pair.lastRequestFromA('INVITE'), 't38', [
      ['Session-Expires', '1800;refresher=uas'],
      ['Require', 'timer'],
    ]),
  )
  const answeredAt = pair.now
  assert.deepEqual(call.sessionTimer, { intervalSeconds: 1800, weRefresh: false })
  pair.run(1_767_000, 1_000)
  assert.equal(pair.requests('A', 'BYE').length, 0)
  pair.run(1_000, 1_000)
  const bye = itemAt(pair.requests('A', 'BYE'), 0)
  // RFC 4028 §10: BYE "before the session expires", by min(32, interval / 3) seconds.
  assert.equal(bye.at - answeredAt, (1800 - Math.min(32, 600)) * 1000)
  assert.equal(pair.requests('A', 'INVITE').length, 1, 'A never refreshed it itself')
  assert.deepEqual(
    pair.callEvents('A', call).flatMap((e) => (e.type === 'ended' ? [e.end] : [])),
    [{ reason: 'session-expired' }],
  )
})

test('a refresh from the far end moves our deadline on by a whole interval', () => {
  const pair = new SipPair({ b: 'scripted', a: { t38InInvite: true } })
  const call = pair.place()
  const invite = pair.lastRequestFromA('INVITE')
  const headers: [string, string][] = [
    ['Session-Expires', '1800;refresher=uas'],
    ['Require', 'timer'],
  ]
  const ok = farOk(invite, 't38', headers)
  pair.deliverToA(ok)
  const far = farDialog(invite)
  pair.run(900_000, 1_000)
  const refresh = far.createRequest('INVITE', {
    body: ok.body,
    extraHeaders: [['Session-Expires', '1800;refresher=uac']],
  })
  pair.deliverToA(refresh)
  const answer = itemAt(pair.responses('A', 200, 'INVITE'), 0).message
  assert.equal(parseSessionExpires(answer.headers.get('Session-Expires') ?? '').refresher, 'uac')
  pair.deliverToA(far.createAck(refresh))
  pair.run(1_767_000, 1_000)
  assert.equal(pair.requests('A', 'BYE').length, 0, 'not at 1768 s from the start')
  pair.run(1_000, 1_000)
  assert.equal(itemAt(pair.requests('A', 'BYE'), 0).at, 900_000 + 1_768_000)
  assert.deepEqual(
    pair.callEvents('A', call).flatMap((e) => (e.type === 'ended' ? [e.end] : [])),
    [{ reason: 'session-expired' }],
  )
})

test('a re-INVITE asking for Session-Expires: 60 is answered 422 with Min-SE: 90', () => {
  const pair = new SipPair({ b: 'scripted' })
  const call = pair.place()
  const invite = pair.lastRequestFromA('INVITE')
  const ok = farOk(invite, 'audio')
  pair.deliverToA(ok)
  const far = farDialog(invite)
  const reinvite = far.createRequest('INVITE', {
    body: ok.body,
    extraHeaders: [['Session-Expires', '60']],
  })
  pair.deliverToA(reinvite)
  const [tooSmall, ...more] = pair.responses('A', 422, 'INVITE')
  assert.ok(tooSmall)
  assert.equal(more.length, 0)
  assert.equal(tooSmall.message.headers.get('Min-SE'), '90')
  assert.equal(tooSmall.to.port, 5062)
  pair.deliverToA(far.createAck(reinvite))
  assert.equal(call.state, 'established')
  assert.equal(pair.responses('A', 200, 'INVITE').length, 0)
})

test('a 422 to our INVITE is retried with the Min-SE it names (RFC 4028 §7.3)', () => {
  const pair = new SipPair({ b: { minSeSeconds: 3600 } })
  const call = pair.place()
  const [first, second] = pair.requests('A', 'INVITE')
  assert.ok(first && second)
  const tooSmall = itemAt(pair.responses('B', 422, 'INVITE'), 0).message
  assert.equal(tooSmall.headers.get('Min-SE'), '3600')
  assert.equal(
    parseSessionExpires(second.message.headers.get('Session-Expires') ?? '').deltaSeconds,
    3600,
  )
  assert.equal(cseqOf(second.message).seq, 2)
  assert.equal(second.message.headers.get('Call-ID'), first.message.headers.get('Call-ID'))
  assert.equal(call.state, 'established')
  assert.deepEqual(call.sessionTimer, { intervalSeconds: 3600, weRefresh: true })
})
