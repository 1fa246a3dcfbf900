import assert from 'node:assert/strict'
import { test } from 'node:test'

import { Dialog, dialogIdOfIncomingRequest, dialogKey } from '../../../src/telephony/sip/dialog.js'
import {
  BRANCH_MAGIC_COOKIE,
  parseCSeq,
  parseDigestCredentials,
  parseNameAddr,
  parseVia,
} from '../../../src/telephony/sip/sip-headers.js'
import {
  SipHeaders,
  checkMandatoryHeaders,
  parseSipMessage,
  serializeSipMessage,
  type SipRequest,
  type SipResponse,
} from '../../../src/telephony/sip/sip-message.js'
import {
  ALLOW_HEADER,
  cancelFor,
  newInvite,
  newRequest,
  randomSipIds,
  responseFor,
  withAuthorization,
  type OutOfDialogRequestOptions,
  type SipIdGenerator,
} from '../../../src/telephony/sip/request-factory.js'

/** Deterministic ids: branch-1, tag-1, call-1, … */
function countingIds(): SipIdGenerator {
  let n = 0
  return {
    branch: () => `${BRANCH_MAGIC_COOKIE}-b${++n}`,
    tag: () => `t${++n}`,
    callId: () => `c${++n}@test`,
  }
}

const utf8 = new TextEncoder()
const SDP = utf8.encode('v=0\r\n')

const INVITE_OPTIONS: OutOfDialogRequestOptions = {
  requestUri: 'sip:+15551234567@trunk.example.com',
  from: { uri: 'sip:faxd@192.0.2.1', displayName: 'Fax Server' },
  to: { uri: 'sip:+15551234567@trunk.example.com' },
  contact: 'sip:faxd@192.0.2.1:5060',
  localVia: { host: '192.0.2.1', port: 5060, transport: 'UDP', rport: true },
  body: SDP,
}

/** Round-trips through octets, as the far end would see it. */
function wire<T extends SipRequest | SipResponse>(message: T): T {
  const parsed = parseSipMessage(serializeSipMessage(message))
  checkMandatoryHeaders(parsed)
  return parsed as T
}

/** The far end's 200 to `invite`, with a Contact and the given Record-Route lines. */
function okTo(invite: SipRequest, recordRoute: readonly string[] = []): SipResponse {
  const extraHeaders: [string, string][] = recordRoute.map((rr) => ['Record-Route', rr])
  return wire(
    responseFor(invite, 200, 'OK', {
      toTag: 'far',
      contact: 'sip:uas@198.51.100.7:5070;transport=udp',
      extraHeaders,
    }),
  )
}

function uacDialog(recordRoute: readonly string[] = []) {
  const ids = countingIds()
  const invite = wire(newInvite(INVITE_OPTIONS, ids))
  const ok = okTo(invite, recordRoute)
  return { invite, ok, dialog: Dialog.fromInviteResponse(invite, ok, ids) }
}

// ---- §8.1.1 ----------------------------------------------------------------------------------

test('newInvite builds the §8.1.1 request: mandatory headers, ids from the generator', () => {
  const invite = wire(newInvite(INVITE_OPTIONS, countingIds()))
  assert.equal(invite.method, 'INVITE')
  assert.equal(invite.uri, 'sip:+15551234567@trunk.example.com')
  const m = checkMandatoryHeaders(invite)
  assert.equal(m.via.length, 1)
  assert.equal(m.via[0]?.branch, `${BRANCH_MAGIC_COOKIE}-b1`)
  assert.equal(m.via[0]?.rport, null)
  assert.equal(m.via[0]?.host, '192.0.2.1')
  assert.equal(m.via[0]?.transport, 'UDP')
  assert.equal(m.maxForwards, 70)
  assert.equal(m.from.tag, 't2')
  assert.equal(m.from.displayName, 'Fax Server')
  assert.equal(m.to.tag, undefined, '§8.1.1.2: no To tag outside a dialog')
  assert.equal(m.to.uri, INVITE_OPTIONS.to.uri)
  assert.equal(m.callId, 'c3@test')
  assert.deepEqual(m.cseq, { seq: 1, method: 'INVITE' })
  assert.equal(invite.headers.get('Contact'), '<sip:faxd@192.0.2.1:5060>')
  assert.equal(invite.headers.get('Allow'), 'INVITE')
  assert.deepEqual(invite.headers.getAll('Allow'), ['INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS'])
  assert.equal(invite.headers.get('Supported'), 'timer')
  assert.equal(invite.headers.get('Content-Type'), 'application/sdp')
  assert.deepEqual([...invite.body], [...SDP])
})

test('newInvite is deterministic with the same generator, and honours callId and extras', () => {
  const a = serializeSipMessage(newInvite(INVITE_OPTIONS, countingIds()))
  const b = serializeSipMessage(newInvite(INVITE_OPTIONS, countingIds()))
  assert.deepEqual(a, b)
  const invite = newInvite(
    {
      ...INVITE_OPTIONS,
      callId: 'given@host',
      body: undefined,
      route: ['<sip:outbound.example.com;lr>'],
      extraHeaders: [['User-Agent', 'faxd']],
    },
    countingIds(),
  )
  assert.equal(invite.headers.get('Call-ID'), 'given@host')
  assert.equal(invite.headers.get('Content-Type'), undefined)
  assert.equal(invite.headers.get('Route'), '<sip:outbound.example.com;lr>')
  assert.equal(invite.headers.get('User-Agent'), 'faxd')
  assert.equal(invite.body.length, 0)
})

test('the default generator gives fresh random ids with the magic cookie', () => {
  const a = checkMandatoryHeaders(newInvite(INVITE_OPTIONS))
  const b = checkMandatoryHeaders(newInvite(INVITE_OPTIONS))
  assert.ok(a.via[0]?.branch?.startsWith(BRANCH_MAGIC_COOKIE))
  assert.notEqual(a.via[0]?.branch, b.via[0]?.branch)
  assert.notEqual(a.from.tag, b.from.tag)
  assert.notEqual(a.callId, b.callId)
  assert.match(randomSipIds.tag(), /^[0-9a-f]{16}$/)
})

test('a generator whose branch lacks the magic cookie is refused', () => {
  const ids = { ...countingIds(), branch: () => 'abc' }
  assert.throws(() => newInvite(INVITE_OPTIONS, ids), /z9hG4bK/)
})

test('newRequest OPTIONS carries Allow and Supported; MESSAGE does not', () => {
  const options = newRequest('OPTIONS', { ...INVITE_OPTIONS, body: undefined }, countingIds())
  assert.equal(options.headers.getLines('Allow')[0], ALLOW_HEADER)
  assert.equal(parseCSeq(options.headers.get('CSeq') ?? '').method, 'OPTIONS')
  const message = newRequest('MESSAGE', INVITE_OPTIONS, countingIds())
  assert.equal(message.headers.has('Allow'), false)
})

// ---- §8.2.6 ----------------------------------------------------------------------------------

test('responseFor copies Via in order, From, Call-ID, CSeq and adds the To tag (not to 100)', () => {
  const invite = newInvite(INVITE_OPTIONS, countingIds())
  invite.headers.append('Via', 'SIP/2.0/UDP proxy.example.com;branch=z9hG4bKproxy')
  invite.headers.append('Timestamp', '54')
  invite.headers.append('Record-Route', '<sip:p1.example.com;lr>, <sip:p2.example.com;lr>')
  const trying = wire(responseFor(invite, 100, 'Trying', { toTag: 'mine' }))
  assert.equal(parseNameAddr(trying.headers.get('To') ?? '').tag, undefined)
  assert.equal(trying.headers.get('Timestamp'), '54')
  assert.equal(trying.headers.has('Record-Route'), false)
  const ok = wire(responseFor(invite, 200, 'OK', { toTag: 'mine', body: SDP }))
  assert.deepEqual(ok.headers.getAll('Via'), invite.headers.getAll('Via'))
  assert.equal(ok.headers.get('From'), invite.headers.get('From'))
  assert.equal(ok.headers.get('Call-ID'), invite.headers.get('Call-ID'))
  assert.equal(ok.headers.get('CSeq'), invite.headers.get('CSeq'))
  const to = parseNameAddr(ok.headers.get('To') ?? '')
  assert.equal(to.tag, 'mine')
  assert.equal(to.uri, INVITE_OPTIONS.to.uri)
  assert.deepEqual(ok.headers.getAll('Record-Route'), [
    '<sip:p1.example.com;lr>',
    '<sip:p2.example.com;lr>',
  ])
  assert.equal(ok.headers.has('Allow'), true)
  assert.equal(ok.headers.get('Content-Type'), 'application/sdp')
  assert.equal(ok.headers.has('Timestamp'), false)
})

test('responseFor keeps a To that already has a tag', () => {
  const { dialog } = uacDialog()
  const bye = dialog.createRequest('BYE')
  const ok = responseFor(bye, 200, 'OK', { toTag: 'other' })
  assert.equal(ok.headers.get('To'), bye.headers.get('To'))
})

// ---- §12.1.2 and §12.2.1.1 -------------------------------------------------------------------

test('a UAC dialog from the 2xx: id, remote target, local CSeq, empty route set', () => {
  const { invite, dialog } = uacDialog()
  assert.deepEqual(dialog.id, { callId: 'c3@test', localTag: 't2', remoteTag: 'far' })
  assert.equal(dialog.remoteTarget, 'sip:uas@198.51.100.7:5070;transport=udp')
  assert.equal(dialog.localSeq, 1)
  assert.equal(dialog.remoteSeq, undefined)
  assert.deepEqual(dialog.routeSet, [])
  assert.equal(dialog.secure, false)
  assert.equal(dialog.localContact, 'sip:faxd@192.0.2.1:5060')
  assert.equal(dialogKey(dialog.id), dialogKey({ ...dialog.id }))
  assert.equal(dialog.localSeq, parseCSeq(invite.headers.get('CSeq') ?? '').seq)
})

test('BYE in the dialog: next CSeq, remote target as Request-URI, tags, new branch', () => {
  const { invite, dialog } = uacDialog()
  const bye = wire(dialog.createRequest('BYE'))
  const m = checkMandatoryHeaders(bye)
  assert.equal(bye.uri, 'sip:uas@198.51.100.7:5070;transport=udp')
  assert.deepEqual(m.cseq, { seq: 2, method: 'BYE' })
  assert.equal(m.callId, 'c3@test')
  assert.equal(m.from.tag, 't2')
  assert.equal(m.from.displayName, 'Fax Server')
  assert.equal(m.to.tag, 'far')
  assert.equal(m.to.uri, INVITE_OPTIONS.to.uri)
  assert.equal(m.maxForwards, 70)
  assert.notEqual(m.via[0]?.branch, checkMandatoryHeaders(invite).via[0]?.branch)
  assert.ok(m.via[0]?.branch?.startsWith(BRANCH_MAGIC_COOKIE))
  assert.equal(m.via[0]?.rport, null, 'the Via keeps asking for rport as the INVITE did')
  assert.equal(bye.headers.has('Route'), false)
  assert.equal(bye.headers.has('Contact'), false)
  const info = dialog.createRequest('INFO', {
    body: utf8.encode('Signal=1'),
    contentType: 'application/dtmf-relay',
  })
  assert.equal(parseCSeq(info.headers.get('CSeq') ?? '').seq, 3)
  assert.equal(info.headers.get('Content-Type'), 'application/dtmf-relay')
  assert.equal(dialog.localSeq, 3)
})

test('re-INVITE and UPDATE carry Contact, Allow, Supported and the body', () => {
  const { dialog } = uacDialog()
  const reinvite = dialog.createRequest('INVITE', {
    body: SDP,
    extraHeaders: [['Session-Expires', '1800;refresher=uac']],
  })
  assert.equal(reinvite.headers.get('Contact'), '<sip:faxd@192.0.2.1:5060>')
  assert.equal(reinvite.headers.get('Supported'), 'timer')
  assert.equal(reinvite.headers.get('Content-Type'), 'application/sdp')
  assert.equal(reinvite.headers.get('Session-Expires'), '1800;refresher=uac')
  const update = dialog.createRequest('UPDATE')
  assert.equal(update.headers.has('Contact'), true)
  assert.throws(() => dialog.createRequest('ACK'), /createAck/)
  assert.throws(() => dialog.createRequest('CANCEL'), /cancelFor/)
})

const TWO_PROXIES = ['<sip:p2.example.com;lr>', '<sip:p1.example.com;lr;ftag=x>']

test('route set from Record-Route of a 2xx through two proxies is reversed; loose routing', () => {
  // Each proxy puts its Record-Route on top of the INVITE's (§16.6 step 4), and the UAS
  // copies them into the 200 in order: p1 is next to the UAS, p2 next to us.
  const recordRoute = ['<sip:p1.example.com;lr;ftag=x>', '<sip:p2.example.com;lr>']
  const { dialog } = uacDialog(recordRoute)
  assert.deepEqual(dialog.routeSet, TWO_PROXIES, '§12.1.2: in reverse order, params kept')
  const bye = wire(dialog.createRequest('BYE'))
  assert.equal(bye.uri, 'sip:uas@198.51.100.7:5070;transport=udp', 'loose: the remote target')
  assert.deepEqual(bye.headers.getAll('Route'), TWO_PROXIES)
  const ack = dialog.createAck(bye)
  assert.deepEqual(ack.headers.getAll('Route'), TWO_PROXIES)
})

test('Record-Route in one comma-joined line is reversed too', () => {
  const { dialog } = uacDialog(['<sip:p1.example.com;lr;ftag=x>, <sip:p2.example.com;lr>'])
  assert.deepEqual(dialog.routeSet, TWO_PROXIES)
})

test('strict routing: the first route goes in the Request-URI, the remote target last', () => {
  const { dialog } = uacDialog([
    '<sip:p1.example.com;lr>',
    '<sip:strict.example.com;transport=udp;method=INVITE?X-Hdr=1>',
  ])
  assert.deepEqual(dialog.routeSet, [
    '<sip:strict.example.com;transport=udp;method=INVITE?X-Hdr=1>',
    '<sip:p1.example.com;lr>',
  ])
  const bye = wire(dialog.createRequest('BYE'))
  assert.equal(
    bye.uri,
    'sip:strict.example.com;transport=udp',
    '§12.2.1.1: parameters not allowed in a Request-URI (method, headers) are stripped',
  )
  assert.deepEqual(bye.headers.getAll('Route'), [
    '<sip:p1.example.com;lr>',
    '<sip:uas@198.51.100.7:5070;transport=udp>',
  ])
})

test('strict routing with a single route: only the remote target in Route', () => {
  const { dialog } = uacDialog(['<sip:strict.example.com>'])
  const bye = dialog.createRequest('BYE')
  assert.equal(bye.uri, 'sip:strict.example.com')
  assert.deepEqual(bye.headers.getAll('Route'), ['<sip:uas@198.51.100.7:5070;transport=udp>'])
})

test('secure is set for a SIPS Request-URI sent over TLS', () => {
  const ids = countingIds()
  const invite = wire(
    newInvite(
      {
        ...INVITE_OPTIONS,
        requestUri: 'sips:fax@trunk.example.com',
        localVia: { host: '192.0.2.1', transport: 'TLS' },
      },
      ids,
    ),
  )
  const dialog = Dialog.fromInviteResponse(invite, okTo(invite), ids)
  assert.equal(dialog.secure, true)
  assert.equal(dialog.localVia.port, undefined)
  assert.equal(dialog.localVia.rport, undefined)
})

test('a dialog needs a 2xx with a Contact', () => {
  const invite = newInvite(INVITE_OPTIONS, countingIds())
  const ringing = responseFor(invite, 180, 'Ringing', { toTag: 'far' })
  assert.throws(() => Dialog.fromInviteResponse(invite, ringing), /2xx/)
  const ok = responseFor(invite, 200, 'OK', { toTag: 'far' })
  assert.throws(() => Dialog.fromInviteResponse(invite, ok), /Contact/)
})

// ---- §13.2.2.4 -------------------------------------------------------------------------------

test('ACK for the 2xx: CSeq number of the INVITE, method ACK, new branch, credentials copied', () => {
  const { invite, dialog } = uacDialog(['<sip:p1.example.com;lr>'])
  invite.headers.append('Proxy-Authorization', 'Digest username="u", realm="r"')
  const ack = wire(dialog.createAck(invite))
  const m = checkMandatoryHeaders(ack)
  assert.equal(ack.method, 'ACK')
  assert.equal(ack.uri, dialog.remoteTarget)
  assert.deepEqual(m.cseq, { seq: 1, method: 'ACK' })
  assert.notEqual(m.via[0]?.branch, checkMandatoryHeaders(invite).via[0]?.branch)
  assert.equal(m.to.tag, 'far')
  assert.equal(m.from.tag, 't2')
  assert.deepEqual(ack.headers.getAll('Route'), ['<sip:p1.example.com;lr>'])
  assert.equal(ack.headers.get('Proxy-Authorization'), 'Digest username="u", realm="r"')
  assert.equal(dialog.localSeq, 1, 'the ACK does not move the local CSeq')
  assert.equal(parseCSeq(dialog.createRequest('BYE').headers.get('CSeq') ?? '').seq, 2)
})

// ---- §12.1.1 and §12.2.2 ---------------------------------------------------------------------

/** An INVITE as the far end sends it to us, through two record-routing proxies. */
function incomingInvite(): SipRequest {
  const headers = new SipHeaders()
    .append('Via', 'SIP/2.0/UDP p1.example.com;branch=z9hG4bKp1')
    .append('Via', 'SIP/2.0/UDP caller.example.com:5062;branch=z9hG4bKc')
    .append('Max-Forwards', '68')
    .append('From', '"Caller" <sip:alice@example.com>;tag=a1')
    .append('To', '<sip:fax@192.0.2.1>')
    .append('Call-ID', 'in-1@example.com')
    .append('CSeq', '7 INVITE')
    .append('Record-Route', '<sip:p1.example.com;lr>')
    .append('Record-Route', '<sip:p2.example.com;lr>')
    .append('Contact', '<sip:alice@caller.example.com:5062>')
  return wire({ kind: 'request', method: 'INVITE', uri: 'sip:fax@192.0.2.1', headers, body: SDP })
}

function uasDialog(): { invite: SipRequest; dialog: Dialog } {
  const invite = incomingInvite()
  const dialog = Dialog.fromInviteRequest(
    invite,
    {
      localTag: 'ours',
      contact: 'sip:fax@192.0.2.1:5060',
      localVia: { host: '192.0.2.1', port: 5060, transport: 'UDP' },
    },
    countingIds(),
  )
  return { invite, dialog }
}

/** A request from the far end inside the UAS dialog. */
function fromFarEnd(method: string, seq: number, contact?: string): SipRequest {
  const headers = new SipHeaders()
    .append('Via', `SIP/2.0/UDP p1.example.com;branch=z9hG4bKp1-${method}-${seq}`)
    .append('Max-Forwards', '70')
    .append('From', '"Caller" <sip:alice@example.com>;tag=a1')
    .append('To', '<sip:fax@192.0.2.1>;tag=ours')
    .append('Call-ID', 'in-1@example.com')
    .append('CSeq', `${seq} ${method}`)
  if (contact !== undefined) {
    headers.append('Contact', contact)
  }
  return wire({
    kind: 'request',
    method,
    uri: 'sip:fax@192.0.2.1:5060',
    headers,
    body: new Uint8Array(),
  })
}

test('a UAS dialog from the INVITE: route set in order, remote target, remote CSeq, our tag', () => {
  const { invite, dialog } = uasDialog()
  assert.deepEqual(dialog.id, { callId: 'in-1@example.com', localTag: 'ours', remoteTag: 'a1' })
  assert.deepEqual(dialogIdOfIncomingRequest(fromFarEnd('BYE', 8)), dialog.id)
  assert.deepEqual(dialog.routeSet, ['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr>'])
  assert.equal(dialog.remoteTarget, 'sip:alice@caller.example.com:5062')
  assert.equal(dialog.remoteSeq, 7)
  assert.equal(dialog.localSeq, undefined)
  // Our BYE: From is our side (the INVITE's To) with our tag, To is theirs.
  const bye = wire(dialog.createRequest('BYE'))
  const m = checkMandatoryHeaders(bye)
  assert.equal(bye.uri, 'sip:alice@caller.example.com:5062')
  assert.deepEqual(bye.headers.getAll('Route'), dialog.routeSet)
  assert.equal(m.from.uri, 'sip:fax@192.0.2.1')
  assert.equal(m.from.tag, 'ours')
  assert.equal(m.to.uri, 'sip:alice@example.com')
  assert.equal(m.to.displayName, 'Caller')
  assert.equal(m.to.tag, 'a1')
  assert.deepEqual(m.cseq, { seq: 1, method: 'BYE' })
  assert.equal(parseVia(bye.headers.get('Via') ?? '').host, '192.0.2.1')
  // The 200 we send to the INVITE copies the Record-Route as it came.
  const ok = responseFor(invite, 200, 'OK', { toTag: 'ours', contact: dialog.localContact })
  assert.deepEqual(ok.headers.getAll('Record-Route'), dialog.routeSet)
})

test('initialLocalCSeq sets the first CSeq of the UAS side', () => {
  const dialog = Dialog.fromInviteRequest(incomingInvite(), {
    localTag: 'ours',
    contact: 'sip:fax@192.0.2.1',
    localVia: { host: '192.0.2.1', transport: 'UDP' },
    initialLocalCSeq: 100,
  })
  assert.equal(parseCSeq(dialog.createRequest('BYE').headers.get('CSeq') ?? '').seq, 100)
})

test('§12.2.2: higher CSeq is in order; lower or equal gets 500; ACK and CANCEL skip the check', () => {
  const { dialog } = uasDialog()
  assert.equal(dialog.receiveRequest(fromFarEnd('ACK', 7)).action, 'ack')
  assert.deepEqual(dialog.receiveRequest(fromFarEnd('INFO', 8)), {
    action: 'process',
    targetRefreshed: false,
  })
  assert.equal(dialog.remoteSeq, 8)
  for (const seq of [8, 5]) {
    const verdict = dialog.receiveRequest(fromFarEnd('INFO', seq))
    assert.equal(verdict.action, 'reject')
    assert.ok(verdict.action === 'reject')
    assert.equal(verdict.response.status, 500)
    assert.equal(verdict.response.headers.get('CSeq'), `${seq} INFO`)
    assert.equal(parseNameAddr(verdict.response.headers.get('To') ?? '').tag, 'ours')
  }
  assert.equal(dialog.remoteSeq, 8, 'a rejected request leaves the remote CSeq alone')
  assert.equal(dialog.receiveRequest(fromFarEnd('CANCEL', 3)).action, 'process')
  // Numbers may jump (§12.2.2 only needs them higher).
  assert.equal(dialog.receiveRequest(fromFarEnd('OPTIONS', 20)).action, 'process')
  assert.equal(dialog.remoteSeq, 20)
})

test('the remote CSeq starts empty on the UAC side: any first number is in order', () => {
  const { dialog } = uacDialog()
  const headers = new SipHeaders()
    .append('Via', 'SIP/2.0/UDP 198.51.100.7:5070;branch=z9hG4bKx')
    .append('Max-Forwards', '70')
    .append('From', '<sip:+15551234567@trunk.example.com>;tag=far')
    .append('To', '"Fax Server" <sip:faxd@192.0.2.1>;tag=t2')
    .append('Call-ID', 'c3@test')
    .append('CSeq', '4711 BYE')
  const bye: SipRequest = {
    kind: 'request',
    method: 'BYE',
    uri: 'sip:faxd@192.0.2.1',
    headers,
    body: new Uint8Array(),
  }
  const verdict = dialog.receiveRequest(bye)
  assert.equal(verdict.action, 'bye')
  assert.ok(verdict.action === 'bye')
  assert.equal(verdict.response.status, 200)
  assert.equal(dialog.remoteSeq, 4711)
  assert.equal(dialog.terminated, true)
})

test('a re-INVITE from the far end refreshes the remote target', () => {
  const { dialog } = uasDialog()
  const verdict = dialog.receiveRequest(fromFarEnd('INVITE', 8, '<sip:alice@new.example.com>'))
  assert.deepEqual(verdict, { action: 'process', targetRefreshed: true })
  assert.equal(dialog.remoteTarget, 'sip:alice@new.example.com')
  assert.equal(dialog.createRequest('BYE').uri, 'sip:alice@new.example.com')
  // INFO with a Contact is not a target refresh.
  dialog.receiveRequest(fromFarEnd('INFO', 9, '<sip:alice@other.example.com>'))
  assert.equal(dialog.remoteTarget, 'sip:alice@new.example.com')
})

test('a request of another dialog is answered 481', () => {
  const { dialog } = uasDialog()
  const stray = fromFarEnd('BYE', 9)
  stray.headers.set('From', '<sip:alice@example.com>;tag=other')
  const verdict = dialog.receiveRequest(stray)
  assert.ok(verdict.action === 'reject')
  assert.equal(verdict.response.status, 481)
  assert.equal(dialog.terminated, false)
})

test('§12.2.1.2: a 2xx to our re-INVITE refreshes the target; 481 ends the dialog', () => {
  const { dialog } = uacDialog()
  const reinvite = dialog.createRequest('INVITE', { body: SDP })
  const ok = responseFor(reinvite, 200, 'OK', { contact: 'sip:uas@203.0.113.9' })
  dialog.receiveResponse(reinvite, ok)
  assert.equal(dialog.remoteTarget, 'sip:uas@203.0.113.9')
  const info = dialog.createRequest('INFO')
  dialog.receiveResponse(info, responseFor(info, 481, 'Call/Transaction Does Not Exist'))
  assert.equal(dialog.terminated, true)
})

// ---- §9.1 ------------------------------------------------------------------------------------

test('cancelFor copies Request-URI, Call-ID, To, From, CSeq number, the top Via and Route', () => {
  const invite = newInvite(
    { ...INVITE_OPTIONS, route: ['<sip:outbound.example.com;lr>'] },
    countingIds(),
  )
  const cancel = wire(cancelFor(invite))
  assert.equal(cancel.method, 'CANCEL')
  assert.equal(cancel.uri, invite.uri)
  for (const name of ['Call-ID', 'To', 'From', 'Via', 'Route']) {
    assert.equal(cancel.headers.get(name), invite.headers.get(name), name)
  }
  assert.equal(cancel.headers.getAll('Via').length, 1)
  assert.equal(cancel.headers.get('CSeq'), '1 CANCEL')
  assert.equal(cancel.headers.get('Max-Forwards'), '70')
  assert.equal(cancel.body.length, 0)
  assert.equal(cancel.headers.has('Content-Type'), false)
  assert.equal(cancel.headers.has('Contact'), false)
  assert.throws(() => cancelFor(cancel), /only an INVITE/)
})

// ---- §22.2 -----------------------------------------------------------------------------------

const CREDENTIALS = { username: 'Mufasa', password: 'Circle Of Life' }

function challenge(invite: SipRequest, status: 401 | 407, realms: readonly string[]): SipResponse {
  const header = status === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate'
  return wire(
    responseFor(invite, status, status === 401 ? 'Unauthorized' : 'Proxy Authentication Required', {
      toTag: 'x',
      extraHeaders: realms.map((realm) => [
        header,
        `Digest realm="${realm}", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41", qop="auth,auth-int"`,
      ]),
    }),
  )
}

test('withAuthorization after 401: same Call-ID, From tag, To, Request-URI; CSeq+1; new branch', () => {
  const ids = countingIds()
  const invite = wire(newInvite(INVITE_OPTIONS, ids))
  const again = withAuthorization(
    invite,
    challenge(invite, 401, ['biloxi.com']),
    CREDENTIALS,
    1,
    '0a4f113b',
    { ids },
  )
  assert.ok(again !== null)
  const before = checkMandatoryHeaders(invite)
  const after = checkMandatoryHeaders(wire(again))
  assert.equal(again.uri, invite.uri)
  assert.equal(after.callId, before.callId)
  assert.equal(after.from.tag, before.from.tag)
  assert.equal(again.headers.get('To'), invite.headers.get('To'))
  assert.deepEqual(after.cseq, { seq: 2, method: 'INVITE' })
  assert.notEqual(after.via[0]?.branch, before.via[0]?.branch)
  assert.equal(after.via[0]?.rport, null, 'other Via parameters kept')
  assert.deepEqual([...again.body], [...invite.body])
  assert.equal(again.headers.has('Proxy-Authorization'), false)
  const credentials = parseDigestCredentials(again.headers.get('Authorization') ?? '')
  assert.equal(credentials.username, 'Mufasa')
  assert.equal(credentials.realm, 'biloxi.com')
  assert.equal(credentials.nonce, 'dcd98b7102dd2f0e8b11d0f600bfb0c093')
  assert.equal(credentials.uri, invite.uri)
  assert.equal(credentials.qop, 'auth')
  assert.equal(credentials.nc, '00000001')
  assert.equal(credentials.cnonce, '0a4f113b')
  assert.equal(credentials.opaque, '5ccc069c403ebaf9f0171e9517f40e41')
  assert.match(credentials.response, /^[0-9a-f]{32}$/)
  // The original is left alone.
  assert.equal(invite.headers.has('Authorization'), false)
})

test('withAuthorization after 407 answers with Proxy-Authorization and keeps other realms', () => {
  const invite = newInvite(INVITE_OPTIONS, countingIds())
  const first = withAuthorization(invite, challenge(invite, 407, ['proxy-a']), CREDENTIALS, 1, 'c1')
  assert.ok(first !== null)
  assert.equal(first.headers.has('Authorization'), false)
  // A second proxy asks for its realm; the stale first nonce is also re-answered.
  const second = withAuthorization(first, challenge(first, 407, ['proxy-b']), CREDENTIALS, 1, 'c2')
  assert.ok(second !== null)
  assert.deepEqual(
    second.headers.getLines('Proxy-Authorization').map((v) => parseDigestCredentials(v).realm),
    ['proxy-a', 'proxy-b'],
  )
  assert.equal(parseCSeq(second.headers.get('CSeq') ?? '').seq, 3)
  const third = withAuthorization(second, challenge(second, 407, ['proxy-a']), CREDENTIALS, 2, 'c3')
  assert.ok(third !== null)
  const lines = third.headers.getLines('Proxy-Authorization').map(parseDigestCredentials)
  assert.deepEqual(
    lines.map((c) => [c.realm, c.nc]),
    [
      ['proxy-b', '00000001'],
      ['proxy-a', '00000002'],
    ],
  )
})

test('withAuthorization gives null for a challenge it cannot answer', () => {
  const invite = newInvite(INVITE_OPTIONS, countingIds())
  const basic = responseFor(invite, 401, 'Unauthorized', {
    extraHeaders: [['WWW-Authenticate', 'Basic realm="x"']],
  })
  assert.equal(withAuthorization(invite, basic, CREDENTIALS, 1, 'c'), null)
  const sha512 = responseFor(invite, 401, 'Unauthorized', {
    extraHeaders: [['WWW-Authenticate', 'Digest realm="x", nonce="n", algorithm=SHA-512-256']],
  })
  assert.equal(withAuthorization(invite, sha512, CREDENTIALS, 1, 'c'), null)
  const none = responseFor(invite, 401, 'Unauthorized')
  assert.equal(withAuthorization(invite, none, CREDENTIALS, 1, 'c'), null)
  // With an unusable challenge first and a usable one after, the usable one is answered.
  const mixed = responseFor(invite, 401, 'Unauthorized', {
    extraHeaders: [
      ['WWW-Authenticate', 'Basic realm="x"'],
      ['WWW-Authenticate', 'Digest realm="y", nonce="n"'],
    ],
  })
  const again = withAuthorization(invite, mixed, CREDENTIALS, 1, 'c')
  assert.ok(again !== null)
  const credentials = parseDigestCredentials(again.headers.get('Authorization') ?? '')
  assert.equal(credentials.realm, 'y')
  assert.equal(credentials.qop, undefined, 'RFC 2069 form without qop')
})

test('a BYE challenged in the dialog is re-issued under the next local CSeq', () => {
  const { dialog } = uacDialog()
  const bye = dialog.createRequest('BYE')
  const again = dialog.withAuthorization(bye, challenge(bye, 401, ['trunk']), CREDENTIALS, 1, 'c')
  assert.ok(again !== null)
  assert.equal(again.headers.get('CSeq'), '3 BYE')
  assert.equal(again.uri, bye.uri)
  assert.equal(dialog.localSeq, 3)
  assert.equal(parseDigestCredentials(again.headers.get('Authorization') ?? '').uri, bye.uri)
})
