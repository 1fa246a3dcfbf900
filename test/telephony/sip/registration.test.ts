import assert from 'node:assert/strict'
import { test } from 'node:test'

import { digestAuthorization } from '../../../src/telephony/sip/digest.js'
import {
  Registration,
  grantedExpirySeconds,
  refreshDelayMs,
  retryDelayMs,
  type RegistrationEvent,
  type RegistrationOptions,
} from '../../../src/telephony/sip/registration.js'
import { responseFor, type SipIdGenerator } from '../../../src/telephony/sip/request-factory.js'
import {
  BRANCH_MAGIC_COOKIE,
  formatDigestChallenge,
  parseCSeq,
  parseDigestCredentials,
  parseNameAddr,
  parseVia,
} from '../../../src/telephony/sip/sip-headers.js'
import {
  checkMandatoryHeaders,
  parseSipMessage,
  serializeSipMessage,
  type SipRequest,
  type SipResponse,
} from '../../../src/telephony/sip/sip-message.js'
import { TransactionLayer, type SipPeer } from '../../../src/telephony/sip/transaction-layer.js'

const TRUNK: SipPeer = { address: '198.51.100.7', port: 5060 }
const DOMAIN = 'sip.example.net'
const REGISTRAR_URI = `sip:${DOMAIN}`
const AOR = `sip:faxd@${DOMAIN}`
const CONTACT = 'sip:faxd@192.0.2.10:5060'
const CREDENTIALS = { username: 'faxd', password: 'correct horse' }
const REALM = DOMAIN

/** Deterministic ids: z9hG4bK-b1, t2, c3@test, … */
function countingIds(): SipIdGenerator {
  let n = 0
  return {
    branch: () => `${BRANCH_MAGIC_COOKIE}-b${++n}`,
    tag: () => `t${++n}`,
    callId: () => `c${++n}@test`,
  }
}

/** Through octets and back, as the other side would see it. */
function wire<T extends SipRequest | SipResponse>(message: T): T {
  const parsed = parseSipMessage(serializeSipMessage(message))
  checkMandatoryHeaders(parsed)
  return parsed as T
}

interface Seen {
  readonly at: number
  readonly request: SipRequest
}

/** How the scripted registrar answers the n-th distinct REGISTER (0-based); null: silence. */
type Script = (request: SipRequest, index: number) => SipResponse | null

/**
 * A real TransactionLayer and a Registration on it, with a registrar scripted by the test: each
 * new REGISTER (not a retransmission) is shown to the script, and its answer goes back through
 * layer.receive after a round trip through octets. Time moves from timer to timer, the layer
 * first, as registration.ts asks of its owner.
 */
class World {
  readonly layer = new TransactionLayer({
    onRequest: () => undefined,
    onAck: () => undefined,
    onStrayResponse: () => undefined,
  })
  readonly registration: Registration
  readonly seen: Seen[] = []
  readonly events: RegistrationEvent[] = []
  now = 0
  #branches = new Set<string>()
  script: Script

  constructor(script: Script, options: Partial<RegistrationOptions> = {}) {
    this.script = script
    this.registration = new Registration({
      layer: this.layer,
      registrar: TRUNK,
      registrarUri: REGISTRAR_URI,
      addressOfRecord: AOR,
      contact: CONTACT,
      localVia: { host: '192.0.2.10', port: 5060, transport: 'UDP', rport: true },
      credentials: CREDENTIALS,
      ids: countingIds(),
      ...options,
    })
  }

  start(): void {
    this.registration.start()
    this.deliver()
  }

  stop(): void {
    this.registration.stop()
    this.deliver()
  }

  /** Hands what the layer sent to the registrar, and its answers back, until all is quiet. */
  deliver(): void {
    for (;;) {
      const sends = this.layer.takeSends()
      if (sends.length === 0) {
        break
      }
      for (const { message, to } of sends) {
        assert.deepEqual(to, TRUNK)
        assert.ok(message.kind === 'request')
        const request = wire(message)
        const branch = parseVia(request.headers.get('Via') ?? '').branch ?? ''
        if (this.#branches.has(branch)) {
          continue // a retransmission: the registrar has answered it already, or stays silent
        }
        this.#branches.add(branch)
        this.seen.push({ at: this.now, request })
        const response = this.script(request, this.seen.length - 1)
        if (response !== null) {
          this.layer.receive(wire(response), TRUNK)
        }
      }
    }
    this.events.push(...this.registration.takeEvents())
  }

  /** Moves both clocks on by `ms`, stopping at every timer of either. */
  run(ms: number): void {
    const until = this.now + ms
    while (this.now < until) {
      const step = Math.min(
        until - this.now,
        this.layer.nextTimerInMs ?? Infinity,
        this.registration.nextTimerInMs ?? Infinity,
      )
      this.layer.advance(step)
      this.registration.advance(step)
      this.now += step
      this.deliver()
    }
  }

  get requests(): SipRequest[] {
    return this.seen.map((s) => s.request)
  }
}

// ---- the registrar's answers --------------------------------------------------------------

function ok(
  request: SipRequest,
  options: { expires?: number; contacts?: readonly string[] } = {},
): SipResponse {
  const extraHeaders: [string, string][] = (options.contacts ?? []).map((c) => ['Contact', c])
  if (options.expires !== undefined) {
    extraHeaders.push(['Expires', String(options.expires)])
  }
  return responseFor(request, 200, 'OK', { toTag: 'reg', extraHeaders })
}

function challenge(
  request: SipRequest,
  nonce: string,
  options: { status?: 401 | 407; stale?: boolean; realm?: string } = {},
): SipResponse {
  const status = options.status ?? 401
  const value = formatDigestChallenge({
    realm: options.realm ?? REALM,
    nonce,
    algorithm: 'MD5',
    qop: ['auth'],
    ...(options.stale === undefined ? {} : { stale: options.stale }),
  })
  return responseFor(
    request,
    status,
    status === 401 ? 'Unauthorized' : 'Proxy Authentication Required',
    {
      toTag: 'reg',
      extraHeaders: [[status === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate', value]],
    },
  )
}

/** The retryInMs of each failure reported. */
const retries = (events: readonly RegistrationEvent[]): (number | null)[] =>
  events.flatMap((e) => (e.type === 'registration-failed' ? [e.retryInMs] : []))

const expiresOf = (request: SipRequest): string | undefined => request.headers.get('Expires')
const seqOf = (request: SipRequest): number => parseCSeq(request.headers.get('CSeq') ?? '').seq
const branchOf = (request: SipRequest): string | undefined =>
  parseVia(request.headers.get('Via') ?? '').branch

/** The digest the registrar expects for `request`'s credentials (recomputed from scratch). */
function expectedDigest(request: SipRequest, header: string, nonce: string): string {
  const sent = parseDigestCredentials(request.headers.get(header) ?? '')
  assert.ok(sent.cnonce !== undefined && sent.nc !== undefined)
  return digestAuthorization({
    challenge: { realm: REALM, nonce, algorithm: 'MD5', qop: ['auth'] },
    credentials: CREDENTIALS,
    method: 'REGISTER',
    uri: REGISTRAR_URI,
    nonceCount: Number.parseInt(sent.nc, 16),
    cnonce: sent.cnonce,
  }).response
}

// ---- the REGISTER itself (§10.2) ------------------------------------------------------------

test('start() sends one REGISTER: registrar Request-URI, To = From = AOR, Contact, Expires', () => {
  const world = new World((request) => ok(request, { expires: 3600 }))
  world.start()
  assert.equal(world.requests.length, 1)
  const register = world.requests[0]!
  assert.equal(register.method, 'REGISTER')
  assert.equal(register.uri, REGISTRAR_URI)
  const from = parseNameAddr(register.headers.get('From') ?? '')
  const to = parseNameAddr(register.headers.get('To') ?? '')
  assert.equal(from.uri, AOR)
  assert.equal(to.uri, AOR)
  assert.ok(from.tag !== undefined && from.tag !== '')
  assert.equal(to.tag, undefined)
  assert.equal(register.headers.get('Call-ID'), world.registration.callId)
  assert.equal(register.headers.get('CSeq'), '1 REGISTER')
  assert.equal(parseNameAddr(register.headers.get('Contact') ?? '').uri, CONTACT)
  assert.equal(expiresOf(register), '3600')
  assert.deepEqual(world.events, [{ type: 'registered', expiresSeconds: 3600 }])
  assert.equal(world.registration.state, 'registered')
})

// ---- authentication (§22.2, §22.3) ------------------------------------------------------------

test('answers a 401 with an Authorization the registrar can verify, under the next CSeq', () => {
  const world = new World((request, index) =>
    index === 0 ? challenge(request, 'nonce-A') : ok(request, { expires: 3600 }),
  )
  world.start()
  assert.equal(world.requests.length, 2)
  const [first, second] = world.requests as [SipRequest, SipRequest]
  assert.equal(first.headers.has('Authorization'), false)
  const credentials = parseDigestCredentials(second.headers.get('Authorization') ?? '')
  assert.equal(credentials.username, 'faxd')
  assert.equal(credentials.realm, REALM)
  assert.equal(credentials.nonce, 'nonce-A')
  assert.equal(credentials.uri, REGISTRAR_URI)
  assert.equal(credentials.qop, 'auth')
  assert.equal(credentials.nc, '00000001')
  assert.equal(credentials.response, expectedDigest(second, 'Authorization', 'nonce-A'))
  // §22.2: same Call-ID, From, To and Request-URI; CSeq one higher; a new branch.
  assert.equal(second.headers.get('Call-ID'), first.headers.get('Call-ID'))
  assert.equal(second.headers.get('From'), first.headers.get('From'))
  assert.equal(second.uri, first.uri)
  assert.equal(seqOf(second), 2)
  assert.notEqual(branchOf(second), branchOf(first))
  assert.deepEqual(world.events, [{ type: 'registered', expiresSeconds: 3600 }])
})

test('answers a 407 with Proxy-Authorization', () => {
  const world = new World((request, index) =>
    index === 0 ? challenge(request, 'proxy-nonce', { status: 407 }) : ok(request),
  )
  world.start()
  assert.equal(world.requests.length, 2)
  const second = world.requests[1]!
  assert.equal(second.headers.has('Authorization'), false)
  const credentials = parseDigestCredentials(second.headers.get('Proxy-Authorization') ?? '')
  assert.equal(credentials.nonce, 'proxy-nonce')
  assert.equal(credentials.response, expectedDigest(second, 'Proxy-Authorization', 'proxy-nonce'))
  assert.equal(world.registration.state, 'registered')
})

test('wrong credentials: a second challenge with the same nonce fails, with no third REGISTER', () => {
  const world = new World((request) => challenge(request, 'same-nonce'))
  world.start()
  assert.equal(world.requests.length, 2)
  assert.equal(world.registration.state, 'failed')
  assert.equal(world.events.length, 1)
  const failed = world.events[0]
  assert.equal(failed?.type, 'registration-failed')
  assert.ok(failed.type === 'registration-failed')
  assert.equal(failed.status, 401)
  assert.equal(failed.retryInMs, null)
  assert.match(failed.reason, /refused our credentials/)
  // Nothing more, ever: no retry against a trunk that counts failed logins.
  assert.equal(world.registration.nextTimerInMs, null)
  world.run(24 * 3_600_000)
  assert.equal(world.requests.length, 2)
})

test('a stale=true challenge with a new nonce is answered again', () => {
  const world = new World((request, index) => {
    if (index === 0) {
      return challenge(request, 'old')
    }
    if (index === 1) {
      return challenge(request, 'fresh', { stale: true })
    }
    return ok(request)
  })
  world.start()
  assert.equal(world.requests.length, 3)
  const third = world.requests[2]!
  assert.equal(parseDigestCredentials(third.headers.get('Authorization') ?? '').nonce, 'fresh')
  assert.equal(third.headers.getLines('Authorization').length, 1)
  assert.equal(world.registration.state, 'registered')
})

test('the same nonce again, but with stale=true, is answered again rather than taken as a refusal', () => {
  const world = new World((request, index) =>
    index === 0
      ? challenge(request, 'n1')
      : index === 1
        ? challenge(request, 'n1', { stale: true })
        : ok(request),
  )
  world.start()
  assert.equal(world.requests.length, 3)
  assert.equal(world.registration.state, 'registered')
})

test('a registrar that challenges every time with a new nonce is given up on', () => {
  let n = 0
  const world = new World((request) => challenge(request, `nonce-${++n}`))
  world.start()
  // The first REGISTER and three answered challenges; the fourth challenge ends it.
  assert.equal(world.requests.length, 4)
  assert.equal(world.registration.state, 'failed')
  world.run(3_600_000)
  assert.equal(world.requests.length, 4)
})

test('a challenge without configured credentials fails at once', () => {
  const world = new World((request) => challenge(request, 'n'), { credentials: undefined })
  world.start()
  assert.equal(world.requests.length, 1)
  assert.equal(world.registration.state, 'failed')
  assert.deepEqual(retries(world.events), [null])
})

// ---- 423 Interval Too Brief (§10.2.8) -------------------------------------------------------

test('a 423 is retried with the Min-Expires, which later refreshes keep', () => {
  const world = new World(
    (request) =>
      expiresOf(request) === '60'
        ? responseFor(request, 423, 'Interval Too Brief', {
            toTag: 'reg',
            extraHeaders: [['Min-Expires', '300']],
          })
        : ok(request),
    { expiresSeconds: 60, credentials: undefined },
  )
  world.start()
  assert.deepEqual(world.requests.map(expiresOf), ['60', '300'])
  assert.deepEqual(world.requests.map(seqOf), [1, 2])
  assert.deepEqual(world.events, [{ type: 'registered', expiresSeconds: 300 }])
  world.run(150_000)
  assert.deepEqual(world.requests.map(expiresOf), ['60', '300', '300'])
})

test('a 423 without a Min-Expires above our ask is a failure, not a loop', () => {
  const world = new World(
    (request) => responseFor(request, 423, 'Interval Too Brief', { toTag: 'reg' }),
    { expiresSeconds: 60 },
  )
  world.start()
  assert.equal(world.requests.length, 1)
  assert.equal(world.registration.state, 'retrying')
})

// ---- the granted expiry (§10.2.4) -------------------------------------------------------------

test("the granted expiry is our Contact's expires parameter, before the Expires header", () => {
  const world = new World((request) =>
    ok(request, {
      expires: 1200,
      contacts: ['<sip:faxd@203.0.113.99:5062>;expires=3000', `<${CONTACT}>;expires=600`],
    }),
  )
  world.start()
  assert.deepEqual(world.events, [{ type: 'registered', expiresSeconds: 600 }])
})

test('without an expires parameter on our Contact, the Expires header; without both, our ask', () => {
  const withHeader = new World((request) =>
    ok(request, {
      expires: 1200,
      contacts: [`<${CONTACT}>`, '<sip:other@203.0.113.9>;expires=90'],
    }),
  )
  withHeader.start()
  assert.deepEqual(withHeader.events, [{ type: 'registered', expiresSeconds: 1200 }])

  const bare = new World((request) => ok(request), { expiresSeconds: 900 })
  bare.start()
  assert.deepEqual(bare.events, [{ type: 'registered', expiresSeconds: 900 }])
})

test('our Contact is recognised by URI comparison, and a lone rewritten Contact is taken as ours', () => {
  const response = (contacts: string[]): SipResponse => {
    const world = new World(() => null)
    world.start()
    return ok(world.requests[0]!, { expires: 1200, contacts })
  }
  assert.equal(
    grantedExpirySeconds(
      response(['<sip:faxd@192.0.2.10:5060;transport=UDP>;expires=45', '<sip:x@h>;expires=9']),
      'sip:faxd@192.0.2.10:5060;transport=udp',
      3600,
    ),
    45,
  )
  assert.equal(
    grantedExpirySeconds(response(['<sip:faxd@203.0.113.5:61000>;expires=120']), CONTACT, 3600),
    120,
  )
  assert.equal(
    grantedExpirySeconds(response(['<sip:a@h>;expires=7', '<sip:b@h>;expires=8']), CONTACT, 3600),
    1200,
  )
})

// ---- refresh ----------------------------------------------------------------------------------

test('refreshes 5 min before a long binding runs out, same Call-ID, next CSeq, credentials at once', () => {
  const world = new World((request, index) =>
    index === 0 ? challenge(request, 'nonce-A') : ok(request, { expires: 3600 }),
  )
  world.start()
  assert.equal(world.registration.nextTimerInMs, 3_300_000)
  world.run(3_300_000 - 1)
  assert.equal(world.requests.length, 2)
  world.run(1)
  assert.equal(world.requests.length, 3)
  const [first, second, refresh] = world.requests as [SipRequest, SipRequest, SipRequest]
  assert.equal(world.seen[2]?.at, 3_300_000)
  assert.equal(refresh.headers.get('Call-ID'), first.headers.get('Call-ID'))
  assert.equal(refresh.headers.get('From'), first.headers.get('From'))
  assert.equal(seqOf(refresh), 3)
  assert.equal(expiresOf(refresh), '3600')
  // The kept challenge: same nonce and cnonce, nonce count 2, a digest that verifies.
  const before = parseDigestCredentials(second.headers.get('Authorization') ?? '')
  const now = parseDigestCredentials(refresh.headers.get('Authorization') ?? '')
  assert.equal(now.nonce, 'nonce-A')
  assert.equal(now.cnonce, before.cnonce)
  assert.equal(now.nc, '00000002')
  assert.equal(now.response, expectedDigest(refresh, 'Authorization', 'nonce-A'))
  assert.deepEqual(world.events, [
    { type: 'registered', expiresSeconds: 3600 },
    { type: 'registered', expiresSeconds: 3600 },
  ])
  // And the next one a further 3300 s on.
  world.run(3_300_000)
  assert.deepEqual(
    world.seen.map((s) => s.at),
    [0, 0, 3_300_000, 6_600_000],
  )
  assert.deepEqual(world.requests.map(seqOf), [1, 2, 3, 4])
})

test('a short binding is refreshed halfway', () => {
  const world = new World((request) => ok(request, { contacts: [`<${CONTACT}>;expires=60`] }))
  world.start()
  world.run(120_000)
  assert.deepEqual(
    world.seen.map((s) => s.at),
    [0, 30_000, 60_000, 90_000, 120_000],
  )
})

test('refresh and retry delays', () => {
  assert.equal(refreshDelayMs(3600), 3_300_000)
  assert.equal(refreshDelayMs(600), 300_000)
  assert.equal(refreshDelayMs(601), 301_000)
  assert.equal(refreshDelayMs(60), 30_000)
  assert.equal(refreshDelayMs(1), 1000)
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 40].map(retryDelayMs),
    [30_000, 60_000, 120_000, 240_000, 480_000, 600_000, 600_000],
  )
})

// ---- failures and recovery ------------------------------------------------------------------

test('no answer: a timeout at 32 s, retries after 30 s then 60 s, and recovers when the trunk is back', () => {
  let trunkUp = false
  const world = new World((request) => (trunkUp ? ok(request, { expires: 3600 }) : null))
  world.start()
  world.run(32_000 - 1)
  assert.deepEqual(world.events, [])
  assert.equal(world.registration.state, 'registering')
  world.run(1)
  assert.deepEqual(world.events, [
    {
      type: 'registration-failed',
      status: null,
      reason: 'no response from the registrar',
      retryInMs: 30_000,
    },
  ])
  assert.equal(world.registration.state, 'retrying')
  world.run(30_000 + 32_000)
  // Second try at 62 s, its timeout at 94 s; the third try 60 s later.
  assert.deepEqual(
    world.seen.map((s) => s.at),
    [0, 62_000],
  )
  assert.deepEqual(retries(world.events), [30_000, 60_000])
  trunkUp = true
  world.run(60_000)
  assert.deepEqual(
    world.seen.map((s) => s.at),
    [0, 62_000, 154_000],
  )
  assert.equal(world.registration.state, 'registered')
  assert.deepEqual(world.events.at(-1), { type: 'registered', expiresSeconds: 3600 })
  // One Call-ID, CSeq counting up across the retries.
  assert.equal(new Set(world.requests.map((r) => r.headers.get('Call-ID'))).size, 1)
  assert.deepEqual(world.requests.map(seqOf), [1, 2, 3])
  // The back-off starts again from 30 s after a success.
  trunkUp = false
  world.run(3_300_000 + 32_000)
  assert.deepEqual(world.events.at(-1), {
    type: 'registration-failed',
    status: null,
    reason: 'no response from the registrar',
    retryInMs: 30_000,
  })
})

test('a 503 with Retry-After waits that long when it is longer than the back-off', () => {
  const world = new World((request, index) =>
    index === 0
      ? responseFor(request, 503, 'Service Unavailable', {
          toTag: 'reg',
          extraHeaders: [['Retry-After', '120 (maintenance)']],
        })
      : ok(request),
  )
  world.start()
  assert.deepEqual(world.events, [
    {
      type: 'registration-failed',
      status: 503,
      reason: '503 Service Unavailable',
      retryInMs: 120_000,
    },
  ])
  world.run(119_999)
  assert.equal(world.requests.length, 1)
  world.run(1)
  assert.equal(world.requests.length, 2)
  assert.equal(world.registration.state, 'registered')
})

// ---- stop (§10.2.2) ---------------------------------------------------------------------------

test('stop() removes our binding with Expires: 0 and cancels the refresh', () => {
  const world = new World((request, index) =>
    index === 0 ? challenge(request, 'nonce-A') : ok(request, { expires: 3600 }),
  )
  world.start()
  world.run(10_000)
  world.stop()
  assert.equal(world.requests.length, 3)
  const unregister = world.requests[2]!
  assert.equal(expiresOf(unregister), '0')
  assert.equal(parseNameAddr(unregister.headers.get('Contact') ?? '').uri, CONTACT)
  assert.equal(seqOf(unregister), 3)
  assert.equal(unregister.headers.get('Call-ID'), world.registration.callId)
  assert.equal(parseDigestCredentials(unregister.headers.get('Authorization') ?? '').nc, '00000002')
  assert.deepEqual(world.events.at(-1), { type: 'unregistered' })
  assert.equal(world.registration.state, 'stopped')
  assert.equal(world.registration.nextTimerInMs, null)
  world.run(24 * 3_600_000)
  assert.equal(world.requests.length, 3)
})

test('stop() while the first REGISTER is unanswered still sends Expires: 0', () => {
  const world = new World((request) => (expiresOf(request) === '0' ? ok(request) : null))
  world.start()
  world.run(1_000)
  world.stop()
  assert.deepEqual(world.requests.map(expiresOf), ['3600', '0'])
  assert.deepEqual(world.events, [{ type: 'unregistered' }])
  // The first REGISTER's timeout, when it comes, is no longer heard.
  world.run(60_000)
  assert.deepEqual(world.events, [{ type: 'unregistered' }])
  assert.equal(world.requests.length, 2)
})

test('stop() with nothing registered sends nothing', () => {
  const world = new World(() => null)
  world.stop()
  assert.equal(world.requests.length, 0)
  assert.deepEqual(world.events, [{ type: 'unregistered' }])
  assert.equal(world.registration.state, 'stopped')
})

test('an unanswered Expires: 0 is reported, and the stop still completes', () => {
  const world = new World((request) => (expiresOf(request) === '0' ? null : ok(request)))
  world.start()
  world.stop()
  world.run(32_000)
  assert.deepEqual(world.events.slice(1), [
    {
      type: 'registration-failed',
      status: null,
      reason: 'no response from the registrar',
      retryInMs: null,
    },
    { type: 'unregistered' },
  ])
  assert.equal(world.registration.state, 'stopped')
})
