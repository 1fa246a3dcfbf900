import assert from 'node:assert/strict'
import { test } from 'node:test'

import {
  InviteClientTransaction,
  NonInviteClientTransaction,
} from '../../../src/telephony/sip/client-transaction.js'
import { type Message, request, response, runUntil, taken } from './transaction-log.js'

const buildAck = (invite: Message, final: Message): Message =>
  request('ACK', `ACK(${invite.name},${final.name})`)

// ---- INVITE client transaction (RFC 3261 Figure 5) ----

test('an INVITE is sent at once, retransmitted at 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s and times out at 32 s', () => {
  const tx = new InviteClientTransaction(request('INVITE'), { buildAck })
  assert.equal(tx.state, 'calling')
  assert.deepEqual(taken(tx), ['send INVITE'])
  assert.deepEqual(runUntil(tx, 60_000), [
    '500 send INVITE',
    '1500 send INVITE',
    '3500 send INVITE',
    '7500 send INVITE',
    '15500 send INVITE',
    '31500 send INVITE',
    '32000 timeout B',
    '32000 terminated',
  ])
  assert.equal(tx.state, 'terminated')
  assert.equal(tx.nextTimerInMs, null)
})

test('timers fire in order within one long advance', () => {
  const tx = new InviteClientTransaction(request('INVITE'), { buildAck })
  tx.takeOutputs()
  tx.advance(31_999)
  assert.equal(taken(tx).length, 6)
  assert.equal(tx.state, 'calling')
  tx.advance(1)
  assert.deepEqual(taken(tx), ['timeout B', 'terminated'])
})

test('timer A and B follow a configured T1', () => {
  const tx = new InviteClientTransaction(request('INVITE'), { buildAck, timers: { t1Ms: 1_000 } })
  tx.takeOutputs()
  assert.deepEqual(runUntil(tx, 100_000), [
    '1000 send INVITE',
    '3000 send INVITE',
    '7000 send INVITE',
    '15000 send INVITE',
    '31000 send INVITE',
    '63000 send INVITE',
    '64000 timeout B',
    '64000 terminated',
  ])
})

test('a provisional response stops retransmission and timer B; later ones go to the TU', () => {
  const tx = new InviteClientTransaction(request('INVITE'), { buildAck })
  tx.takeOutputs()
  tx.advance(600)
  assert.deepEqual(taken(tx), ['send INVITE'])
  tx.receive(response(100))
  assert.equal(tx.state, 'proceeding')
  tx.receive(response(180))
  tx.receive(response(183))
  assert.deepEqual(taken(tx), ['to-tu 100', 'to-tu 180', 'to-tu 183'])
  // Ringing for ten minutes is the TU's business: nothing is sent and nothing times out.
  tx.advance(600_000)
  assert.deepEqual(taken(tx), [])
  assert.equal(tx.state, 'proceeding')
  assert.equal(tx.nextTimerInMs, null)
})

test('a 2xx goes to the TU and ends the transaction; its ACK is left to the UA', () => {
  const tx = new InviteClientTransaction(request('INVITE'), { buildAck })
  tx.takeOutputs()
  tx.receive(response(180))
  tx.receive(response(200))
  assert.deepEqual(taken(tx), ['to-tu 180', 'to-tu 200', 'terminated'])
  // A retransmitted 200 reaches the UA core without this transaction.
  tx.receive(response(200))
  tx.advance(60_000)
  assert.deepEqual(taken(tx), [])
})

test('a 2xx straight from Calling ends the transaction too', () => {
  const tx = new InviteClientTransaction(request('INVITE'), { buildAck })
  tx.takeOutputs()
  tx.advance(700)
  tx.receive(response(200))
  assert.deepEqual(taken(tx), ['send INVITE', 'to-tu 200', 'terminated'])
})

test('a non-2xx final response is ACKed by the transaction itself, then passed up', () => {
  const tx = new InviteClientTransaction(request('INVITE'), { buildAck })
  tx.takeOutputs()
  tx.receive(response(180))
  tx.receive(response(486, '486 Busy Here'))
  assert.equal(tx.state, 'completed')
  assert.deepEqual(taken(tx), [
    'to-tu 180',
    'send ACK(INVITE,486 Busy Here)',
    'to-tu 486 Busy Here',
  ])
})

test('Completed absorbs retransmitted finals by resending the ACK, until timer D at 32 s', () => {
  const tx = new InviteClientTransaction(request('INVITE'), { buildAck })
  tx.takeOutputs()
  tx.advance(200)
  tx.receive(response(503))
  tx.takeOutputs()
  tx.advance(1_000)
  tx.receive(response(503))
  tx.receive(response(180))
  tx.receive(response(200))
  assert.deepEqual(taken(tx), ['send ACK(INVITE,503)'])
  tx.advance(32_000 - 1_000 - 1)
  assert.equal(tx.state, 'completed')
  assert.deepEqual(taken(tx), [])
  tx.advance(1)
  assert.equal(tx.now, 32_200)
  assert.deepEqual(taken(tx), ['terminated'])
})

test('an INVITE 3xx–6xx from Calling also stops retransmitting', () => {
  const tx = new InviteClientTransaction(request('INVITE'), { buildAck })
  tx.takeOutputs()
  assert.deepEqual(runUntil(tx, 1_500), ['500 send INVITE', '1500 send INVITE'])
  tx.receive(response(404))
  assert.deepEqual(runUntil(tx, 40_000), [
    '1500 send ACK(INVITE,404)',
    '1500 to-tu 404',
    '33500 terminated',
  ])
})

test('over a reliable transport nothing is retransmitted and Completed lasts zero seconds', () => {
  const tx = new InviteClientTransaction(request('INVITE'), { buildAck, reliable: true })
  assert.deepEqual(taken(tx), ['send INVITE'])
  tx.advance(10_000)
  assert.deepEqual(taken(tx), [])
  tx.receive(response(480))
  assert.deepEqual(taken(tx), ['send ACK(INVITE,480)', 'to-tu 480', 'terminated'])

  const lost = new InviteClientTransaction(request('INVITE'), { buildAck, reliable: true })
  lost.takeOutputs()
  assert.deepEqual(runUntil(lost, 40_000), ['32000 timeout B', '32000 terminated'])
})

test('a transport error tells the TU and ends the transaction', () => {
  const tx = new InviteClientTransaction(request('INVITE'), { buildAck })
  tx.takeOutputs()
  tx.transportError()
  assert.deepEqual(taken(tx), ['transport-error', 'terminated'])
  tx.advance(60_000)
  tx.transportError()
  assert.deepEqual(taken(tx), [])
})

test('ignores requests and status codes outside 100–699', () => {
  const tx = new InviteClientTransaction(request('INVITE'), { buildAck })
  tx.takeOutputs()
  tx.receive(request('BYE'))
  tx.receive(response(99))
  tx.receive(response(700))
  assert.deepEqual(taken(tx), [])
  assert.equal(tx.state, 'calling')
})

test('an INVITE client transaction starts only with an INVITE', () => {
  assert.throws(() => new InviteClientTransaction(request('BYE'), { buildAck }), RangeError)
  assert.throws(() => new InviteClientTransaction(response(200), { buildAck }), RangeError)
})

// ---- non-INVITE client transaction (RFC 3261 Figure 6) ----

test('a non-INVITE request is retransmitted doubling from T1 up to T2, and times out at 32 s', () => {
  const tx = new NonInviteClientTransaction(request('REGISTER'))
  assert.equal(tx.state, 'trying')
  assert.deepEqual(taken(tx), ['send REGISTER'])
  assert.deepEqual(runUntil(tx, 60_000), [
    '500 send REGISTER',
    '1500 send REGISTER',
    '3500 send REGISTER',
    '7500 send REGISTER',
    '11500 send REGISTER',
    '15500 send REGISTER',
    '19500 send REGISTER',
    '23500 send REGISTER',
    '27500 send REGISTER',
    '31500 send REGISTER',
    '32000 timeout F',
    '32000 terminated',
  ])
})

test('in Proceeding timer E retransmits every T2, and timer F still ends it', () => {
  const tx = new NonInviteClientTransaction(request('BYE'))
  tx.takeOutputs()
  tx.advance(600)
  tx.receive(response(100))
  assert.equal(tx.state, 'proceeding')
  assert.deepEqual(taken(tx), ['send BYE', 'to-tu 100'])
  // E was due at 1.5 s (armed in Trying); from then on it is reset to T2.
  assert.deepEqual(runUntil(tx, 60_000), [
    '1500 send BYE',
    '5500 send BYE',
    '9500 send BYE',
    '13500 send BYE',
    '17500 send BYE',
    '21500 send BYE',
    '25500 send BYE',
    '29500 send BYE',
    '32000 timeout F',
    '32000 terminated',
  ])
})

test('a final response goes to the TU; Completed absorbs retransmissions until timer K (T4)', () => {
  const tx = new NonInviteClientTransaction(request('OPTIONS'))
  tx.takeOutputs()
  tx.advance(2_000)
  tx.receive(response(180))
  tx.receive(response(200))
  assert.equal(tx.state, 'completed')
  assert.deepEqual(taken(tx), ['send OPTIONS', 'send OPTIONS', 'to-tu 180', 'to-tu 200'])
  tx.advance(1_000)
  tx.receive(response(200))
  tx.receive(response(500))
  tx.advance(3_999)
  assert.deepEqual(taken(tx), [])
  assert.equal(tx.state, 'completed')
  tx.advance(1)
  assert.equal(tx.now, 7_000)
  assert.deepEqual(taken(tx), ['terminated'])
})

test('a 4xx ends a non-INVITE transaction the same way, with no ACK', () => {
  const tx = new NonInviteClientTransaction(request('REGISTER'))
  tx.takeOutputs()
  tx.receive(response(401))
  assert.deepEqual(runUntil(tx, 60_000), ['0 to-tu 401', '5000 terminated'])
})

test('over a reliable transport timer E is off and timer K is zero', () => {
  const tx = new NonInviteClientTransaction(request('BYE'), { reliable: true })
  tx.takeOutputs()
  tx.advance(31_999)
  assert.deepEqual(taken(tx), [])
  tx.receive(response(200))
  assert.deepEqual(taken(tx), ['to-tu 200', 'terminated'])
})

test('a non-INVITE client transaction refuses INVITE and ACK', () => {
  assert.throws(() => new NonInviteClientTransaction(request('INVITE')), RangeError)
  assert.throws(() => new NonInviteClientTransaction(request('ACK')), RangeError)
})

test('advance refuses negative and non-finite time', () => {
  const tx = new NonInviteClientTransaction(request('BYE'))
  assert.throws(() => tx.advance(-1), RangeError)
  assert.throws(() => tx.advance(Number.NaN), RangeError)
  assert.throws(() => tx.advance(Number.POSITIVE_INFINITY), RangeError)
})
