/**
 * A REGISTER client (RFC 3261 §10.2), sans I/O: it keeps one binding, our Contact, registered
 * at a registrar (the SIP trunk) under one address-of-record, refreshes it before it runs out,
 * answers digest challenges, and gets back on its feet by itself when the trunk has been away.
 * It sends through the TransactionLayer it is given (transaction-layer.ts), so retransmission
 * and Timer F are the layer's business; what it reports comes out of `takeEvents()`.
 *
 * Time. The Registration keeps one deadline of its own (the next refresh, or the next try after
 * a failure) on its own clock, which `advance(ms)` moves; it never advances the layer. The owner
 * moves both by the same amounts, the layer first, then the Registration:
 *
 *     const step = Math.min(elapsedMs, layer.nextTimerInMs ?? Infinity,
 *       registration.nextTimerInMs ?? Infinity)
 *     layer.advance(step)
 *     registration.advance(step)
 *     // then send what layer.takeSends() holds, and read registration.takeEvents()
 *
 * Layer first, so that a REGISTER sent when our deadline falls due starts its transaction at
 * that instant rather than being aged by the step. A timeout reported from inside
 * `layer.advance` is then seen before our own clock has moved; so that the back-off counts from
 * the right instant, the Registration reads "now" as the later of its own clock and the time
 * the layer has moved since the Registration was made.
 *
 * Credentials. After a 401 or 407 the challenge is kept, and every later REGISTER (refresh,
 * retry, the final Expires: 0) carries credentials for it at once, with the nonce count one
 * higher and the same client nonce (an MD5-sess server keys its session on the first cnonce).
 * A registrar whose nonce has run out challenges again, with a new nonce or `stale=true`, and
 * that challenge is answered as the first was. A challenge repeating the very nonce we just
 * answered, without `stale=true`, means the password is wrong: the Registration stops, reports
 * the failure without a retry, and waits for `start()` (a trunk that counts failed logins may
 * ban an address that keeps trying).
 */
import type { DigestCredentials } from './digest.js'
import {
  MAX_FORWARDS,
  finishRequest,
  formatLocalVia,
  newBranch,
  randomSipIds,
  withAuthorization,
  type LocalVia,
  type SipIdGenerator,
} from './request-factory.js'
import {
  formatCSeq,
  formatNameAddr,
  parseDigestChallenge,
  parseDigestCredentials,
  parseExpires,
  parseNameAddr,
  type NameAddr,
} from './sip-headers.js'
import { SipHeaders, type SipRequest, type SipResponse } from './sip-message.js'
import { parseSipUri } from './sip-uri.js'
import type { SipPeer, TransactionLayer } from './transaction-layer.js'

/** What we ask for when the owner does not say: an hour, as most trunks grant. */
export const DEFAULT_EXPIRES_SECONDS = 3600

/**
 * How long before the binding runs out a refresh starts, for a long binding. A REGISTER over
 * UDP may take Timer F = 64·T1 = 32 s to end in a timeout; five minutes leave room for that and
 * for two or three retries on the back-off below while the old binding still stands, so a trunk
 * that drops one refresh does not cost us incoming faxes. A short binding is refreshed halfway.
 */
export const REFRESH_MARGIN_SECONDS = 300

/** The first wait after a failure; it doubles with each failure in a row, up to the cap. */
export const FIRST_RETRY_DELAY_MS = 30_000
export const MAX_RETRY_DELAY_MS = 600_000

/** A Retry-After (RFC 3261 §20.33) longer than this is not obeyed beyond it. */
export const MAX_RETRY_AFTER_MS = 3_600_000

/**
 * How many 401/407 in a row one registration attempt answers before giving up: a proxy's 407,
 * the registrar's 401, and one stale nonce. A server that keeps issuing new nonces to wrong
 * credentials would otherwise be answered for ever.
 */
export const MAX_CHALLENGES_IN_A_ROW = 3

export type RegistrationState =
  /** Made, not started. */
  | 'idle'
  /** A REGISTER is out and the registrar has not yet confirmed a binding. */
  | 'registering'
  /** The registrar confirmed the binding; a refresh may be out. */
  | 'registered'
  /** The last REGISTER failed; another goes after the back-off (an older binding may stand). */
  | 'retrying'
  /** The registrar refused our credentials (or asked for some we lack): no retry until start(). */
  | 'failed'
  /** stop(): the REGISTER with Expires: 0 is out. */
  | 'unregistering'
  /** Stopped; start() registers again. */
  | 'stopped'

export type RegistrationEvent =
  /** The registrar confirmed our binding for this long; after every successful REGISTER. */
  | { readonly type: 'registered'; readonly expiresSeconds: number }
  /**
   * A REGISTER failed: `status` is the final response's, null for no answer (a timeout).
   * `retryInMs` is when the next try goes, null when none will (refused credentials, or the
   * Expires: 0 of stop()).
   */
  | {
      readonly type: 'registration-failed'
      readonly status: number | null
      readonly reason: string
      readonly retryInMs: number | null
    }
  /**
   * stop() is done: the registrar removed the binding, or (after a 'registration-failed' just
   * before) did not answer, and the binding lapses at its expiry.
   */
  | { readonly type: 'unregistered' }

export interface RegistrationOptions {
  readonly layer: TransactionLayer
  /** Where REGISTERs go: the trunk's address. */
  readonly registrar: SipPeer
  /**
   * The Request-URI, `sip:<domain>` (§10.2: "The "userinfo" and "@" components of the SIP URI
   * MUST NOT be present").
   */
  readonly registrarUri: string
  /** The address-of-record, `sip:<user>@<domain>`: To and From. */
  readonly addressOfRecord: string
  /** Our Contact URI: where the trunk sends calls for the AOR. */
  readonly contact: string
  readonly localVia: LocalVia
  /** For the registrar's or its proxy's digest challenge; without them a challenge fails. */
  readonly credentials?: DigestCredentials
  /** The expiry we ask for, in seconds; default DEFAULT_EXPIRES_SECONDS. */
  readonly expiresSeconds?: number
  readonly ids?: SipIdGenerator
}

type ChallengeHeader = 'WWW-Authenticate' | 'Proxy-Authenticate'

/** A challenge kept to send credentials for it in later REGISTERs. */
interface KeptChallenge {
  readonly response: SipResponse
  nonceCount: number
  readonly cnonce: string
}

/** The REGISTER out now, and how it came to be. */
interface Outstanding {
  readonly request: SipRequest
  readonly expiresSeconds: number
  /** 401/407 answered in a row for this attempt. */
  readonly challengesInRow: number
  /** This attempt already raised its expiry after a 423. */
  readonly raisedAfterTooBrief: boolean
}

export class Registration {
  readonly #layer: TransactionLayer
  readonly #registrar: SipPeer
  readonly #registrarUri: string
  readonly #addressOfRecord: string
  readonly #contact: string
  readonly #localVia: LocalVia
  readonly #credentials: DigestCredentials | undefined
  readonly #ids: SipIdGenerator
  /**
   * §10.2: "Call-ID: All registrations from a UAC SHOULD use the same Call-ID header field
   * value for registrations sent to a particular registrar." One Call-ID, and one From tag,
   * for the life of this object.
   */
  readonly #callId: string
  readonly #fromTag: string
  readonly #layerOrigin: number
  readonly #challenges = new Map<ChallengeHeader, KeptChallenge>()
  #expiresSeconds: number
  /**
   * §10.2: "A UA MUST increment the CSeq value by one for each REGISTER request with the same
   * Call-ID."
   */
  #cseq = 0
  #state: RegistrationState = 'idle'
  #now = 0
  #deadline: number | null = null
  /** Matches callbacks to the REGISTER they are for; older ones are ignored. */
  #attempt = 0
  #outstanding: Outstanding | null = null
  #failuresInRow = 0
  /** When the binding the registrar last confirmed runs out (our clock), if it was one. */
  #boundUntil: number | null = null
  #events: RegistrationEvent[] = []

  constructor(options: RegistrationOptions) {
    const expires = options.expiresSeconds ?? DEFAULT_EXPIRES_SECONDS
    if (!Number.isInteger(expires) || expires < 1) {
      throw new RangeError(`a registration lasts a whole number of seconds >= 1, not ${expires}`)
    }
    this.#layer = options.layer
    this.#registrar = options.registrar
    this.#registrarUri = options.registrarUri
    this.#addressOfRecord = options.addressOfRecord
    this.#contact = options.contact
    this.#localVia = options.localVia
    this.#credentials = options.credentials
    this.#ids = options.ids ?? randomSipIds
    this.#expiresSeconds = expires
    this.#callId = this.#ids.callId()
    this.#fromTag = this.#ids.tag()
    this.#layerOrigin = options.layer.now
  }

  get state(): RegistrationState {
    return this.#state
  }

  /** The Call-ID of every REGISTER this object sends. */
  get callId(): string {
    return this.#callId
  }

  /** The time until the next refresh or retry is due, or null when none is set. */
  get nextTimerInMs(): number | null {
    return this.#deadline === null ? null : Math.max(0, this.#deadline - this.#time())
  }

  /**
   * Registers (again, after stop() or a refused login). Ignored while a registration is under
   * way (registering, registered, retrying) or being stopped.
   */
  start(): void {
    if (this.#state !== 'idle' && this.#state !== 'stopped' && this.#state !== 'failed') {
      return
    }
    this.#failuresInRow = 0
    this.#state = 'registering'
    this.#register(this.#expiresSeconds)
  }

  /**
   * Cancels refreshes and retries and, when a binding may stand (one was confirmed and has not
   * run out, or a REGISTER is out), removes it with Expires: 0 (§10.2.2: "A UA requests the
   * immediate removal of a binding by specifying an expiration interval of "0" for that contact
   * address in a REGISTER request"). Only our Contact: a `*` would also remove the bindings of
   * other devices on the same AOR. 'unregistered' follows when that is done.
   */
  stop(): void {
    if (this.#state === 'unregistering' || this.#state === 'stopped') {
      return
    }
    this.#deadline = null
    const mayBeBound =
      this.#outstanding !== null || (this.#boundUntil !== null && this.#time() < this.#boundUntil)
    if (!mayBeBound) {
      this.#finishStop()
      return
    }
    this.#state = 'unregistering'
    this.#register(0)
  }

  /** Moves this object's clock on by `ms` (not the layer's); a due refresh or retry goes now. */
  advance(ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) {
      throw new RangeError(`time moves forward by a finite amount, not ${ms}`)
    }
    this.#now += ms
    if (this.#deadline !== null && this.#time() >= this.#deadline) {
      this.#deadline = null
      if (this.#state === 'retrying') {
        this.#state = 'registering'
      }
      this.#register(this.#expiresSeconds)
    }
  }

  takeEvents(): RegistrationEvent[] {
    const events = this.#events
    this.#events = []
    return events
  }

  /** Our clock, caught up with the layer's when a layer callback runs before our advance. */
  #time(): number {
    return Math.max(this.#now, this.#layer.now - this.#layerOrigin)
  }

  /** A new REGISTER (next CSeq, new branch) with credentials for the challenges we keep. */
  #register(expiresSeconds: number, raisedAfterTooBrief = false): void {
    this.#cseq += 1
    const headers = new SipHeaders()
      .append('Via', formatLocalVia(this.#localVia, newBranch(this.#ids)))
      .append('Max-Forwards', String(MAX_FORWARDS))
      .append('From', formatNameAddr({ uri: this.#addressOfRecord, tag: this.#fromTag }))
      .append('To', formatNameAddr({ uri: this.#addressOfRecord }))
      .append('Call-ID', this.#callId)
      .append('CSeq', formatCSeq({ seq: this.#cseq, method: 'REGISTER' }))
      .append('Contact', formatNameAddr({ uri: this.#contact }))
      .append('Expires', String(expiresSeconds))
    let request = finishRequest('REGISTER', this.#registrarUri, headers, {})
    if (this.#credentials !== undefined) {
      for (const kept of this.#challenges.values()) {
        kept.nonceCount += 1
        request =
          withAuthorization(
            request,
            kept.response,
            this.#credentials,
            kept.nonceCount,
            kept.cnonce,
            { cseq: this.#cseq, ids: this.#ids },
          ) ?? request
      }
    }
    this.#send({ request, expiresSeconds, challengesInRow: 0, raisedAfterTooBrief })
  }

  #send(outstanding: Outstanding): void {
    const attempt = ++this.#attempt
    this.#outstanding = outstanding
    this.#layer.sendRequest(outstanding.request, this.#registrar, {
      onResponse: (response) => {
        if (attempt === this.#attempt) {
          this.#onResponse(outstanding, response)
        }
      },
      onTimeout: () => {
        if (attempt === this.#attempt) {
          this.#outstanding = null
          this.#onFailure(null, 'no response from the registrar')
        }
      },
    })
  }

  #onResponse(outstanding: Outstanding, response: SipResponse): void {
    if (response.status < 200) {
      return
    }
    this.#outstanding = null
    const { status } = response
    if (status < 300) {
      this.#onSuccess(outstanding, response)
    } else if (status === 401 || status === 407) {
      this.#onChallenge(outstanding, response)
    } else if (status === 423 && outstanding.expiresSeconds > 0) {
      this.#onIntervalTooBrief(outstanding, response)
    } else {
      this.#onFailure(status, `${status} ${response.reason}`, retryAfterMs(response))
    }
  }

  #onSuccess(outstanding: Outstanding, response: SipResponse): void {
    if (outstanding.expiresSeconds === 0) {
      this.#boundUntil = null
      this.#finishStop()
      return
    }
    const granted = grantedExpirySeconds(response, this.#contact, outstanding.expiresSeconds)
    if (granted === 0) {
      this.#onFailure(response.status, `${response.status} ${response.reason} with expires=0`)
      return
    }
    this.#failuresInRow = 0
    this.#state = 'registered'
    this.#boundUntil = this.#time() + granted * 1000
    this.#deadline = this.#time() + refreshDelayMs(granted)
    this.#events.push({ type: 'registered', expiresSeconds: granted })
  }

  /**
   * §22.2 and §8.1.3.5: the same REGISTER again, with credentials, a CSeq one higher and a new
   * branch (withAuthorization in request-factory.ts).
   */
  #onChallenge(outstanding: Outstanding, response: SipResponse): void {
    const status = response.status
    const what = `${status} ${response.reason}`
    if (this.#credentials === undefined) {
      this.#giveUp(status, `${what}: the registrar asks for credentials and none are configured`)
      return
    }
    const challengeHeader: ChallengeHeader =
      status === 407 ? 'Proxy-Authenticate' : 'WWW-Authenticate'
    const answerHeader = status === 407 ? 'Proxy-Authorization' : 'Authorization'
    const cnonce = this.#ids.tag()
    const again = withAuthorization(outstanding.request, response, this.#credentials, 1, cnonce, {
      cseq: this.#cseq + 1,
      ids: this.#ids,
    })
    if (again === null) {
      this.#giveUp(status, `${what}: no Digest challenge we can answer`)
      return
    }
    // withAuthorization appends the new credentials last.
    const answered = readCredentials(again.headers.getLines(answerHeader).at(-1))
    const before = outstanding.request.headers
      .getLines(answerHeader)
      .map(readCredentials)
      .find((credentials) => credentials?.realm === answered?.realm)
    if (
      answered !== undefined &&
      before?.nonce === answered.nonce &&
      !isStale(response, challengeHeader, answered.nonce)
    ) {
      this.#giveUp(status, `${what}: the registrar refused our credentials`)
      return
    }
    const challengesInRow = outstanding.challengesInRow + 1
    if (challengesInRow > MAX_CHALLENGES_IN_A_ROW) {
      this.#giveUp(status, `${what}: challenged ${challengesInRow} times in a row`)
      return
    }
    this.#challenges.set(challengeHeader, { response, nonceCount: 1, cnonce })
    this.#cseq += 1
    this.#send({ ...outstanding, request: again, challengesInRow })
  }

  /**
   * §10.2.8: "If a UA receives a 423 (Interval Too Brief) response, it MAY retry the
   * registration after making the expiration interval of all contact addresses in the REGISTER
   * request equal to or greater than the expiration interval within the Min-Expires header
   * field of the 423 (Interval Too Brief) response." Later REGISTERs ask for it too. Once per
   * attempt, and only upwards, so that a registrar cannot keep us going round.
   */
  #onIntervalTooBrief(outstanding: Outstanding, response: SipResponse): void {
    const minExpires = readDeltaSeconds(response.headers.get('Min-Expires'))
    if (
      outstanding.raisedAfterTooBrief ||
      minExpires === undefined ||
      minExpires <= outstanding.expiresSeconds
    ) {
      this.#onFailure(423, `423 ${response.reason} without a Min-Expires above what we asked`)
      return
    }
    this.#expiresSeconds = minExpires
    this.#register(minExpires, true)
  }

  /**
   * A REGISTER failed for a reason that may pass (a timeout, a 5xx, a 403 from a trunk that is
   * being reconfigured): try again after a back-off, or after the Retry-After the response
   * gave if that is later. While stopping there is nothing to retry.
   */
  #onFailure(status: number | null, reason: string, retryAfter?: number): void {
    if (this.#state === 'unregistering') {
      this.#events.push({ type: 'registration-failed', status, reason, retryInMs: null })
      this.#finishStop()
      return
    }
    this.#failuresInRow += 1
    const delay = Math.max(retryDelayMs(this.#failuresInRow), retryAfter ?? 0)
    this.#state = 'retrying'
    this.#deadline = this.#time() + delay
    this.#events.push({ type: 'registration-failed', status, reason, retryInMs: delay })
  }

  /** The credentials failed: no retry, and the kept challenges are dropped. */
  #giveUp(status: number, reason: string): void {
    this.#challenges.clear()
    if (this.#state === 'unregistering') {
      this.#onFailure(status, reason)
      return
    }
    this.#state = 'failed'
    this.#deadline = null
    this.#events.push({ type: 'registration-failed', status, reason, retryInMs: null })
  }

  #finishStop(): void {
    this.#state = 'stopped'
    this.#deadline = null
    this.#outstanding = null
    this.#attempt += 1 // whatever is still out is no longer ours to hear
    this.#events.push({ type: 'unregistered' })
  }
}

/**
 * When to refresh a binding granted for `grantedSeconds`: halfway for a short one,
 * REFRESH_MARGIN_SECONDS before it runs out for a long one (the later of the two), and never
 * sooner than 1 s. §10.2.4 asks only that "The UA then issues a REGISTER request for each of its
 * bindings before the expiration interval has elapsed."
 */
export function refreshDelayMs(grantedSeconds: number): number {
  const seconds = Math.max(grantedSeconds / 2, grantedSeconds - REFRESH_MARGIN_SECONDS)
  return Math.max(1000, Math.round(seconds * 1000))
}

/**
 * The wait before try number `failuresInRow` + 1: 30 s, 60 s, 120 s … up to 10 min. RFC 5626
 * §4.5 recovers flows the same way (doubling from 30 s, with a larger cap and random jitter);
 * we have one registration per trunk, so there is no crowd to spread out and no jitter.
 */
export function retryDelayMs(failuresInRow: number): number {
  const doublings = Math.max(0, failuresInRow - 1)
  return Math.min(MAX_RETRY_DELAY_MS, FIRST_RETRY_DELAY_MS * 2 ** Math.min(doublings, 20))
}

/**
 * The expiry a 2xx grants our Contact. §10.2.4: "The UA compares each contact address to see
 * if it created the contact address, using comparison rules in Section 19.1.4. If so, it
 * updates the expiration time interval according to the expires parameter or, if absent, the
 * Expires field value." When no Contact is ours but the 2xx lists exactly one, that one is
 * taken as ours: an SBC may have rewritten the address it saw through NAT. With neither, what
 * we asked for.
 */
export function grantedExpirySeconds(
  response: SipResponse,
  contact: string,
  requestedSeconds: number,
): number {
  const contacts: NameAddr[] = []
  for (const value of response.headers.getAll('Contact')) {
    try {
      contacts.push(parseNameAddr(value))
    } catch {
      // A malformed binding of someone else's is no reason to refuse ours.
    }
  }
  const ours =
    contacts.find((binding) => sameContact(binding.uri, contact)) ??
    (contacts.length === 1 ? contacts[0] : undefined)
  if (ours?.expires !== undefined) {
    return ours.expires
  }
  return readDeltaSeconds(response.headers.get('Expires')) ?? requestedSeconds
}

/**
 * §19.1.4, in the part that matters between a Contact we sent and the one a registrar echoes:
 * the same scheme, user (case-sensitive), host (not), port, and transport parameter.
 */
function sameContact(a: string, b: string): boolean {
  if (a === b) {
    return true
  }
  try {
    const x = parseSipUri(a)
    const y = parseSipUri(b)
    return (
      x.scheme === y.scheme &&
      x.user === y.user &&
      x.host.toLowerCase() === y.host.toLowerCase() &&
      x.port === y.port &&
      (x.params.get('transport') ?? '').toLowerCase() ===
        (y.params.get('transport') ?? '').toLowerCase()
    )
  } catch {
    return false
  }
}

function readDeltaSeconds(value: string | undefined): number | undefined {
  if (value === undefined) {
    return undefined
  }
  try {
    return parseExpires(value)
  } catch {
    return undefined
  }
}

/** Retry-After = delta-seconds [ comment ] *( SEMI retry-param ) (§20.33), in ms, capped. */
function retryAfterMs(response: SipResponse): number | undefined {
  const match = /^\s*([0-9]{1,10})/.exec(response.headers.get('Retry-After') ?? '')
  return match?.[1] === undefined
    ? undefined
    : Math.min(MAX_RETRY_AFTER_MS, Number(match[1]) * 1000)
}

function readCredentials(line: string | undefined): { realm: string; nonce: string } | undefined {
  if (line === undefined) {
    return undefined
  }
  try {
    const { realm, nonce } = parseDigestCredentials(line)
    return { realm, nonce }
  } catch {
    return undefined
  }
}

/** Whether the challenge carrying `nonce` says `stale=true` (RFC 2617 §3.2.1). */
function isStale(response: SipResponse, header: ChallengeHeader, nonce: string): boolean {
  return response.headers.getLines(header).some((line) => {
    try {
      const challenge = parseDigestChallenge(line)
      return challenge.nonce === nonce && challenge.stale
    } catch {
      return false
    }
  })
}
