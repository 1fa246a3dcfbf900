import assert from 'node:assert/strict'
import { test } from 'node:test'

import {
  InviteServerTransaction,
  NonInviteServerTransaction,
} from '../../../src/telephony/sip/server-transaction.js'
import { type Message, request, response, runUntil, taken } from './transaction-log.js'

const buildTrying = (invite: Message): Message => response(100, `100(${invite.name})`)

// ---- INVITE server transaction (RFC 3261 Figure 7, RFC 6026 Accepted) ----

test('the INVITE goes to the TU, and 100 Trying follows at 200 ms when the TU is silent', () => {
  const tx = new InviteServerTransaction(request('INVITE'), { buildTrying })
  assert.equal(tx.state, 'proceeding')
  assert.deepEqual(taken(tx), ['to-tu INVITE'])
  tx.advance(199)
  assert.deepEqual(taken(tx), [])
  tx.advance(1)
  assert.deepEqual(taken(tx), ['send 100(INVITE)'])
  // The 100 is now the most recent provisional response: a retransmitted INVITE gets it again.
  tx.receive(request('INVITE', 'INVITE again'))
  assert.deepEqual(taken(tx), ['send 100(INVITE)'])
  assert.equal(tx.state, 'proceeding')
})

test('no 100 Trying when the TU answers within 200 ms', () => {
  const tx = new InviteServerTransaction(request('INVITE'), { buildTrying })
  tx.takeOutputs()
  tx.advance(150)
  assert.equal(tx.respond(response(180)), true)
  tx.advance(10_000)
  assert.deepEqual(taken(tx), ['send 180'])
  tx.receive(request('INVITE'))
  assert.deepEqual(taken(tx), ['send 180'])
})

test('a retransmitted INVITE before any provisional response is absorbed', () => {
  const tx = new InviteServerTransaction(request('INVITE'), { buildTrying })
  tx.takeOutputs()
  tx.advance(100)
  tx.receive(request('INVITE'))
  assert.deepEqual(taken(tx), [])
})

test('tryingDelayMs 0 sends 100 Trying at once', () => {
  const tx = new InviteServerTransaction(request('INVITE'), { buildTrying, tryingDelayMs: 0 })
  assert.deepEqual(taken(tx), ['to-tu INVITE', 'send 100(INVITE)'])
})

test('a non-2xx final is retransmitted by timer G (T1 doubling to T2) until timer H at 64·T1', () => {
  const tx = new InviteServerTransaction(request('INVITE'), { buildTrying })
  tx.takeOutputs()
  tx.respond(response(486))
  assert.equal(tx.state, 'completed')
  assert.deepEqual(runUntil(tx, 60_000), [
    '0 send 486',
    '500 send 486',
    '1500 send 486',
    '3500 send 486',
    '7500 send 486',
    '11500 send 486',
    '15500 send 486',
    '19500 send 486',
    '23500 send 486',
    '27500 send 486',
    '31500 send 486',
    '32000 timeout H',
    '32000 terminated',
  ])
})

test('in Completed a retransmitted INVITE gets the final response again', () => {
  const tx = new InviteServerTransaction(request('INVITE'), { buildTrying })
  tx.takeOutputs()
  tx.respond(response(180))
  tx.respond(response(404))
  tx.receive(request('INVITE'))
  assert.deepEqual(taken(tx), ['send 180', 'send 404', 'send 404'])
})

test('the ACK confirms: retransmissions stop, more ACKs are absorbed, timer I (T4) ends it', () => {
  const tx = new InviteServerTransaction(request('INVITE'), { buildTrying })
  tx.takeOutputs()
  tx.respond(response(603))
  tx.advance(600)
  assert.deepEqual(taken(tx), ['send 603', 'send 603'])
  tx.receive(request('ACK'))
  assert.equal(tx.state, 'confirmed')
  tx.receive(request('ACK'))
  tx.receive(request('INVITE'))
  assert.deepEqual(taken(tx), [])
  assert.deepEqual(runUntil(tx, 60_000), ['5600 terminated'])
})

test('a second final response, and any response after Completed, is refused', () => {
  const tx = new InviteServerTransaction(request('INVITE'), { buildTrying })
  tx.takeOutputs()
  assert.equal(tx.respond(response(480)), true)
  assert.equal(tx.respond(response(200)), false)
  assert.equal(tx.respond(response(180)), false)
  assert.deepEqual(taken(tx), ['send 480'])
})

test('a 2xx enters Accepted: INVITEs absorbed, the TU resends its 2xx, ACKs reach the TU, timer L ends it', () => {
  const tx = new InviteServerTransaction(request('INVITE'), { buildTrying })
  tx.takeOutputs()
  tx.advance(300)
  assert.equal(tx.respond(response(200)), true)
  assert.equal(tx.state, 'accepted')
  assert.deepEqual(taken(tx), ['send 100(INVITE)', 'send 200'])
  tx.receive(request('INVITE'))
  assert.deepEqual(taken(tx), [])
  // RFC 3261 §13.3.1.4: retransmitting the 2xx stays the TU's job; it goes out through here.
  assert.equal(tx.respond(response(200, '200 again')), true)
  assert.equal(tx.respond(response(500)), false)
  tx.receive(request('ACK'))
  assert.deepEqual(taken(tx), ['send 200 again', 'to-tu ACK'])
  assert.deepEqual(runUntil(tx, 60_000), ['32300 terminated'])
  assert.equal(tx.respond(response(200)), false)
})

test('over a reliable transport there is no timer G and the ACK ends the transaction at once', () => {
  const tx = new InviteServerTransaction(request('INVITE'), { buildTrying, reliable: true })
  tx.takeOutputs()
  tx.respond(response(486))
  tx.advance(10_000)
  assert.deepEqual(taken(tx), ['send 486'])
  tx.receive(request('ACK'))
  assert.deepEqual(taken(tx), ['terminated'])

  const noAck = new InviteServerTransaction(request('INVITE'), { buildTrying, reliable: true })
  noAck.respond(response(486))
  assert.deepEqual(runUntil(noAck, 60_000), [
    '0 to-tu INVITE',
    '0 send 486',
    '32000 timeout H',
    '32000 terminated',
  ])
})

test('a transport error ends an INVITE server transaction and tells the TU', () => {
  const tx = new InviteServerTransaction(request('INVITE'), { buildTrying })
  tx.takeOutputs()
  tx.respond(response(486))
  tx.transportError()
  assert.deepEqual(taken(tx), ['send 486', 'transport-error', 'terminated'])
  tx.advance(60_000)
  assert.deepEqual(taken(tx), [])
})

test('an INVITE server transaction starts only with an INVITE', () => {
  assert.throws(() => new InviteServerTransaction(request('ACK'), { buildTrying }), RangeError)
})

// ---- non-INVITE server transaction (RFC 3261 Figure 8) ----

test('the request goes to the TU; retransmissions in Trying are discarded', () => {
  const tx = new NonInviteServerTransaction(request('BYE'))
  assert.equal(tx.state, 'trying')
  assert.deepEqual(taken(tx), ['to-tu BYE'])
  tx.advance(500)
  tx.receive(request('BYE'))
  tx.advance(60_000)
  assert.deepEqual(taken(tx), [])
  assert.equal(tx.state, 'trying')
})

test('in Proceeding a retransmission gets the latest provisional response', () => {
  const tx = new NonInviteServerTransaction(request('REGISTER'))
  tx.takeOutputs()
  tx.respond(response(100))
  assert.equal(tx.state, 'proceeding')
  tx.respond(response(183))
  tx.receive(request('REGISTER'))
  assert.deepEqual(taken(tx), ['send 100', 'send 183', 'send 183'])
})

test('Completed resends the final response for each retransmission until timer J at 64·T1', () => {
  const tx = new NonInviteServerTransaction(request('OPTIONS'))
  tx.takeOutputs()
  tx.advance(1_000)
  tx.respond(response(200))
  assert.equal(tx.state, 'completed')
  assert.equal(tx.respond(response(500)), false)
  tx.advance(500)
  tx.receive(request('OPTIONS'))
  tx.receive(request('BYE'))
  assert.deepEqual(taken(tx), ['send 200', 'send 200'])
  assert.deepEqual(runUntil(tx, 60_000), ['33000 terminated'])
})

test('over a reliable transport timer J is zero', () => {
  const tx = new NonInviteServerTransaction(request('BYE'), { reliable: true })
  tx.takeOutputs()
  tx.respond(response(200))
  assert.deepEqual(taken(tx), ['send 200', 'terminated'])
})

test('timer J follows a configured T1', () => {
  const tx = new NonInviteServerTransaction(request('BYE'), { timers: { t1Ms: 250 } })
  tx.takeOutputs()
  tx.respond(response(481))
  assert.deepEqual(runUntil(tx, 60_000), ['0 send 481', '16000 terminated'])
})

test('a non-INVITE server transaction refuses INVITE and ACK', () => {
  assert.throws(() => new NonInviteServerTransaction(request('INVITE')), RangeError)
  assert.throws(() => new NonInviteServerTransaction(request('ACK')), RangeError)
})
