/**
 * Two faxd SIP user agents joined in memory, on one virtual clock: A (the caller, at
 * 127.0.0.1:5061) and B (the callee, at 127.0.0.1:5062). Each step moves both clocks on and
 * then carries every datagram across at once, round after round until the line is quiet, so a
 * message and its answer cross within the step. A fate function may drop or duplicate chosen
 * datagrams. B answers its incoming calls through an `answer` function (accept by default).
 *
 * With `b: 'scripted'` there is no B user agent: A's datagrams stay on the wire log for the
 * test to read, and the test answers them with `deliverToA` (responses built with responseFor),
 * for the far ends a faxd agent would never be (a registrar's 407, a 488, a trunk that never
 * refreshes its session).
 *
 * Everything sent is kept in `wire`, parsed, with its virtual time, sender and fate.
 */
import { seededRandom } from '../../support/seeded-random.js'
import { SipUserAgent, type UserAgentEvent } from '../../../src/telephony/sip/user-agent.js'
import {
  DEFAULT_CALL_SETTINGS,
  type CallTarget,
  type SipCall,
  type SipCallEvent,
  type SipCallSettings,
} from '../../../src/telephony/sip/sip-call.js'
import {
  DEFAULT_T38_CAPABILITIES,
  answerT38,
  buildT38Media,
  readT38Stream,
  isT38Refusal,
} from '../../../src/telephony/sip/t38-sdp.js'
import {
  parseSipMessage,
  serializeSipMessage,
  type SipMessage,
  type SipRequest,
  type SipResponse,
} from '../../../src/telephony/sip/sip-message.js'
import { parseCSeq } from '../../../src/telephony/sip/sip-headers.js'
import type { SipPeer } from '../../../src/telephony/sip/transaction-layer.js'
import { formatSdp, parseSdp, type SdpMedia } from '../../../src/telephony/sip/sdp.js'
import {
  answerMedia,
  audioAnswer,
  createLocalDescription,
  isAudioRefusal,
  localSessionDescription,
  readAudioStream,
} from '../../../src/telephony/sip/sdp-offer-answer.js'
import { BRANCH_MAGIC_COOKIE } from '../../../src/telephony/sip/sip-headers.js'
import {
  responseFor,
  type ExtraHeader,
  type SipIdGenerator,
} from '../../../src/telephony/sip/request-factory.js'
import { Dialog } from '../../../src/telephony/sip/dialog.js'

export type Side = 'A' | 'B'

export const A_ADDRESS: SipPeer = { address: '127.0.0.1', port: 5061 }
export const B_ADDRESS: SipPeer = { address: '127.0.0.1', port: 5062 }
export const A_MEDIA_PORT = 40_000
export const B_MEDIA_PORT = 42_000

/** The call A places to B unless a test says otherwise. */
export const TARGET: CallTarget = {
  requestUri: 'sip:+15551234567@127.0.0.1:5062',
  to: 'sip:+15551234567@127.0.0.1',
  from: 'sip:+15550001111@127.0.0.1',
}

/** Readable, repeatable ids: A-b1, A-t2, A-c3… (each agent its own prefix). */
export function countingIds(prefix: string): SipIdGenerator {
  let n = 0
  return {
    branch: () => `${BRANCH_MAGIC_COOKIE}${prefix}-b${++n}`,
    tag: () => `${prefix}-t${++n}`,
    callId: () => `${prefix}-c${++n}@test`,
  }
}

/** The settings of one agent of the pair, listening on `port`. */
export function userAgentAt(
  side: Side,
  port: number,
  seed: number,
  call: Partial<SipCallSettings> = {},
): SipUserAgent {
  const random = seededRandom(seed)
  return new SipUserAgent({
    call: {
      ...DEFAULT_CALL_SETTINGS,
      mediaAddress: '127.0.0.1',
      t38: DEFAULT_T38_CAPABILITIES,
      ...call,
    },
    localVia: { host: '127.0.0.1', port, transport: 'UDP' },
    contact: `sip:faxd@127.0.0.1:${port}`,
    ids: countingIds(side),
    random: () => random.next(),
  })
}

/** One datagram as it left its sender. */
export interface WireRecord {
  /** Virtual ms when it was sent. */
  readonly at: number
  readonly from: Side
  readonly to: SipPeer
  readonly octets: Uint8Array
  /** Parsed, or null when it does not parse. */
  readonly message: SipMessage | null
  fate: Fate
}

export type Fate = 'deliver' | 'drop' | 'duplicate'

export interface TimedEvent {
  readonly at: number
  readonly event: UserAgentEvent
}

/** What B does with an incoming call. */
export type Answerer = (call: SipCall, invite: SipRequest) => void

export const acceptWith =
  (mediaPort: number): Answerer =>
  (call) =>
    call.accept(mediaPort)

export const rejectWith =
  (status: number, phrase: string): Answerer =>
  (call) =>
    call.reject(status, phrase)

export const ringOnly: Answerer = (call) => call.ringing()

export const leaveUnanswered: Answerer = () => undefined

export interface SipPairOptions {
  readonly a?: Partial<SipCallSettings>
  /** B's call settings, or 'scripted' for no B agent at all. */
  readonly b?: Partial<SipCallSettings> | 'scripted'
  readonly answer?: Answerer
  /** Decides each datagram's fate when it is sent; default deliver. */
  readonly fate?: (record: WireRecord) => Fate
  readonly seed?: number
}

export class SipPair {
  readonly a: SipUserAgent
  readonly b: SipUserAgent | null
  readonly wire: WireRecord[] = []
  readonly events: Record<Side, TimedEvent[]> = { A: [], B: [] }
  answer: Answerer
  fate: (record: WireRecord) => Fate
  #now = 0

  constructor(options: SipPairOptions = {}) {
    const seed = options.seed ?? 1
    this.a = userAgentAt('A', A_ADDRESS.port, seed, options.a)
    this.b = options.b === 'scripted' ? null : userAgentAt('B', B_ADDRESS.port, seed + 1, options.b)
    this.answer = options.answer ?? acceptWith(B_MEDIA_PORT)
    this.fate = options.fate ?? (() => 'deliver')
  }

  get now(): number {
    return this.#now
  }

  /** A places a call to B (or to the scripted far end); the INVITE goes out at once. */
  place(target: Partial<CallTarget> = {}): SipCall {
    const call = this.a.placeCall({ ...TARGET, ...target }, B_ADDRESS, A_MEDIA_PORT)
    this.settle()
    return call
  }

  /** Moves both clocks on by `ms`, then carries what was sent. */
  step(ms = 10): void {
    this.#now += ms
    this.a.advance(ms)
    this.b?.advance(ms)
    this.settle()
  }

  /** Steps for `ms` in steps of `stepMs`. */
  run(ms: number, stepMs = 10): void {
    const until = this.#now + ms
    while (this.#now < until) {
      this.step(Math.min(stepMs, until - this.#now))
    }
  }

  /** Steps until `done()` holds; throws after `limitMs`. */
  runUntil(done: () => boolean, limitMs = 60_000, stepMs = 10): void {
    const until = this.#now + limitMs
    while (!done()) {
      if (this.#now >= until) {
        throw new Error(`not done after ${limitMs} ms of virtual time`)
      }
      this.step(stepMs)
    }
  }

  /** Carries datagrams to and fro until nobody has anything more to send. */
  settle(): void {
    for (let round = 0; round < 1000; round++) {
      this.#takeEvents()
      const fromA = this.#collect('A', this.a)
      const fromB = this.b === null ? 0 : this.#collect('B', this.b)
      this.#takeEvents()
      if (fromA + fromB === 0) {
        return
      }
    }
    throw new Error('the two agents never stop talking')
  }

  /** Scripted mode: the far end sends `message` to A. */
  deliverToA(message: SipMessage): void {
    const octets = serializeSipMessage(message)
    this.wire.push({
      at: this.#now,
      from: 'B',
      to: A_ADDRESS,
      octets,
      message: parseSipMessage(octets),
      fate: 'deliver',
    })
    this.a.receive(octets, B_ADDRESS)
    this.settle()
  }

  /** Feeds raw octets to one agent as if from `from`; returns what it sent back. */
  inject(side: Side, octets: Uint8Array, from: SipPeer): WireRecord[] {
    const ua = side === 'A' ? this.a : this.b
    if (ua === null) {
      throw new Error('no B agent in scripted mode')
    }
    const before = this.wire.length
    ua.receive(octets, from)
    this.settle()
    return this.wire.slice(before).filter((record) => record.from === side)
  }

  /** The call events one side reported, in order. */
  callEvents(side: Side, call?: SipCall): SipCallEvent[] {
    return this.timedCallEvents(side, call).map(({ event }) => event)
  }

  timedCallEvents(side: Side, call?: SipCall): { at: number; event: SipCallEvent }[] {
    const found: { at: number; event: SipCallEvent }[] = []
    for (const { at, event } of this.events[side]) {
      if (event.type === 'call-event' && (call === undefined || event.call === call)) {
        found.push({ at, event: event.event })
      }
    }
    return found
  }

  /** The calls B was offered, in order. */
  incomingCalls(): SipCall[] {
    const calls: SipCall[] = []
    for (const { event } of this.events.B) {
      if (event.type === 'incoming-call') {
        calls.push(event.call)
      }
    }
    return calls
  }

  /** Requests `side` sent (every copy, dropped ones too), optionally of one method. */
  requests(side: Side, method?: string): (WireRecord & { message: SipRequest })[] {
    return this.wire.filter(
      (r): r is WireRecord & { message: SipRequest } =>
        r.from === side &&
        r.message?.kind === 'request' &&
        (method === undefined || r.message.method === method),
    )
  }

  /** Responses `side` sent, optionally of one status and one CSeq method. */
  responses(
    side: Side,
    status?: number,
    method?: string,
  ): (WireRecord & { message: SipResponse })[] {
    return this.wire.filter(
      (r): r is WireRecord & { message: SipResponse } =>
        r.from === side &&
        r.message?.kind === 'response' &&
        (status === undefined || r.message.status === status) &&
        (method === undefined || cseqOf(r.message).method === method),
    )
  }

  /** The last request of `method` that A sent (scripted mode: what the far end answers). */
  lastRequestFromA(method: string): SipRequest {
    const found = this.requests('A', method).at(-1)
    if (found === undefined) {
      throw new Error(`A sent no ${method}`)
    }
    return found.message
  }

  #collect(side: Side, ua: SipUserAgent): number {
    const datagrams = ua.takeDatagrams()
    for (const { octets, to } of datagrams) {
      let message: SipMessage | null
      try {
        message = parseSipMessage(octets)
      } catch {
        message = null
      }
      const record: WireRecord = { at: this.#now, from: side, to, octets, message, fate: 'deliver' }
      record.fate = this.fate(record)
      this.wire.push(record)
      const peer = side === 'A' ? this.b : this.a
      const peerAddress = side === 'A' ? B_ADDRESS : A_ADDRESS
      // Datagrams for anyone else (a test's injected sender) go nowhere.
      if (peer === null || record.fate === 'drop' || to.port !== peerAddress.port) {
        continue
      }
      const source = side === 'A' ? A_ADDRESS : B_ADDRESS
      peer.receive(octets, source)
      if (record.fate === 'duplicate') {
        peer.receive(octets, source)
      }
    }
    return datagrams.length
  }

  #takeEvents(): void {
    for (const event of this.a.takeEvents()) {
      this.events.A.push({ at: this.#now, event })
    }
    if (this.b === null) {
      return
    }
    for (const event of this.b.takeEvents()) {
      this.events.B.push({ at: this.#now, event })
      if (event.type === 'incoming-call') {
        this.answer(event.call, event.invite)
      }
    }
  }
}

/** A fate that drops (or duplicates) the first `count` datagrams `matches` picks. */
export function firstMatching(
  matches: (record: WireRecord) => boolean,
  fate: Fate,
  count = 1,
): (record: WireRecord) => Fate {
  let left = count
  return (record) => {
    if (left > 0 && matches(record)) {
      left -= 1
      return fate
    }
    return 'deliver'
  }
}

export function cseqOf(message: SipMessage): { seq: number; method: string } {
  return parseCSeq(message.headers.get('CSeq') ?? '')
}

export function isRequest(message: SipMessage | null, method: string): message is SipRequest {
  return message?.kind === 'request' && message.method === method
}

export function isResponse(
  message: SipMessage | null,
  status: number,
  method?: string,
): message is SipResponse {
  return (
    message?.kind === 'response' &&
    message.status === status &&
    (method === undefined || cseqOf(message).method === method)
  )
}

const utf8 = new TextDecoder()
const utf8Encoder = new TextEncoder()

export function bodyText(message: SipMessage): string {
  return utf8.decode(message.body)
}

/** The o= line's session version of an SDP body. */
export function sdpVersion(message: SipMessage): string {
  return parseSdp(bodyText(message)).origin.sessionVersion
}

/**
 * A scripted far end's SDP answer to `offer` (an INVITE or re-INVITE body): its audio stream
 * or its T.38 stream accepted on `port`, the other m lines declined (RFC 3264 §6).
 */
export function answerSdp(offer: SipMessage, port: number, kind: 'audio' | 't38'): Uint8Array {
  const sd = parseSdp(bodyText(offer))
  let index: number
  let accepted: SdpMedia
  if (kind === 'audio') {
    const audio = readAudioStream(sd)
    if (isAudioRefusal(audio)) {
      throw new Error(`no audio to answer: ${audio.detail}`)
    }
    index = audio.index
    accepted = audioAnswer(audio, port)
  } else {
    const stream = readT38Stream(sd)
    if (isT38Refusal(stream)) {
      throw new Error(`no T.38 to answer: ${stream.detail}`)
    }
    const params = answerT38(stream.params, DEFAULT_T38_CAPABILITIES)
    if (isT38Refusal(params)) {
      throw new Error(`cannot answer the T.38 offer: ${params.detail}`)
    }
    index = stream.index
    accepted = buildT38Media(params, port)
  }
  const local = createLocalDescription({
    sessionId: 777n,
    connection: { addressType: 'IP4', address: '127.0.0.1' },
    media: answerMedia(sd, index, accepted),
  })
  return utf8Encoder.encode(formatSdp(localSessionDescription(local)))
}

/** `items[index]`, or a failed test when it is not there. */
export function itemAt<T>(items: readonly T[], index: number): T {
  const item = items.at(index)
  if (item === undefined) {
    throw new Error(`no item ${index} among ${items.length}`)
  }
  return item
}

/** The scripted far end's Contact and To tag. */
export const FAR_CONTACT = 'sip:far@127.0.0.1:5062'
export const FAR_TAG = 'far'

/**
 * The scripted far end's side of the dialog A's INVITE makes (RFC 3261 §12.1.1), for the
 * in-dialog requests it sends (re-INVITE, ACK, BYE) when its 2xx carried FAR_TAG and
 * FAR_CONTACT.
 */
export function farDialog(invite: SipRequest): Dialog {
  return Dialog.fromInviteRequest(
    invite,
    {
      localTag: FAR_TAG,
      contact: FAR_CONTACT,
      localVia: { host: B_ADDRESS.address, port: B_ADDRESS.port, transport: 'UDP' },
    },
    countingIds('F'),
  )
}

/** The scripted far end's 200 to `invite`, answering its audio or its T.38 offer. */
export function farOk(
  invite: SipRequest,
  kind: 'audio' | 't38',
  extraHeaders: readonly ExtraHeader[] = [],
): SipResponse {
  return responseFor(invite, 200, 'OK', {
    toTag: FAR_TAG,
    contact: FAR_CONTACT,
    body: answerSdp(invite, B_MEDIA_PORT, kind),
    extraHeaders,
  })
}
