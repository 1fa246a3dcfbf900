/**
 * One fax call's INVITE dialog, sans I/O, either way: placed by us (UAC) or answered by us
 * (UAS). It turns the call into what a fax needs: a T.38 stream agreed with the far end, or an
 * end with its reason. Messages reach it from user-agent.ts, which routes by dialog; it sends
 * through the TransactionLayer it is given; its own timers are deadlines moved by `advance`.
 *
 * The path to T.38 (transmission.md §5):
 * - T.38 in the first offer (placed calls, when configured): the INVITE offers audio and image;
 *   an answer that keeps the image stream is T.38 from the start.
 * - Otherwise the call starts as audio, and either side re-INVITEs to T.38: the far end (a
 *   gateway that heard a fax tone), or we, `reinviteDelayMs` after the call is up. Both at
 *   once is glare: the one that gets 491 tries again after RFC 3261 §14.1's random wait.
 * - A 488 (or another refusal) to our T.38 offer ends the call: a fax terminal has no audio
 *   path to fall back to.
 *
 * Every request of the call goes to one next hop, `peer`: the trunk for calls we place, the
 * address the INVITE came from for calls we answer. The dialog still decides Request-URI and
 * Route (dialog.ts); faxd talks to one trunk and leaves routing beyond it to the trunk.
 */
import type { DigestCredentials } from './digest.js'
import { Deadlines } from './deadlines.js'
import { Dialog, type DialogId } from './dialog.js'
import {
  newBranch,
  newInvite,
  randomSipIds,
  responseFor,
  withAuthorization,
  type ExtraHeader,
  type LocalVia,
  type SipIdGenerator,
} from './request-factory.js'
import { formatSdp, parseSdp, type SdpMedia, type SessionDescription } from './sdp.js'
import {
  audioAnswer,
  audioOffer,
  answerMedia,
  createLocalDescription,
  isAudioRefusal,
  localSessionDescription,
  readAudioStream,
  updateLocalDescription,
  type LocalDescription,
} from './sdp-offer-answer.js'
import {
  DEFAULT_SESSION_EXPIRES_SECONDS,
  answerSessionTimer,
  expiresAfterMs,
  readMinSe,
  refreshAfterMs,
  sessionTimerHeaders,
  timerFromResponse,
  type SessionTimer,
  type SessionTimerAnswer,
} from './session-timer.js'
import { MIN_SESSION_EXPIRES_SECONDS } from './sip-headers.js'
import type { SipRequest, SipResponse } from './sip-message.js'
import { DEFAULT_SIP_TIMERS } from './sip-timers.js'
import {
  answerT38,
  buildT38Media,
  isT38Refusal,
  negotiateT38,
  readT38Stream,
  t38Offer,
  type NegotiatedT38,
  type T38Capabilities,
  type T38Params,
} from './t38-sdp.js'
import type { IncomingRequest, SipPeer, TransactionLayer } from './transaction-layer.js'

/** How a call behaves; the same for every call of one trunk. */
export interface SipCallSettings {
  /** Our media address, for the SDP c line. */
  readonly mediaAddress: string
  readonly t38: T38Capabilities
  /** Placed calls offer T.38 beside audio in the first INVITE. */
  readonly t38InInvite: boolean
  /** How long after the call is up we re-INVITE to T.38 ourselves, if the far end has not. */
  readonly reinviteDelayMs: number
  /** The session interval we ask for (Session-Expires), seconds. */
  readonly sessionExpiresSeconds: number
  /** Our Min-SE, seconds (RFC 4028 §4: at least 90). */
  readonly minSeSeconds: number
  readonly credentials?: DigestCredentials
  /** T1 (RFC 3261 Table 4), for resending our 2xx until the ACK. Default 500 ms. */
  readonly t1Ms?: number
  /** How long a call we place may ring before we CANCEL it. Default 60 s. */
  readonly ringTimeoutMs?: number
}

/** A placed call that rings this long unanswered is cancelled (a fax machine answers fast). */
export const DEFAULT_RING_TIMEOUT_MS = 60_000

export const DEFAULT_CALL_SETTINGS: Omit<SipCallSettings, 'mediaAddress' | 't38'> = {
  t38InInvite: false,
  reinviteDelayMs: 2_000,
  sessionExpiresSeconds: DEFAULT_SESSION_EXPIRES_SECONDS,
  minSeSeconds: MIN_SESSION_EXPIRES_SECONDS,
}

/** What a call needs of its user agent. */
export interface CallEnvironment {
  readonly layer: TransactionLayer
  readonly localVia: LocalVia
  /** Our Contact URI. */
  readonly contact: string
  /** The next hop for every request of the call. */
  readonly peer: SipPeer
  readonly ids?: SipIdGenerator
  /** A number in [0, 1) for glare back-off; default Math.random. */
  readonly random?: () => number
}

/** Who we call, and as whom. */
export interface CallTarget {
  readonly requestUri: string
  readonly to: string
  readonly from: string
  readonly fromDisplayName?: string
  readonly extraHeaders?: readonly ExtraHeader[]
}

/** Where the T.38 stream goes and what was agreed for it. */
export interface CallMedia {
  readonly remote: SipPeer
  readonly t38: NegotiatedT38
}

/** Why a call ended. */
export type CallEnd =
  /** Our INVITE got a final failure: 486 busy, 404, 480… */
  | { readonly reason: 'rejected'; readonly status: number; readonly phrase: string }
  /** Nobody answered our INVITE at all (timer B) or the transport failed. */
  | { readonly reason: 'no-response' }
  /** We cancelled before the answer, or (answering) the caller did. */
  | { readonly reason: 'cancelled' }
  /** It rang for ringTimeoutMs and nobody answered: we cancelled it. */
  | { readonly reason: 'no-answer'; readonly afterMs: number }
  /** The far end refused our T.38 offer (`status`), or offered T.38 we cannot take. */
  | { readonly reason: 't38-refused'; readonly status: number | null; readonly detail: string }
  /** The far end hung up (BYE), or the dialog died under us (481/408 to our request). */
  | { readonly reason: 'remote-hangup' }
  /** We hung up. */
  | { readonly reason: 'local-hangup' }
  /** The far end was the session refresher and did not refresh (RFC 4028 §10). */
  | { readonly reason: 'session-expired' }
  /** We answered and the caller never acknowledged (RFC 3261 §13.3.1.4). */
  | { readonly reason: 'no-ack' }

export type SipCallEvent =
  | { readonly type: 'ringing'; readonly status: number }
  | { readonly type: 'answered' }
  /** The T.38 stream is agreed (again, if it changed). */
  | { readonly type: 'media'; readonly media: CallMedia }
  /** A session refresh went through, either way. */
  | { readonly type: 'refreshed' }
  | { readonly type: 'ended'; readonly end: CallEnd }

export type SipCallState =
  /** Placed: INVITE sent, no final answer yet. */
  | 'calling'
  /** Answering: the INVITE is here, waiting for accept() or reject(). */
  | 'incoming'
  /** The call is up (2xx sent or received). */
  | 'established'
  | 'ended'

type CallTimer =
  | 'reinvite'
  | 'refresh'
  | 'expire'
  | 'resend-2xx'
  | 'ack-timeout'
  | 'glare-retry'
  | 'digit-gap'
  | 'ring-timeout'

/** How long each DTMF tone lasts, and the gap after it, ms: a keypad press of ordinary length. */
const DTMF_DURATION_MS = 160

/** An INVITE we answer with 2xx: resent until its ACK (RFC 3261 §13.3.1.4). */
interface UnacknowledgedAnswer {
  readonly incoming: IncomingRequest
  readonly response: SipResponse
  readonly cseq: number
  intervalMs: number
}

const textEncoder = new TextEncoder()
const textDecoder = new TextDecoder()

export class SipCall {
  readonly role: 'uac' | 'uas'
  readonly callId: string
  readonly #env: CallEnvironment
  readonly #settings: SipCallSettings
  readonly #ids: SipIdGenerator
  readonly #timers = new Deadlines<CallTimer>()
  #mediaPort: number
  #state: SipCallState
  #events: SipCallEvent[] = []
  #dialog: Dialog | null = null
  #local: LocalDescription
  /** The INVITE that set the call up, as last sent (with credentials if challenged). */
  #invite: SipRequest | null = null
  /** The ACK for the 2xx to our last INVITE, resent for 2xx retransmissions. */
  #ack: { readonly cseq: number; readonly request: SipRequest } | null = null
  #incoming: IncomingRequest | null = null
  #hangUpWanted = false
  /** Set when the ring timeout, not the owner, wanted the call ended. */
  #unanswered = false
  #cancelSent = false
  #authTries = 0
  #media: CallMedia | null = null
  /** Our re-INVITE (T.38 or refresh) while its transaction runs. */
  #ourReinvite: 't38' | 'refresh' | null = null
  #unacknowledged: UnacknowledgedAnswer | null = null
  #sessionTimer: SessionTimer | null = null
  #sessionExpires: number
  #minSe: number

  private constructor(
    role: 'uac' | 'uas',
    callId: string,
    env: CallEnvironment,
    settings: SipCallSettings,
    mediaPort: number,
    local: LocalDescription,
  ) {
    this.role = role
    this.callId = callId
    this.#env = env
    this.#settings = settings
    this.#ids = env.ids ?? randomSipIds
    this.#mediaPort = mediaPort
    this.#local = local
    this.#state = role === 'uac' ? 'calling' : 'incoming'
    this.#sessionExpires = settings.sessionExpiresSeconds
    this.#minSe = settings.minSeSeconds
  }

  /**
   * Places a call: an INVITE with an audio offer (and an image offer beside it with
   * t38InInvite) for our media port, and Session-Expires for a timer (RFC 4028 §7.1).
   */
  static place(
    env: CallEnvironment,
    settings: SipCallSettings,
    target: CallTarget,
    mediaPort: number,
  ): SipCall {
    const ids = env.ids ?? randomSipIds
    const media: SdpMedia[] = [audioOffer(mediaPort)]
    if (settings.t38InInvite) {
      media.push(buildT38Media(t38Offer(settings.t38), mediaPort))
    }
    const local = createLocalDescription({
      sessionId: sessionIdFrom(env.random ?? Math.random),
      connection: connectionOf(settings.mediaAddress),
      media,
    })
    const callId = ids.callId()
    const call = new SipCall('uac', callId, env, settings, mediaPort, local)
    const ringTimeoutMs = settings.ringTimeoutMs ?? DEFAULT_RING_TIMEOUT_MS
    call.#timers.set('ring-timeout', ringTimeoutMs, () => {
      if (call.#state === 'calling' && !call.#hangUpWanted) {
        call.#unanswered = true
        call.#hangUpWanted = true
        call.#tryCancel()
      }
    })
    call.#sendInvite(
      newInvite(
        {
          requestUri: target.requestUri,
          from: {
            uri: target.from,
            ...(target.fromDisplayName === undefined
              ? {}
              : { displayName: target.fromDisplayName }),
          },
          to: { uri: target.to },
          contact: env.contact,
          localVia: env.localVia,
          callId,
          body: sdpBody(local),
          extraHeaders: [
            ...sessionTimerHeaders(call.#sessionExpires, call.#minSe),
            ...(target.extraHeaders ?? []),
          ],
        },
        ids,
      ),
    )
    return call
  }

  /**
   * A call offered to us. Nothing is answered yet: the owner looks the number up and calls
   * accept() or reject(); a malformed offer is answered 400 by accept().
   */
  static incoming(
    env: CallEnvironment,
    settings: SipCallSettings,
    incoming: IncomingRequest,
  ): SipCall {
    const local = createLocalDescription({
      sessionId: sessionIdFrom(env.random ?? Math.random),
      connection: connectionOf(settings.mediaAddress),
      media: [],
    })
    const callId = incoming.request.headers.get('Call-ID') ?? ''
    const call = new SipCall('uas', callId, env, settings, 0, local)
    call.#incoming = incoming
    incoming.onCancel = () => call.#cancelledByCaller()
    return call
  }

  get state(): SipCallState {
    return this.#state
  }

  get dialogId(): DialogId | null {
    return this.#dialog?.id ?? null
  }

  /** The T.38 stream agreed, once it is. */
  get media(): CallMedia | null {
    return this.#media
  }

  get sessionTimer(): SessionTimer | null {
    return this.#sessionTimer
  }

  get nextTimerInMs(): number | null {
    return this.#timers.nextInMs
  }

  takeEvents(): SipCallEvent[] {
    const events = this.#events
    this.#events = []
    return events
  }

  advance(ms: number): void {
    this.#timers.advance(ms)
  }

  // ---- answering ------------------------------------------------------------------------------

  /** Sends 180 Ringing while the owner decides. */
  ringing(): void {
    if (this.#state === 'incoming' && this.#incoming !== null) {
      this.#incoming.respond(responseFor(this.#incoming.request, 180, 'Ringing', this.#tagged()))
    }
  }

  /** Refuses the offered call: 404 for a number we do not have, 486 when every channel is busy. */
  reject(status: number, phrase: string, extraHeaders: readonly ExtraHeader[] = []): void {
    if (this.#state !== 'incoming' || this.#incoming === null) {
      return
    }
    this.#incoming.respond(
      responseFor(this.#incoming.request, status, phrase, { ...this.#tagged(), extraHeaders }),
    )
    this.#end({ reason: 'rejected', status, phrase })
  }

  /**
   * Answers the offered call with 200: the image stream if the INVITE offered T.38 we can take
   * (the stream then starts at once), else audio, after which we re-INVITE to T.38
   * (at once after the ACK: the receiving side switches, as gateways expect). An offer we
   * cannot answer at all gets 488. `mediaPort` is our UDP port for the stream.
   */
  accept(mediaPort: number): void {
    if (this.#state !== 'incoming' || this.#incoming === null) {
      return
    }
    this.#mediaPort = mediaPort
    const incoming = this.#incoming
    const invite = incoming.request
    const timer = answerSessionTimer(invite.headers, this.#minSe)
    if (timer.kind === 'too-small') {
      this.reject(422, 'Session Interval Too Small', [['Min-SE', String(timer.minSeSeconds)]])
      return
    }
    let offer: SessionDescription
    try {
      offer = parseSdp(textDecoder.decode(invite.body))
    } catch (error) {
      this.reject(400, `Bad SDP: ${(error as Error).message}`.slice(0, 100))
      return
    }
    const answer = this.#answerOffer(offer)
    if ('refusal' in answer) {
      this.reject(488, 'Not Acceptable Here', [['Warning', `304 faxd "${answer.refusal}"`]])
      return
    }
    const tags = this.#tagged()
    this.#dialog = Dialog.fromInviteRequest(
      invite,
      { localTag: tags.toTag, contact: this.#env.contact, localVia: this.#env.localVia },
      this.#ids,
    )
    this.#local = answer.local
    const extraHeaders: ExtraHeader[] = []
    if (timer.kind === 'timer') {
      extraHeaders.push(['Session-Expires', timer.header], ['Require', 'timer'])
    }
    const response = responseFor(invite, 200, 'OK', {
      ...tags,
      contact: this.#env.contact,
      body: sdpBody(this.#local),
      extraHeaders,
    })
    this.#state = 'established'
    this.#events.push({ type: 'answered' })
    this.#sendAnswer(incoming, response)
    this.#setSessionTimer(timer.kind === 'timer' ? timer.timer : null)
    if (answer.media !== null) {
      this.#mediaAgreed(answer.media)
    }
  }

  // ---- post-dial digits ------------------------------------------------------------------------

  /**
   * Sends DTMF digits (0–9, *, #, A–D) once the call is up, one SIP INFO each with
   * `application/dtmf-relay` (the Cisco format every trunk we know takes: `Signal=` and
   * `Duration=` in ms), the next when the last was answered. Our re-INVITE to T.38 waits until
   * the last digit is through, so an IVR hears them before the fax tones.
   */
  sendDigits(digits: string): void {
    if (!/^[0-9*#A-Da-d]*$/.test(digits)) {
      throw new RangeError(`DTMF digits are 0-9, *, # and A-D, not ${JSON.stringify(digits)}`)
    }
    this.#digits.push(...digits.toUpperCase())
    this.#timers.clear('reinvite')
    this.#sendNextDigit()
  }

  #digits: string[] = []
  #digitOut = false

  #sendNextDigit(): void {
    const dialog = this.#dialog
    if (this.#digitOut || this.#state !== 'established' || dialog === null) {
      return
    }
    const digit = this.#digits.shift()
    if (digit === undefined) {
      if (this.#media === null) {
        this.#scheduleT38Reinvite(this.#settings.reinviteDelayMs)
      }
      return
    }
    this.#digitOut = true
    const info = dialog.createRequest('INFO', {
      body: textEncoder.encode(`Signal=${digit}\r\nDuration=${DTMF_DURATION_MS}\r\n`),
      contentType: 'application/dtmf-relay',
    })
    const next = (): void => {
      this.#digitOut = false
      // A tone's length and the pause after it, as a phone keypad would leave.
      this.#timers.set('digit-gap', DTMF_DURATION_MS, () => this.#sendNextDigit())
    }
    this.#env.layer.sendRequest(info, this.#env.peer, {
      onResponse: (response) => {
        if (response.status >= 200) {
          next()
        }
      },
      onTimeout: next,
    })
  }

  // ---- hanging up -----------------------------------------------------------------------------

  /**
   * Ends the call from our side: BYE once it is up, CANCEL while it rings (RFC 3261 §9.1: only
   * after a provisional response; before one, the CANCEL waits for it), 480 to a call offered
   * to us that we had not answered.
   */
  hangUp(): void {
    switch (this.#state) {
      case 'calling':
        this.#hangUpWanted = true
        this.#tryCancel()
        return
      case 'incoming':
        this.reject(480, 'Temporarily Unavailable')
        return
      case 'established':
        this.#sendBye({ reason: 'local-hangup' })
        return
      case 'ended':
        return
    }
  }

  // ---- from the user agent --------------------------------------------------------------------

  /** A request of this call's dialog (the UA matched its dialog ID). */
  receiveRequest(incoming: IncomingRequest): void {
    const dialog = this.#dialog
    if (dialog === null) {
      incoming.respond(responseFor(incoming.request, 481, 'Call/Transaction Does Not Exist'))
      return
    }
    const verdict = dialog.receiveRequest(incoming.request)
    switch (verdict.action) {
      case 'reject':
        incoming.respond(verdict.response)
        return
      case 'ack':
        return
      case 'bye':
        incoming.respond(verdict.response)
        this.#end({ reason: 'remote-hangup' })
        return
      case 'process':
        break
    }
    const request = incoming.request
    switch (request.method) {
      case 'INVITE':
        this.#receiveReinvite(incoming)
        return
      case 'UPDATE':
        this.#receiveUpdate(incoming)
        return
      case 'INFO':
      case 'OPTIONS':
      case 'NOTIFY':
        incoming.respond(responseFor(request, 200, 'OK'))
        return
      default:
        incoming.respond(
          responseFor(request, 405, 'Method Not Allowed', {
            extraHeaders: [['Allow', 'INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, UPDATE']],
          }),
        )
    }
  }

  /** The ACK for a 2xx of ours (the UA matched it to this call by dialog). */
  receiveAck(ack: SipRequest): void {
    const pending = this.#unacknowledged
    if (pending === null || cseqOf(ack) !== pending.cseq) {
      return
    }
    this.#unacknowledged = null
    this.#timers.clear('resend-2xx', 'ack-timeout')
    if (this.role === 'uas' && this.#media === null && !this.#timers.has('reinvite')) {
      this.#scheduleT38Reinvite(0)
    }
  }

  /** A 2xx to our INVITE that came again after its transaction ended: ACK it again. */
  receiveStrayResponse(response: SipResponse): void {
    if (
      response.status >= 200 &&
      response.status < 300 &&
      this.#ack !== null &&
      cseqOf(response) === this.#ack.cseq
    ) {
      this.#env.layer.sendDirect(this.#ack.request, this.#env.peer)
    }
  }

  // ---- placing ----------------------------------------------------------------------------------

  #sendInvite(invite: SipRequest): void {
    this.#invite = invite
    this.#env.layer.sendRequest(invite, this.#env.peer, {
      onResponse: (response) => this.#inviteResponse(invite, response),
      onTimeout: () => {
        if (this.#state === 'calling') {
          this.#end(this.#hangUpWanted ? this.#cancelledEnd() : { reason: 'no-response' })
        }
      },
    })
  }

  #inviteResponse(invite: SipRequest, response: SipResponse): void {
    if (this.#state !== 'calling') {
      if (this.#state === 'ended' && response.status >= 200 && response.status < 300) {
        // A 2xx that crossed our CANCEL, or came after we gave up: take the call and end it.
        this.#confirm(invite, response)
        this.#sendBye(null)
      }
      return
    }
    const status = response.status
    if (status < 200) {
      if (status > 100) {
        this.#events.push({ type: 'ringing', status })
      }
      this.#tryCancel()
      return
    }
    if (status < 300) {
      this.#confirm(invite, response)
      if (this.#hangUpWanted) {
        this.#sendBye(this.#cancelledEnd())
        return
      }
      this.#timers.clear('ring-timeout')
      this.#state = 'established'
      this.#events.push({ type: 'answered' })
      this.#setSessionTimer(timerFromResponse(response.headers))
      this.#takeAnswer(response, 'first')
      return
    }
    if ((status === 401 || status === 407) && !this.#hangUpWanted) {
      const again = this.#authorize(invite, response, (credentials, nc, cnonce) =>
        withAuthorization(invite, response, credentials, nc, cnonce, { ids: this.#ids }),
      )
      if (again !== null) {
        this.#sendInvite(again)
        return
      }
    }
    if (status === 422 && !this.#hangUpWanted) {
      // RFC 4028 §7.4: retry with a Session-Expires at least the Min-SE of the 422.
      const minSe = readMinSe(response.headers)
      if (minSe !== undefined && minSe > this.#sessionExpires) {
        this.#sessionExpires = minSe
        this.#minSe = minSe
        this.#sendInvite(reissued(invite, this.#ids, sessionTimerHeaders(minSe, minSe)))
        return
      }
    }
    this.#end(
      status === 487 && this.#hangUpWanted
        ? this.#cancelledEnd()
        : { reason: 'rejected', status, phrase: response.reason },
    )
  }

  /** How a call we cancelled before the answer ended: by our ring timeout, or by the owner. */
  #cancelledEnd(): CallEnd {
    return this.#unanswered
      ? { reason: 'no-answer', afterMs: this.#settings.ringTimeoutMs ?? DEFAULT_RING_TIMEOUT_MS }
      : { reason: 'cancelled' }
  }

  #tryCancel(): void {
    if (this.#hangUpWanted && !this.#cancelSent && this.#invite !== null) {
      this.#cancelSent = this.#env.layer.cancel(this.#invite)
    }
  }

  /** The 2xx to an INVITE of ours: the dialog (first time), and the ACK, sent and kept. */
  #confirm(invite: SipRequest, response: SipResponse): void {
    if (this.#dialog === null) {
      this.#dialog = Dialog.fromInviteResponse(invite, response, this.#ids)
    } else {
      this.#dialog.receiveResponse(invite, response)
    }
    const ack = this.#dialog.createAck(invite)
    this.#ack = { cseq: cseqOf(invite), request: ack }
    this.#env.layer.sendDirect(ack, this.#env.peer)
  }

  /**
   * The far end's answer to our offer, in a 2xx: a T.38 stream agreed, or audio (then we wait
   * for its re-INVITE, or send ours), or for our T.38 re-offer a refusal.
   */
  #takeAnswer(response: SipResponse, which: 'first' | 't38'): void {
    let answer: SessionDescription
    try {
      answer = parseSdp(textDecoder.decode(response.body))
    } catch (error) {
      this.#sendBye({
        reason: 't38-refused',
        status: null,
        detail: `the answer's SDP is malformed: ${(error as Error).message}`,
      })
      return
    }
    const stream = readT38Stream(answer)
    const ourImage = this.#local.media.find((m) => m.media === 'image' && m.port !== 0)
    if (!isT38Refusal(stream) && ourImage !== undefined) {
      const negotiated = negotiateT38(readT38OfOurs(ourImage), stream.params)
      if (isT38Refusal(negotiated)) {
        this.#sendBye({ reason: 't38-refused', status: null, detail: negotiated.detail })
        return
      }
      this.#mediaAgreed({
        remote: { address: stream.connection.address, port: stream.port },
        t38: negotiated,
      })
      return
    }
    if (which === 't38') {
      const detail = isT38Refusal(stream) ? stream.detail : 'no T.38 stream in the answer'
      this.#sendBye({ reason: 't38-refused', status: 200, detail })
      return
    }
    // Audio: the far end has the first chance to switch (it may have heard our CNG at a
    // gateway); then we do, once any post-dial digits are through.
    if (this.#digits.length === 0 && !this.#digitOut) {
      this.#scheduleT38Reinvite(this.#settings.reinviteDelayMs)
    }
  }

  // ---- re-INVITEs -------------------------------------------------------------------------------

  #scheduleT38Reinvite(inMs: number): void {
    this.#timers.set('reinvite', inMs, () => this.#sendReinvite('t38'))
  }

  /** Our re-INVITE: to T.38 (the audio line becomes an image line), or a session refresh. */
  #sendReinvite(kind: 't38' | 'refresh'): void {
    const dialog = this.#dialog
    if (this.#state !== 'established' || dialog === null || this.#unacknowledged !== null) {
      // An INVITE transaction of the far end's is not finished yet (§14.1): try shortly.
      if (this.#state === 'established') {
        this.#timers.set(kind === 't38' ? 'reinvite' : 'refresh', 500, () =>
          this.#sendReinvite(kind),
        )
      }
      return
    }
    if (this.#ourReinvite !== null || (kind === 't38' && this.#media !== null)) {
      return
    }
    if (kind === 't38') {
      const image = buildT38Media(t38Offer(this.#settings.t38), this.#mediaPort)
      const at = this.#local.media.findIndex((m) => m.media === 'image')
      const index = at >= 0 ? at : 0
      this.#local = updateLocalDescription(
        this.#local,
        this.#local.media.map((m, i) => (i === index ? image : { ...m, port: 0 })),
      )
    }
    const extraHeaders: ExtraHeader[] =
      this.#sessionTimer === null
        ? []
        : // RFC 4028 §7.4: refresher=uac when the sender of the request is the one refreshing
          // now, uas otherwise: a re-INVITE to T.38 does not move the refresher role.
          sessionTimerHeaders(
            this.#sessionTimer.intervalSeconds,
            this.#minSe,
            this.#sessionTimer.weRefresh ? 'uac' : 'uas',
          )
    this.#ourReinvite = kind
    this.#sendInDialogInvite(
      dialog.createRequest('INVITE', { body: sdpBody(this.#local), extraHeaders }),
      kind,
    )
  }

  #sendInDialogInvite(request: SipRequest, kind: 't38' | 'refresh'): void {
    const dialog = this.#dialog!
    this.#env.layer.sendRequest(request, this.#env.peer, {
      onResponse: (response) => {
        if (response.status < 200) {
          return
        }
        if (this.#state !== 'established') {
          if (response.status < 300) {
            this.#confirm(request, response)
          }
          return
        }
        dialog.receiveResponse(request, response)
        if (response.status < 300) {
          this.#ourReinvite = null
          this.#confirm(request, response)
          const timer = timerFromResponse(response.headers)
          this.#setSessionTimer(timer ?? this.#sessionTimer)
          if (kind === 'refresh') {
            this.#events.push({ type: 'refreshed' })
          } else {
            this.#takeAnswer(response, 't38')
          }
          return
        }
        if (response.status === 401 || response.status === 407) {
          const again = this.#authorize(request, response, (credentials, nc, cnonce) =>
            dialog.withAuthorization(request, response, credentials, nc, cnonce),
          )
          if (again !== null) {
            this.#sendInDialogInvite(again, kind)
            return
          }
        }
        this.#ourReinvite = null
        if (response.status === 491) {
          // RFC 3261 §14.1: "If the UAC ... is the owner of the Call-ID ... T has a randomly
          // chosen value between 2.1 and 4 seconds in units of 10 ms. If the UAC is not the
          // owner of the Call-ID ... T has a randomly chosen value of between 0 and 2 seconds
          // in units of 10 ms."
          const random = this.#env.random ?? Math.random
          const waitMs =
            this.role === 'uac'
              ? 2100 + Math.floor(random() * 191) * 10
              : Math.floor(random() * 201) * 10
          this.#timers.set('glare-retry', waitMs, () => this.#sendReinvite(kind))
          if (kind === 't38') {
            // The offer goes again; the o= version already counted this one.
            this.#local = updateLocalDescription(this.#local, this.#local.media)
          }
          return
        }
        if (dialog.terminated) {
          this.#end({ reason: 'remote-hangup' })
          return
        }
        const retryAfter = retryAfterMs(response)
        if (response.status === 500 && retryAfter !== null) {
          // RFC 3261 §14.2: a 500 with Retry-After to a re-INVITE means the far end is still
          // finishing an INVITE transaction of its own; try again after that long.
          this.#timers.set('glare-retry', retryAfter, () => this.#sendReinvite(kind))
          return
        }
        if (kind === 't38') {
          this.#sendBye({
            reason: 't38-refused',
            status: response.status,
            detail: `${response.status} ${response.reason}`,
          })
        }
        // A refused refresh leaves the session as it was (RFC 4028 §10 keeps it until expiry).
      },
      onTimeout: () => {
        this.#ourReinvite = null
        if (this.#state === 'established') {
          this.#sendBye(
            kind === 't38'
              ? { reason: 't38-refused', status: 408, detail: 'no answer to the T.38 re-INVITE' }
              : { reason: 'remote-hangup' },
          )
        }
      },
    })
  }

  /** The far end's re-INVITE: to T.38, back to audio, or a session refresh. */
  #receiveReinvite(incoming: IncomingRequest): void {
    const request = incoming.request
    if (this.#ourReinvite !== null) {
      // RFC 3261 §14.2: "A UAS that receives an INVITE on a dialog while an INVITE it had sent
      // on that dialog is in progress MUST return a 491 (Request Pending) response".
      incoming.respond(responseFor(request, 491, 'Request Pending'))
      return
    }
    if (this.#unacknowledged !== null) {
      // §14.2: "A UAS that receives a second INVITE before it sends the final response to a
      // first INVITE with a lower CSeq sequence number on the same dialog MUST return a 500".
      incoming.respond(
        responseFor(request, 500, 'Server Internal Error', {
          extraHeaders: [
            ['Retry-After', String(1 + Math.floor((this.#env.random ?? Math.random)() * 10))],
          ],
        }),
      )
      return
    }
    const timer = this.#sessionTimerOr422(incoming)
    if (timer === null) {
      return
    }
    let media: CallMedia | null = null
    if (request.body.length > 0) {
      let offer: SessionDescription
      try {
        offer = parseSdp(textDecoder.decode(request.body))
      } catch (error) {
        incoming.respond(
          responseFor(request, 400, `Bad SDP: ${(error as Error).message}`.slice(0, 100)),
        )
        return
      }
      const answer = this.#answerOffer(offer)
      if ('refusal' in answer) {
        incoming.respond(
          responseFor(request, 488, 'Not Acceptable Here', {
            extraHeaders: [['Warning', `304 faxd "${answer.refusal}"`]],
          }),
        )
        return
      }
      this.#local = answer.local
      media = answer.media
    }
    const extraHeaders: ExtraHeader[] =
      timer.kind === 'timer'
        ? [
            ['Session-Expires', timer.header],
            ['Require', 'timer'],
          ]
        : []
    const response = responseFor(request, 200, 'OK', {
      contact: this.#env.contact,
      body: sdpBody(this.#local),
      extraHeaders,
    })
    this.#sendAnswer(incoming, response)
    if (timer.kind === 'timer') {
      this.#setSessionTimer(timer.timer)
    } else if (this.#sessionTimer !== null) {
      // A re-INVITE without Session-Expires still refreshes the session (RFC 4028 §10: any
      // re-INVITE or UPDATE is a refresh); the timer keeps its interval.
      this.#setSessionTimer(this.#sessionTimer)
    }
    if (media === null || !this.#mediaAgreed(media)) {
      // The same media again: a session refresh (RFC 4028 §7.4 repeats the offer).
      this.#events.push({ type: 'refreshed' })
    }
  }

  /**
   * The session timer a re-INVITE or UPDATE asks for; null when it asks for less than our Min-SE
   * and has been answered 422 with it (RFC 4028 §9).
   */
  #sessionTimerOr422(incoming: IncomingRequest): SessionTimerAnswer | null {
    const timer = answerSessionTimer(incoming.request.headers, this.#minSe)
    if (timer.kind !== 'too-small') {
      return timer
    }
    incoming.respond(
      responseFor(incoming.request, 422, 'Session Interval Too Small', {
        extraHeaders: [['Min-SE', String(timer.minSeSeconds)]],
      }),
    )
    return null
  }

  /** UPDATE without a body: a session refresh (RFC 4028 §10). With an offer, we decline it. */
  #receiveUpdate(incoming: IncomingRequest): void {
    const request = incoming.request
    if (request.body.length > 0) {
      incoming.respond(responseFor(request, 488, 'Not Acceptable Here'))
      return
    }
    const timer = this.#sessionTimerOr422(incoming)
    if (timer === null) {
      return
    }
    incoming.respond(
      responseFor(request, 200, 'OK', {
        contact: this.#env.contact,
        extraHeaders:
          timer.kind === 'timer'
            ? [
                ['Session-Expires', timer.header],
                ['Require', 'timer'],
              ]
            : [],
      }),
    )
    this.#setSessionTimer(timer.kind === 'timer' ? timer.timer : this.#sessionTimer)
    this.#events.push({ type: 'refreshed' })
  }

  /**
   * Our answer to an offer (in an INVITE or re-INVITE): the image stream if there is one we can
   * take, else the audio stream, else a refusal. The answer keeps the offer's m lines in order,
   * declining the others (RFC 3264 §6). A repeated offer (a refresh) gets the same description
   * back, with the same o= version (RFC 3264 §8).
   */
  #answerOffer(
    offer: SessionDescription,
  ): { local: LocalDescription; media: CallMedia | null } | { refusal: string } {
    const stream = readT38Stream(offer)
    if (!isT38Refusal(stream)) {
      const params = answerT38(stream.params, this.#settings.t38)
      if (isT38Refusal(params)) {
        return { refusal: params.detail }
      }
      const negotiated = negotiateT38(params, stream.params)
      if (isT38Refusal(negotiated)) {
        return { refusal: negotiated.detail }
      }
      return {
        local: this.#nextLocal(
          answerMedia(offer, stream.index, buildT38Media(params, this.#mediaPort)),
        ),
        media: {
          remote: { address: stream.connection.address, port: stream.port },
          t38: negotiated,
        },
      }
    }
    if (stream.refused !== 'no-image-stream' && stream.refused !== 'declined') {
      return { refusal: stream.detail }
    }
    const audio = readAudioStream(offer)
    if (isAudioRefusal(audio)) {
      return { refusal: `${stream.detail}; ${audio.detail}` }
    }
    return {
      local: this.#nextLocal(answerMedia(offer, audio.index, audioAnswer(audio, this.#mediaPort))),
      media: null,
    }
  }

  #nextLocal(media: SdpMedia[]): LocalDescription {
    return this.#local.media.length === 0
      ? { ...this.#local, media }
      : updateLocalDescription(this.#local, media)
  }

  // ---- our 2xx, resent until the ACK --------------------------------------------------------------

  /**
   * RFC 3261 §13.3.1.4: "The 2xx response is passed to the transport with an interval that
   * starts at T1 seconds and doubles for each retransmission until it reaches T2 seconds ...
   * If the server retransmits the 2xx response for 64*T1 seconds without receiving an ACK,
   * the dialog is confirmed, but the session SHOULD be terminated. This is accomplished with
   * a BYE".
   */
  #sendAnswer(incoming: IncomingRequest, response: SipResponse): void {
    incoming.respond(response)
    const t1 = this.#settings.t1Ms ?? DEFAULT_SIP_TIMERS.t1Ms
    this.#unacknowledged = {
      incoming,
      response,
      cseq: cseqOf(incoming.request),
      intervalMs: t1,
    }
    this.#armResend()
    this.#timers.set('ack-timeout', 64 * t1, () => {
      if (this.#unacknowledged !== null) {
        this.#unacknowledged = null
        this.#timers.clear('resend-2xx')
        this.#sendBye({ reason: 'no-ack' })
      }
    })
  }

  #armResend(): void {
    const pending = this.#unacknowledged
    if (pending === null) {
      return
    }
    this.#timers.set('resend-2xx', pending.intervalMs, () => {
      pending.incoming.respond(pending.response)
      pending.intervalMs = Math.min(2 * pending.intervalMs, DEFAULT_SIP_TIMERS.t2Ms)
      this.#armResend()
    })
  }

  // ---- session timer --------------------------------------------------------------------------------

  #setSessionTimer(timer: SessionTimer | null): void {
    this.#sessionTimer = timer
    this.#timers.clear('refresh', 'expire')
    if (timer === null || this.#state !== 'established') {
      return
    }
    if (timer.weRefresh) {
      this.#timers.set('refresh', refreshAfterMs(timer), () => this.#sendReinvite('refresh'))
    } else {
      this.#timers.set('expire', expiresAfterMs(timer), () =>
        this.#sendBye({ reason: 'session-expired' }),
      )
    }
  }

  // ---- endings ----------------------------------------------------------------------------------

  /** Records the agreed T.38 stream; true when it is new or changed (and told as `media`). */
  #mediaAgreed(media: CallMedia): boolean {
    this.#timers.clear('reinvite', 'glare-retry')
    const same = this.#media !== null && JSON.stringify(this.#media) === JSON.stringify(media)
    this.#media = media
    if (!same) {
      this.#events.push({ type: 'media', media })
    }
    return !same
  }

  #cancelledByCaller(): void {
    if (this.#state !== 'incoming' || this.#incoming === null) {
      return
    }
    this.#incoming.respond(
      responseFor(this.#incoming.request, 487, 'Request Terminated', this.#tagged()),
    )
    this.#end({ reason: 'cancelled' })
  }

  /** BYE in the dialog; `end` null when the call had already ended for the owner. */
  #sendBye(end: CallEnd | null): void {
    const dialog = this.#dialog
    if (dialog !== null && !dialog.terminated) {
      const bye = dialog.createRequest('BYE')
      dialog.terminate()
      this.#env.layer.sendRequest(bye, this.#env.peer, {
        onResponse: () => undefined,
        onTimeout: () => undefined,
      })
    }
    if (end !== null) {
      this.#end(end)
    }
  }

  #end(end: CallEnd): void {
    if (this.#state === 'ended') {
      return
    }
    this.#state = 'ended'
    this.#timers.clearAll()
    this.#unacknowledged = null
    this.#events.push({ type: 'ended', end })
  }

  // ---- helpers ----------------------------------------------------------------------------------

  /** Credentials for a 401/407, once per challenge (a second one for the same nonce fails). */
  #authorize(
    request: SipRequest,
    response: SipResponse,
    reissue: (credentials: DigestCredentials, nc: number, cnonce: string) => SipRequest | null,
  ): SipRequest | null {
    const credentials = this.#settings.credentials
    if (credentials === undefined || this.#authTries >= 2 || hasCredentials(request, response)) {
      return null
    }
    this.#authTries += 1
    return reissue(credentials, 1, this.#ids.tag())
  }

  #toTag: string | null = null

  /** Our To tag for every response to the INVITE we answer (§8.2.6.2: the same for all). */
  #tagged(): { readonly toTag: string } {
    this.#toTag ??= this.#ids.tag()
    return { toTag: this.#toTag }
  }
}

/** The T.38 params of our own image line, as we offered them. */
function readT38OfOurs(media: SdpMedia): T38Params {
  const stream = readT38Stream({
    origin: {
      username: '-',
      sessionId: '0',
      sessionVersion: '0',
      netType: 'IN',
      addressType: 'IP4',
      address: '0.0.0.0',
    },
    sessionName: '-',
    emails: [],
    phones: [],
    connection: { addressType: 'IP4', address: '0.0.0.0' },
    bandwidths: [],
    times: [],
    attributes: [],
    media: [media],
  })
  if (isT38Refusal(stream)) {
    throw new Error(`our own image line is not T.38: ${stream.detail}`)
  }
  return stream.params
}

/**
 * Whether `request` already answered the challenge in `response` (same realm and nonce, and
 * the challenge is not marked stale): answering again would loop on wrong credentials.
 */
function hasCredentials(request: SipRequest, response: SipResponse): boolean {
  const challengeHeader = response.status === 407 ? 'Proxy-Authenticate' : 'WWW-Authenticate'
  const answerHeader = response.status === 407 ? 'Proxy-Authorization' : 'Authorization'
  const challenge = response.headers.get(challengeHeader) ?? ''
  if (/stale\s*=\s*"?true/i.test(challenge)) {
    return false
  }
  const nonce = /nonce\s*=\s*"([^"]*)"/i.exec(challenge)?.[1]
  return (
    nonce !== undefined &&
    request.headers.getLines(answerHeader).some((line) => line.includes(`"${nonce}"`))
  )
}

/** An INVITE outside a dialog again, with a new branch, the next CSeq and `headers` replaced. */
function reissued(
  invite: SipRequest,
  ids: SipIdGenerator,
  headers: readonly [string, string][],
): SipRequest {
  const replaced = new Set(headers.map(([name]) => name.toLowerCase()))
  const copy = invite.headers.clone()
  for (const name of replaced) {
    copy.delete(name)
  }
  for (const [name, value] of headers) {
    copy.append(name, value)
  }
  const via = copy.get('Via') ?? ''
  copy.set('Via', via.replace(/branch=[^;,\s]+/i, `branch=${newBranch(ids)}`))
  const seq = cseqOf(invite) + 1
  copy.set('CSeq', `${seq} INVITE`)
  return { ...invite, headers: copy }
}

/** Retry-After in ms (RFC 3261 §20.33: delta-seconds, with an optional comment), or null. */
function retryAfterMs(response: SipResponse): number | null {
  const match = /^\s*(\d{1,6})/.exec(response.headers.get('Retry-After') ?? '')
  return match === null ? null : Math.min(Number(match[1]), 32) * 1000
}

function cseqOf(message: SipRequest | SipResponse): number {
  return Number.parseInt((message.headers.get('CSeq') ?? '0').trim(), 10)
}

function sdpBody(local: LocalDescription): Uint8Array {
  return textEncoder.encode(formatSdp(localSessionDescription(local)))
}

function connectionOf(address: string): { addressType: 'IP4' | 'IP6'; address: string } {
  return { addressType: address.includes(':') ? 'IP6' : 'IP4', address }
}

/** A session id for the o line: any number will do (RFC 4566 §5.2); 48 random bits. */
function sessionIdFrom(random: () => number): bigint {
  return BigInt(Math.floor(random() * 2 ** 48))
}
