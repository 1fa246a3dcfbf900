/**
 * Our SIP message layer (sip-message.ts, sip-headers.ts) and SDP modules against SIPp over
 * real UDP on loopback, before any dialog or transaction code is built on them:
 *
 * - SIPp's built-in `uac` calls a minimal UAS written here on a node:dgram socket. Every
 *   datagram SIPp sends must parse and carry valid mandatory headers; the responses are built
 *   with SipHeaders and serializeSipMessage as RFC 3261 §8.2.6 says, and SIPp must count every
 *   call as successful.
 * - A minimal UAC written here calls SIPp's built-in `uas` (INVITE → 180 → 200 → ACK → BYE →
 *   200), and then our own scenario test/interop/sipp/uas-accept-t38-in-invite.xml, offering
 *   audio plus T.38 in the INVITE and reading SIPp's T.38 answer with our SDP modules.
 *
 * The minimal UA is just enough SIP to drive SIPp: no transactions (a request is resent every
 * T1 until a response comes, and the INVITE server resends its last response to a resent
 * INVITE), no 2xx retransmission by the UAS (SIPp's INVITE retransmissions cover a lost 200 on
 * loopback), and no dialog state beyond tags and the remote target.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { type RemoteInfo, type Socket, createSocket } from 'node:dgram'
import { fileURLToPath } from 'node:url'
import { test } from 'node:test'
import { formatSdp, parseSdp, type SessionDescription } from '../../src/telephony/sip/sdp.js'
import {
  answerMedia,
  audioAnswer,
  audioOffer,
  createLocalDescription,
  isAudioRefusal,
  localSessionDescription,
  readAudioStream,
} from '../../src/telephony/sip/sdp-offer-answer.js'
import {
  BRANCH_MAGIC_COOKIE,
  formatCSeq,
  formatNameAddr,
  formatVia,
  parseNameAddr,
} from '../../src/telephony/sip/sip-headers.js'
import {
  type MandatoryHeaders,
  type SipMessage,
  type SipRequest,
  type SipResponse,
  SipHeaders,
  checkMandatoryHeaders,
  parseSipMessage,
  serializeSipMessage,
} from '../../src/telephony/sip/sip-message.js'
import {
  DEFAULT_T38_CAPABILITIES,
  buildT38Media,
  isT38Refusal,
  negotiateT38,
  readT38Stream,
  t38Offer,
} from '../../src/telephony/sip/t38-sdp.js'
import { type SippResult, runSipp, startSipp } from '../support/sipp.js'

const HOST = '127.0.0.1'
/** RFC 3261 T1: the minimal UAC resends a request this often until a response comes. */
const RESEND_MS = 500
/** How long the UAC waits for one response before the test fails. */
const RESPONSE_TIMEOUT_MS = 5000
const T38_SCENARIO = fileURLToPath(new URL('sipp/uas-accept-t38-in-invite.xml', import.meta.url))
const utf8 = new TextEncoder()
const text = new TextDecoder()

interface Received {
  readonly message: SipMessage
  readonly mandatory: MandatoryHeaders
  readonly from: RemoteInfo
}

/** A node:dgram socket on loopback that parses and checks every datagram it gets. */
class SipSocket {
  readonly socket: Socket
  readonly received: Received[] = []
  /** Datagrams that did not parse, lacked a mandatory header, or broke a handler, with why. */
  readonly rejected: string[] = []
  #listeners: ((received: Received) => void)[] = []

  private constructor(socket: Socket) {
    this.socket = socket
    socket.on('message', (octets, from) => {
      if (octets.toString('latin1').trim() === '') {
        return // a keep-alive CRLF (RFC 5626 §4.4.1), not a message
      }
      let received: Received
      try {
        const message = parseSipMessage(octets)
        received = { message, mandatory: checkMandatoryHeaders(message), from }
      } catch (error) {
        this.rejected.push(`${(error as Error).message}\n${octets.toString('latin1')}`)
        return
      }
      this.received.push(received)
      for (const listener of this.#listeners) {
        try {
          listener(received)
        } catch (error) {
          // Thrown in a socket callback it would end the process, not fail the test.
          this.rejected.push(`handling it failed: ${(error as Error).message}`)
        }
      }
    })
  }

  static async open(): Promise<SipSocket> {
    const socket = createSocket('udp4')
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject)
      socket.bind(0, HOST, () => {
        socket.off('error', reject)
        resolve()
      })
    })
    return new SipSocket(socket)
  }

  get port(): number {
    return this.socket.address().port
  }

  onMessage(listener: (received: Received) => void): void {
    this.#listeners.push(listener)
  }

  offMessage(listener: (received: Received) => void): void {
    this.#listeners = this.#listeners.filter((l) => l !== listener)
  }

  send(message: SipMessage, port: number, host = HOST): void {
    this.socket.send(serializeSipMessage(message), port, host)
  }

  close(): void {
    this.socket.close()
  }
}

function newToken(): string {
  return randomBytes(6).toString('hex')
}

function newBranch(): string {
  return `${BRANCH_MAGIC_COOKIE}${newToken()}`
}

function bodyText(message: SipMessage): string {
  return text.decode(message.body)
}

/** Our description as octets: o/s/c/t lines around the given m lines (sdp-offer-answer.ts). */
function sdpBody(media: Parameters<typeof createLocalDescription>[0]['media']): Uint8Array {
  const local = createLocalDescription({
    sessionId: BigInt(Date.now()),
    connection: { addressType: 'IP4', address: HOST },
    media,
  })
  return utf8.encode(formatSdp(localSessionDescription(local)))
}

// ---- the minimal UAS -----------------------------------------------------------------------

/**
 * RFC 3261 §8.2.6.2: "The From field of the response MUST equal the From header field of the
 * request. The Call-ID header field of the response MUST equal the Call-ID header field of
 * the request. The CSeq header field of the response MUST equal the CSeq field of the
 * request. The Via header field values in the response MUST equal the Via header field
 * values in the request and MUST maintain the same ordering." And the To: "If a request
 * contained a To tag in the request, the To header field in the response MUST equal that of
 * the request. However, if the To header field in the request did not contain a tag, the URI
 * in the To header field in the response MUST equal the URI in the To header field;
 * additionally, the UAS MUST add a tag to the To header field in the response".
 */
function responseTo(
  request: Received,
  status: number,
  reason: string,
  options: { toTag?: string; contact?: string; sdp?: Uint8Array } = {},
): SipResponse {
  const headers = new SipHeaders()
  for (const via of request.message.headers.getLines('Via')) {
    headers.append('Via', via)
  }
  headers.append('From', request.message.headers.get('From') ?? '')
  const to = request.mandatory.to
  headers.append(
    'To',
    to.tag !== undefined || options.toTag === undefined
      ? (request.message.headers.get('To') ?? '')
      : formatNameAddr({ ...to, tag: options.toTag }),
  )
  headers.append('Call-ID', request.mandatory.callId)
  headers.append('CSeq', formatCSeq(request.mandatory.cseq))
  if (options.contact !== undefined) {
    headers.append('Contact', options.contact)
  }
  if (options.sdp !== undefined) {
    headers.append('Content-Type', 'application/sdp')
  }
  return { kind: 'response', status, reason, headers, body: options.sdp ?? new Uint8Array() }
}

/**
 * §18.2.2: a response over UDP goes to the top Via's `received` address (else its sent-by
 * host) and its `rport` (RFC 3581), else its sent-by port, else 5060.
 */
function responseDestination(mandatory: MandatoryHeaders): { host: string; port: number } {
  const top = mandatory.via[0]
  assert.ok(top !== undefined)
  const port = typeof top.rport === 'number' ? top.rport : (top.port ?? 5060)
  return { host: top.received ?? top.host, port }
}

interface UasCall {
  readonly tag: string
  lastInviteResponse?: SipResponse
  acked: boolean
  byeAnswered: boolean
}

/** Answers every INVITE with 100, 180 and a 200 with an audio answer; takes ACK; answers BYE. */
function answerCalls(sip: SipSocket): Map<string, UasCall> {
  const calls = new Map<string, UasCall>()
  const contact = formatNameAddr({ uri: `sip:faxd@${HOST}:${sip.port}` })
  sip.onMessage((received) => {
    const { message, mandatory } = received
    if (message.kind !== 'request') {
      return
    }
    const { host, port } = responseDestination(mandatory)
    const reply = (response: SipResponse): void => {
      sip.send(response, port, host)
    }
    const call = calls.get(mandatory.callId)
    switch (message.method) {
      case 'INVITE': {
        if (call?.lastInviteResponse !== undefined) {
          reply(call.lastInviteResponse) // §17.2.1: a resent INVITE gets the last response again
          return
        }
        const tag = newToken()
        reply(responseTo(received, 100, 'Trying'))
        reply(responseTo(received, 180, 'Ringing', { toTag: tag, contact }))
        const offer = parseSdp(bodyText(message))
        const offered = readAudioStream(offer)
        assert.ok(!isAudioRefusal(offered), `SIPp's offer: ${JSON.stringify(offered)}`)
        const answer = sdpBody(answerMedia(offer, offered.index, audioAnswer(offered, 40_000)))
        const ok = responseTo(received, 200, 'OK', { toTag: tag, contact, sdp: answer })
        calls.set(mandatory.callId, {
          tag,
          lastInviteResponse: ok,
          acked: false,
          byeAnswered: false,
        })
        reply(ok)
        return
      }
      case 'ACK':
        if (call !== undefined) {
          call.acked = true
        }
        return
      case 'BYE':
        reply(
          responseTo(
            received,
            call === undefined ? 481 : 200,
            call === undefined ? 'Call/Transaction Does Not Exist' : 'OK',
          ),
        )
        if (call !== undefined) {
          call.byeAnswered = true
        }
        return
      default:
        reply(responseTo(received, 501, 'Not Implemented'))
    }
  })
  return calls
}

test('SIPp uac places 5 calls to our minimal UAS; every message parses and all calls succeed', async () => {
  const sip = await SipSocket.open()
  try {
    const calls = answerCalls(sip)
    const result = await runSipp({
      scenario: { builtIn: 'uac' },
      remote: { host: HOST, port: sip.port },
      calls: 5,
      callsPerSecond: 50,
      timeoutSeconds: 8,
    })
    assertAllSucceeded(result, 5)
    assert.deepEqual(sip.rejected, [], 'every datagram from SIPp parses and checks')
    const methods = sip.received.map(({ message }) =>
      message.kind === 'request' ? message.method : String(message.status),
    )
    for (const method of ['INVITE', 'ACK', 'BYE']) {
      // Counted by call: a busy machine may make SIPp resend one after 500 ms.
      const callIds = sip.received
        .filter(({ message }) => message.kind === 'request' && message.method === method)
        .map(({ mandatory }) => mandatory.callId)
      assert.equal(
        new Set(callIds).size,
        5,
        `an ${method} in each of 5 calls: ${methods.join(' ')}`,
      )
    }
    assert.equal(calls.size, 5)
    for (const [callId, call] of calls) {
      assert.ok(call.acked && call.byeAnswered, `call ${callId} was acknowledged and ended`)
    }
    for (const { message, mandatory, from } of sip.received) {
      // Where §18.2.2 sends our responses is where SIPp sends from.
      assert.deepEqual(responseDestination(mandatory), { host: from.address, port: from.port })
      assert.equal(mandatory.maxForwards, 70)
      if (message.kind === 'request' && message.method === 'INVITE') {
        assert.equal(message.headers.get('Content-Type'), 'application/sdp')
      }
    }
    // SIPp logged our responses as it received them.
    assert.ok(
      countOf(result.messageLog, /^SIP\/2\.0 200 OK/gm) >= 10,
      'SIPp got the 200s to 5 INVITEs and 5 BYEs',
    )
  } finally {
    sip.close()
  }
})

// ---- the minimal UAC -----------------------------------------------------------------------

interface UacDialog {
  readonly callId: string
  readonly responses: readonly SipResponse[]
  readonly answer: SessionDescription
}

/** Sends `request` (again every RESEND_MS until any response) and waits for its final one. */
async function transact(
  sip: SipSocket,
  request: SipRequest,
  port: number,
  seen: SipResponse[],
): Promise<SipResponse> {
  const callId = request.headers.get('Call-ID')
  const cseq = request.headers.get('CSeq')
  return new Promise<SipResponse>((resolve, reject) => {
    let answered = false
    const resend = setInterval(() => {
      if (!answered) {
        sip.send(request, port)
      }
    }, RESEND_MS)
    const timeout = setTimeout(() => {
      finish()
      reject(new Error(`no final response to ${request.method} ${String(callId)}`))
    }, RESPONSE_TIMEOUT_MS)
    const finish = (): void => {
      clearInterval(resend)
      clearTimeout(timeout)
      sip.offMessage(onResponse)
    }
    const onResponse = ({ message }: Received): void => {
      if (
        message.kind !== 'response' ||
        message.headers.get('Call-ID') !== callId ||
        message.headers.get('CSeq') !== cseq
      ) {
        return
      }
      answered = true
      seen.push(message)
      if (message.status >= 200) {
        finish()
        resolve(message)
      }
    }
    sip.onMessage(onResponse)
    sip.send(request, port)
  })
}

/**
 * INVITE with an audio offer and an image (T.38) offer, the 200, an ACK for it (§13.2.2.4: a
 * new transaction, CSeq number of the INVITE, To with the answer's tag, to the Contact), and
 * a BYE in the same dialog (CSeq one higher).
 */
async function callOnce(sip: SipSocket, sippPort: number): Promise<UacDialog> {
  const callId = `${newToken()}@${HOST}`
  const ourTag = newToken()
  const from = formatNameAddr({
    displayName: 'faxd',
    uri: `sip:faxd@${HOST}:${sip.port}`,
    tag: ourTag,
  })
  const target = `sip:service@${HOST}:${sippPort}`
  const request = (
    method: string,
    uri: string,
    seq: number,
    to: string,
    body?: Uint8Array,
  ): SipRequest => {
    const headers = new SipHeaders()
      .append(
        'Via',
        formatVia({
          transport: 'UDP',
          host: HOST,
          port: sip.port,
          branch: newBranch(),
          rport: null,
        }),
      )
      .append('Max-Forwards', '70')
      .append('From', from)
      .append('To', to)
      .append('Call-ID', callId)
      .append('CSeq', formatCSeq({ seq, method }))
      .append('Contact', formatNameAddr({ uri: `sip:faxd@${HOST}:${sip.port}` }))
    if (body !== undefined) {
      headers.append('Content-Type', 'application/sdp')
    }
    return { kind: 'request', method, uri, headers, body: body ?? new Uint8Array() }
  }
  const offer = sdpBody([
    audioOffer(40_000),
    buildT38Media(t38Offer(DEFAULT_T38_CAPABILITIES), 40_002),
  ])
  const invite = request('INVITE', target, 1, formatNameAddr({ uri: target }), offer)
  const responses: SipResponse[] = []
  const ok = await transact(sip, invite, sippPort, responses)
  assert.equal(ok.status, 200, `INVITE answered ${ok.status} ${ok.reason}`)
  const okHeaders = checkMandatoryHeaders(ok)
  assert.equal(okHeaders.callId, callId)
  assert.equal(okHeaders.from.tag, ourTag)
  assert.ok(okHeaders.to.tag !== undefined, 'the 200 has a To tag')
  const contact = ok.headers.get('Contact')
  assert.ok(contact !== undefined, 'the 200 has a Contact')
  const remoteTarget = parseNameAddr(contact).uri
  const toWithTag = ok.headers.get('To') ?? ''

  sip.send(request('ACK', remoteTarget, 1, toWithTag), sippPort)
  const byeOk = await transact(sip, request('BYE', remoteTarget, 2, toWithTag), sippPort, responses)
  assert.equal(byeOk.status, 200, `BYE answered ${byeOk.status} ${byeOk.reason}`)
  return { callId, responses, answer: parseSdp(bodyText(ok)) }
}

test('our minimal UAC completes 3 dialogs with SIPp uas; every response parses', async () => {
  const sip = await SipSocket.open()
  try {
    const sipp = await startSipp({ scenario: { builtIn: 'uas' }, calls: 3, timeoutSeconds: 9 })
    const dialogs: UacDialog[] = []
    for (let i = 0; i < 3; i++) {
      dialogs.push(await callOnce(sip, sipp.port))
    }
    // SIPp's uas holds each call 4 s after the 200 to the BYE (<timewait>) before counting it.
    const result = await sipp.done
    assertAllSucceeded(result, 3)
    assert.deepEqual(sip.rejected, [], 'every datagram from SIPp parses and checks')
    for (const dialog of dialogs) {
      assert.deepEqual(
        dialog.responses.map((r) => r.status),
        [180, 200, 200],
        `call ${dialog.callId}: 180 and 200 to the INVITE, 200 to the BYE`,
      )
      const audio = readAudioStream(dialog.answer)
      assert.ok(!isAudioRefusal(audio), `SIPp's answer: ${JSON.stringify(audio)}`)
      assert.equal(audio.codec, 'PCMU')
    }
    assert.ok(countOf(result.messageLog, /^INVITE sip:/gm) >= 3, 'SIPp logged our 3 INVITEs')
    assert.match(result.messageLog, /m=image 40002 udptl t38/, 'SIPp got our T.38 offer')
  } finally {
    sip.close()
  }
})

test('SIPp accepts T.38 in our INVITE (uas-accept-t38-in-invite.xml) and we read its answer', async () => {
  const sip = await SipSocket.open()
  try {
    const sipp = await startSipp({ scenario: { file: T38_SCENARIO }, calls: 1, timeoutSeconds: 5 })
    const dialog = await callOnce(sip, sipp.port)
    const result = await sipp.done
    assertAllSucceeded(result, 1)
    assert.deepEqual(sip.rejected, [])
    assert.deepEqual(
      dialog.responses.map((r) => r.status),
      [100, 200, 200],
    )
    assert.deepEqual(
      dialog.answer.media.map((m) => `${m.media} ${m.port === 0 ? 0 : 'open'}`),
      ['audio 0', 'image open'],
      'the answer keeps both m lines, declining the audio',
    )
    const stream = readT38Stream(dialog.answer)
    assert.ok(!isT38Refusal(stream), `SIPp's answer: ${JSON.stringify(stream)}`)
    assert.equal(stream.index, 1)
    assert.deepEqual(stream.connection, { addressType: 'IP4', address: HOST })
    const negotiated = negotiateT38(t38Offer(DEFAULT_T38_CAPABILITIES), stream.params)
    assert.deepEqual(negotiated, {
      version: 0,
      maxBitRateBps: 14_400,
      errorCorrection: 't38UDPRedundancy',
      farMaxDatagramOctets: 400,
    })
  } finally {
    sip.close()
  }
})

function assertAllSucceeded(result: SippResult, calls: number): void {
  const context = `\n--- SIPp errors ---\n${result.errorLog}\n--- SIPp screen ---\n${result.screen}`
  assert.equal(result.exitCode, 0, `SIPp exit code${context}`)
  assert.deepEqual(result.stats, { successful: calls, failed: 0 }, `SIPp statistics${context}`)
}

function countOf(haystack: string, pattern: RegExp): number {
  return [...haystack.matchAll(pattern)].length
}
