import assert from 'node:assert/strict'
import { test } from 'node:test'

import {
  type ServerMatchFields,
  cancelTargetKey,
  clientTransactionKey,
  isRfc3261Branch,
  serverTransactionKey,
} from '../../../src/telephony/sip/transaction-key.js'

/** An INVITE from a trunk as §17.2.3 sees it; the tests change one field at a time. */
const INVITE: ServerMatchFields = {
  method: 'INVITE',
  branch: 'z9hG4bK776asdhds',
  sentBy: 'trunk.example.net:5060',
  requestUri: 'sip:+15550100@faxd.example.com',
  callId: 'a84b4c76e66710@trunk.example.net',
  fromTag: '1928301774',
  cseqNumber: 314159,
}

test('a response matches the client transaction with its top Via branch and CSeq method', () => {
  const sent = clientTransactionKey({ branch: 'z9hG4bKnashds8', method: 'INVITE' })
  assert.equal(clientTransactionKey({ branch: 'z9hG4bKnashds8', method: 'INVITE' }), sent)
  assert.notEqual(clientTransactionKey({ branch: 'z9hG4bKnashds9', method: 'INVITE' }), sent)
})

test('the response to a CANCEL shares the INVITE branch but not its client transaction', () => {
  const invite = clientTransactionKey({ branch: 'z9hG4bKnashds8', method: 'INVITE' })
  const cancel = clientTransactionKey({ branch: 'z9hG4bKnashds8', method: 'CANCEL' })
  assert.notEqual(cancel, invite)
})

test('a retransmitted request matches its server transaction', () => {
  assert.equal(serverTransactionKey({ ...INVITE }), serverTransactionKey(INVITE))
})

test('the ACK for a non-2xx matches the INVITE server transaction', () => {
  // §17.1.1.3: that ACK has the INVITE's top Via (same branch) and the response's To tag.
  const ack = { ...INVITE, method: 'ACK' }
  assert.equal(serverTransactionKey(ack), serverTransactionKey(INVITE))
})

test('the ACK for a 2xx, with a branch of its own, matches no INVITE transaction', () => {
  const ack = { ...INVITE, method: 'ACK', branch: 'z9hG4bK5ee2a1' }
  assert.notEqual(serverTransactionKey(ack), serverTransactionKey(INVITE))
})

test('a CANCEL has a server transaction of its own and points at the INVITE it cancels', () => {
  const cancel = { ...INVITE, method: 'CANCEL' }
  assert.notEqual(serverTransactionKey(cancel), serverTransactionKey(INVITE))
  assert.equal(cancelTargetKey(cancel), serverTransactionKey(INVITE))
  // A CANCEL for some other INVITE (another branch) finds nothing to cancel: 481.
  assert.notEqual(
    cancelTargetKey({ ...cancel, branch: 'z9hG4bKother' }),
    serverTransactionKey(INVITE),
  )
})

test('the same branch from another sent-by is another transaction', () => {
  assert.notEqual(
    serverTransactionKey({ ...INVITE, sentBy: 'evil.example.org:5060' }),
    serverTransactionKey(INVITE),
  )
  assert.notEqual(
    serverTransactionKey({ ...INVITE, sentBy: 'trunk.example.net:5070' }),
    serverTransactionKey(INVITE),
  )
})

test('sent-by hosts compare without regard to case; branches compare exactly', () => {
  assert.equal(
    serverTransactionKey({ ...INVITE, sentBy: 'TRUNK.Example.NET:5060' }),
    serverTransactionKey(INVITE),
  )
  assert.notEqual(
    serverTransactionKey({ ...INVITE, branch: 'z9hG4bK776ASDHDS' }),
    serverTransactionKey(INVITE),
  )
})

test('with an RFC 3261 branch, Call-ID, From tag, CSeq and Request-URI do not enter the key', () => {
  const other = { ...INVITE, callId: 'x', fromTag: 'y', cseqNumber: 1, requestUri: 'sip:z' }
  assert.equal(serverTransactionKey(other), serverTransactionKey(INVITE))
})

test('a request of another method with the same branch is another transaction', () => {
  assert.notEqual(serverTransactionKey({ ...INVITE, method: 'BYE' }), serverTransactionKey(INVITE))
})

test('RFC 2543 requests (no magic cookie) match on Request-URI, From tag, Call-ID, CSeq and Via', () => {
  const invite: ServerMatchFields = { ...INVITE, branch: undefined }
  assert.equal(isRfc3261Branch(invite.branch), false)
  assert.equal(serverTransactionKey({ ...invite }), serverTransactionKey(invite))
  // Its ACK for a non-2xx has the same CSeq number, so it matches.
  assert.equal(serverTransactionKey({ ...invite, method: 'ACK' }), serverTransactionKey(invite))
  assert.equal(cancelTargetKey({ ...invite, method: 'CANCEL' }), serverTransactionKey(invite))
  // A re-INVITE in the same call (next CSeq) is a new transaction.
  assert.notEqual(
    serverTransactionKey({ ...invite, cseqNumber: invite.cseqNumber + 1 }),
    serverTransactionKey(invite),
  )
  for (const change of [
    { callId: 'other@trunk' },
    { fromTag: 'other' },
    { requestUri: 'sip:other@faxd.example.com' },
    { sentBy: 'other.example.net' },
  ]) {
    assert.notEqual(serverTransactionKey({ ...invite, ...change }), serverTransactionKey(invite))
  }
  // An old-style branch without the cookie is matched the RFC 2543 way too.
  const oldBranch = { ...invite, branch: '776asdhds' }
  assert.equal(isRfc3261Branch(oldBranch.branch), false)
  assert.notEqual(
    serverTransactionKey({ ...oldBranch, callId: 'other' }),
    serverTransactionKey(oldBranch),
  )
})

test('server and client keys never collide', () => {
  const client = clientTransactionKey({ branch: INVITE.branch!, method: 'INVITE' })
  assert.notEqual(client, serverTransactionKey(INVITE))
})

test('recognises the RFC 3261 magic cookie', () => {
  assert.equal(isRfc3261Branch('z9hG4bK74bf9'), true)
  assert.equal(isRfc3261Branch('74bf9'), false)
  assert.equal(isRfc3261Branch(undefined), false)
})
