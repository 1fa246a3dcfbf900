/**
 * Fuzzing the routes that the sendFax fuzz never reaches, through the whole app (Fastify inject,
 * a real database), on both engines: the OAuth2 sign-in page and token endpoint (GET and POST
 * /login, POST /token), the upload (POST /v3/accounts/self/files, multipart) and a sample of the
 * /v3 reads, changes and deletes, with odd path parameters, query strings, bodies and
 * credentials: NUL (`%00`), lone surrogates, `__proto__`, huge values, malformed escapes,
 * base64 and multipart.
 * No answer may be a 5xx. Every JSON error body has exactly `error` and `description` (POST
 * /token's own refusals add `error_description`, RFC 6749 §5.2); /login answers an HTML page
 * (200, 400 or 401) or redirects (302) to a registered redirect URI; a refused upload leaves no
 * file behind.
 * 2,000 requests per engine in `npm test`, 10,000 in `npm run test:stress`, shared among the
 * families. The seed is fixed so that every run sends the same requests, and printed; FUZZ_SEED
 * picks another, FUZZ_CASES sets the number of requests (test/support/stress-size.ts).
 */
import assert from 'node:assert/strict'
import { readdir } from 'node:fs/promises'
import { after, before, describe, it, type TestContext } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { basicAuth, obtainOAuthTokens, registerClient } from '../support/oauth-client.js'
import { aFaxRecord } from '../support/sample-records.js'
import { type Engine, ENGINES } from '../support/test-database.js'
import { ERROR_KEYS, TOKEN_ERROR_KEYS, errorBodyProblem } from '../support/error-body.js'
import { printCounts, tally } from './tally.js'
import { openTestApp, type TestApp, type TestUser } from '../support/test-app.js'
import { type Json, obj, ODD_STRINGS, preview, RawJson, toJsonText } from './payload-mutations.js'
import { seededRandom, type SeededRandom } from '../support/seeded-random.js'
import { printStressSizes, stressSize } from '../support/stress-size.js'

/** The same requests on every run, so that CI is deterministic; FUZZ_SEED explores others. */
const DEFAULT_SEED = 20261127
const SEED = Number(process.env['FUZZ_SEED'] ?? DEFAULT_SEED)
/** Requests per engine, all families together. */
const BODIES = stressSize('fuzzBodies')

/** Each family's share of the requests, in parts of SHARE_TOTAL. */
const SHARES = {
  'GET /login': 3,
  'POST /login': 5,
  'POST /token': 5,
  upload: 5,
  '/v3 routes': 7,
} as const
type Family = keyof typeof SHARES
const SHARE_TOTAL = Object.values(SHARES).reduce((sum, share) => sum + share, 0)

/**
 * A hang detector, not a speed measurement (speed is for bench/): a request that never answers
 * fails its test here instead of blocking the run. Each family takes a few seconds, up to 8 s
 * at full size on a quiet 2-core machine and 45 s at a load average of 15–20.
 */
const FAMILY_TIMEOUT_MS = 240_000

/** At most this many problems are printed in full, at most this many of each kind. */
const SHOWN_PROBLEMS = 12
const EXAMPLES_PER_KIND = 3

function replayHint(): string {
  return `seed ${SEED}; replay with FUZZ_SEED=${SEED} node --import tsx --test test/fuzz/other-routes.fuzz.test.ts`
}

/** One stream of requests per engine and family, so that each test replays on its own. */
function rngFor(engine: Engine, family: Family): SeededRandom {
  let hash = 0x811c9dc5
  for (const char of `${engine}:${family}`) {
    hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193)
  }
  return seededRandom((SEED ^ hash) >>> 0)
}

// ---- text ----------------------------------------------------------------------------------

const KEYWORDS = [
  'code',
  'token',
  'authorization_code',
  'refresh_token',
  'client_credentials',
  'password',
  'allow',
  'deny',
  'self',
  'undefined',
  'true',
  '[object Object]',
  'APIK-',
  'faxd_code_',
  'faxd_ort_',
  'faxd_pat_',
  'Bearer',
]

/** Repeated to make huge values; some of them percent-encode to 12 bytes each. */
const HUGE_UNITS = ['a', '\u0000', '\u00e9', '\ud83d\udce0', '%', '\ud800', ' ', '&=']

function randomUnicode(rng: SeededRandom, length: number): string {
  let text = ''
  while (text.length < length) {
    const roll = rng.next()
    if (roll < 0.4) {
      text += String.fromCharCode(rng.int(0x20, 0x7e))
    } else if (roll < 0.5) {
      text += String.fromCharCode(rng.int(0, 0x1f))
    } else if (roll < 0.7) {
      text += String.fromCharCode(rng.int(0xa0, 0xd7ff))
    } else if (roll < 0.8) {
      text += String.fromCharCode(rng.int(0xd800, 0xdfff))
    } else {
      text += String.fromCodePoint(rng.int(0x10000, 0x10ffff))
    }
  }
  return text
}

/** A real value made wrong: a NUL, a lone surrogate or a stray character somewhere in it. */
function spoil(rng: SeededRandom, value: string): string {
  const at = rng.int(0, value.length)
  const insert = rng.pick(['\u0000', '\ud800', '\udfff', '%00', ' ', '\n', '\u202e', '\ufeff'])
  switch (rng.int(0, 3)) {
    case 0:
      return value.slice(0, at) + insert + value.slice(at)
    case 1:
      return value + insert
    case 2:
      return value.toUpperCase()
    default:
      return value.slice(0, at)
  }
}

/** Text for any parameter: a real value now and then, more often an odd one. */
function text(rng: SeededRandom, reals: readonly string[] = []): string {
  const roll = rng.next()
  if (roll < 0.3 && reals.length > 0) {
    return rng.pick(reals)
  }
  if (roll < 0.42 && reals.length > 0) {
    return spoil(rng, rng.pick(reals))
  }
  if (roll < 0.65) {
    return rng.pick(ODD_STRINGS)
  }
  if (roll < 0.78) {
    return randomUnicode(rng, rng.int(1, 40))
  }
  if (roll < 0.83) {
    return rng.pick(HUGE_UNITS).repeat(rng.int(1000, 60_000))
  }
  if (roll < 0.9) {
    return ''
  }
  return rng.pick(KEYWORDS)
}

function hex(byte: number): string {
  return `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
}

/**
 * Percent-encodes text as UTF-8, or spaces as `+` for forms. A lone surrogate becomes the three
 * bytes that a careless encoder writes for it (%ED%A0%80), which are not UTF-8.
 */
function percentEncode(value: string, plusForSpace = false): string {
  // encodeURIComponent takes whole runs (it throws on a lone surrogate, which is written by
  // hand): values run to hundreds of kilobytes, and a character at a time cost seconds.
  let out = ''
  let start = 0
  for (const match of value.matchAll(LONE_SURROGATE)) {
    const unit = match[0].charCodeAt(0)
    out += encodeURIComponent(value.slice(start, match.index))
    out += hex(0xe0 | (unit >> 12)) + hex(0x80 | ((unit >> 6) & 0x3f)) + hex(0x80 | (unit & 0x3f))
    start = match.index + 1
  }
  out += encodeURIComponent(value.slice(start))
  // encodeURIComponent writes a space as %20, and a % of the text as %25, so %20 is a space.
  return plusForSpace ? out.replaceAll('%20', '+') : out
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

/** Escapes that decode to nothing sensible, written into an encoded value as they are. */
const MALFORMED_ESCAPES = [
  '%',
  '%0',
  '%zz',
  '%00',
  '%C0%80',
  '%ED%A0%80',
  '%FF',
  '%E2%82',
  '%%',
  '%u0000',
  '%2500',
  '+',
  '%2B',
  '%26',
  '%3D',
  '%0D%0A',
]

/** An encoded value for a query string or a form. */
function encodedValue(rng: SeededRandom, value: string): string {
  if (rng.chance(0.85)) {
    return percentEncode(value, rng.chance(0.3))
  }
  const cut = rng.int(0, value.length)
  return (
    percentEncode(value.slice(0, cut)) +
    rng.pick(MALFORMED_ESCAPES) +
    percentEncode(value.slice(cut))
  )
}

// ---- parameters ------------------------------------------------------------------------------

type Param = readonly [name: string, value: string]

const ODD_NAMES = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '',
  'a[]',
  'client_id[]',
  'client_id[0]',
  'Client_Id',
  'client_id\u0000',
  'a.b',
  '\ud800',
  '\ud83d\udce0',
  '__proto__[client_id]',
]

/**
 * Parameters for a route: each known one usually there, now and then twice (a list, not a
 * string), and a few unknown names; in any order.
 */
function params(rng: SeededRandom, known: Readonly<Record<string, () => string>>): Param[] {
  const list: Param[] = []
  for (const [name, value] of Object.entries(known)) {
    if (rng.chance(0.85)) {
      list.push([name, value()])
    }
    if (rng.chance(0.06)) {
      list.push([name, value()])
    }
  }
  for (let extra = rng.chance(0.7) ? 0 : rng.int(1, 3); extra > 0; extra -= 1) {
    list.push([rng.pick(ODD_NAMES), text(rng)])
  }
  for (let i = list.length - 1; i > 0; i -= 1) {
    const j = rng.int(0, i)
    ;[list[i], list[j]] = [list[j] as Param, list[i] as Param]
  }
  return list
}

/** `a=1&b=2`, with now and then a name without `=`, an empty pair or a `;` separator. */
function queryText(rng: SeededRandom, list: readonly Param[]): string {
  const pairs = list.map(([name, value]) =>
    rng.chance(0.03)
      ? encodedValue(rng, name)
      : `${encodedValue(rng, name)}=${encodedValue(rng, value)}`,
  )
  if (rng.chance(0.05)) {
    pairs.splice(rng.int(0, pairs.length), 0, rng.pick(['', '=', '&', '==x', 'x=a=b']))
  }
  return pairs.join(rng.chance(0.03) ? ';' : '&')
}

function withQuery(path: string, query: string): string {
  return query === '' ? path : `${path}?${query}`
}

/** A JSON value of a random type, or one built to be right for the field. */
function jsonValue(rng: SeededRandom, typed?: () => Json): Json {
  const roll = rng.next()
  if (typed !== undefined && roll < 0.45) {
    return typed()
  }
  if (roll < 0.75) {
    return text(rng)
  }
  return rng.pick<() => Json>([
    () => null,
    () => rng.chance(0.5),
    () => rng.int(-5, 1_000_000),
    () => new RawJson(rng.pick(['1e309', '-0', '1.5', '9007199254740993'])),
    () => [text(rng), rng.int(0, 9)],
    () => obj({ [rng.pick(ODD_NAMES)]: text(rng) }),
    () => new Map<string, Json>([['__proto__', obj({ admin: true })]]),
  ])()
}

/** A JSON object of the parameters, some of them not strings; `__proto__` stays a plain key. */
function jsonParams(rng: SeededRandom, list: readonly Param[]): string {
  const body = new Map<string, Json>()
  for (const [name, value] of list) {
    body.set(name, rng.chance(0.85) ? value : jsonValue(rng))
  }
  return toJsonText(body)
}

/** JSON text that does not parse, or parses to something that is not an object. */
const BROKEN_JSON = [
  '{',
  '{"a":',
  '}',
  '[]',
  'null',
  '"text"',
  '0',
  '\u0000',
  '{"a":"\\u0000"}',
  '',
]

// ---- requests and answers ----------------------------------------------------------------------

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH'

/** What an answer is checked against: the sign-in pages, the token endpoint or the JSON API. */
type Surface = 'login' | 'token' | 'api'

interface Probe {
  readonly surface: Surface
  /** What was generated, for a failure message. */
  readonly label: string
  readonly method: Method
  readonly url: string
  readonly headers: Record<string, string>
  readonly payload?: string | Buffer
}

const FORM_TYPES = [
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded; charset=utf-8',
  'APPLICATION/X-WWW-FORM-URLENCODED',
  'application/x-www-form-urlencoded; charset=latin1',
]

const ODD_BODY_TYPES: readonly (string | null)[] = [
  null,
  '',
  'text/plain',
  'application/octet-stream',
  'application/xml',
  'multipart/form-data; boundary=x',
  'multipart/form-data',
  'application/json; charset=utf-16',
  'application/x-www-form-urlencoded;;',
  '*/*',
]

/** Bytes that are not UTF-8, put into a form body as they are. */
const BAD_UTF8: readonly number[][] = [
  [0xff],
  [0xc0, 0x80],
  [0xed, 0xa0, 0x80],
  [0xe2, 0x82],
  [0x80],
]

function insertBytes(value: string, bytes: readonly number[], rng: SeededRandom): Buffer {
  const data = Buffer.from(value, 'utf8')
  const at = rng.int(0, data.length)
  return Buffer.concat([data.subarray(0, at), Buffer.from(bytes), data.subarray(at)])
}

/**
 * The parameters of an OAuth2 call, sent the ways clients send them: a form, JSON, the query
 * string, split between query and form, or with a content type that no parser takes.
 */
function oauthRequest(
  rng: SeededRandom,
  surface: Surface,
  path: string,
  list: readonly Param[],
  headers: Record<string, string>,
): Probe {
  const probe = oauthRequestBody(rng, surface, path, list, headers)
  if (rng.chance(0.06)) {
    const method = rng.pick<Method>(['GET', 'PUT', 'DELETE', 'PATCH'])
    return { ...probe, method, label: `${method}, ${probe.label}` }
  }
  return probe
}

function oauthRequestBody(
  rng: SeededRandom,
  surface: Surface,
  path: string,
  list: readonly Param[],
  headers: Record<string, string>,
): Probe {
  const roll = rng.next()
  if (roll < 0.55) {
    const form = queryText(rng, list)
    const bytes = rng.chance(0.05)
    return {
      surface,
      label: `form${bytes ? ' with bytes that are not UTF-8' : ''}`,
      method: 'POST',
      url: path,
      headers: { ...headers, 'content-type': rng.pick(FORM_TYPES) },
      payload: bytes ? insertBytes(form, rng.pick(BAD_UTF8), rng) : form,
    }
  }
  if (roll < 0.75) {
    const broken = rng.chance(0.1)
    return {
      surface,
      label: broken ? 'broken json' : 'json',
      method: 'POST',
      url: path,
      headers: { ...headers, 'content-type': 'application/json' },
      payload: broken ? rng.pick(BROKEN_JSON) : jsonParams(rng, list),
    }
  }
  if (roll < 0.85) {
    return {
      surface,
      label: 'query, no body',
      method: 'POST',
      url: withQuery(path, queryText(rng, list)),
      headers,
    }
  }
  if (roll < 0.93) {
    const cut = rng.int(0, list.length)
    return {
      surface,
      label: 'query and form',
      method: 'POST',
      url: withQuery(path, queryText(rng, list.slice(0, cut))),
      headers: { ...headers, 'content-type': FORM_TYPES[0] as string },
      payload: queryText(rng, [...list.slice(cut), ...list.slice(0, cut)]),
    }
  }
  const contentType = rng.pick(ODD_BODY_TYPES)
  return {
    surface,
    label: `content-type ${JSON.stringify(contentType)}`,
    method: 'POST',
    url: path,
    headers: contentType === null ? headers : { ...headers, 'content-type': contentType },
    payload: rng.chance(0.5) ? queryText(rng, list) : jsonParams(rng, list),
  }
}

function contentTypeOf(response: LightMyRequestResponse): string {
  const type = response.headers['content-type']
  return typeof type === 'string' ? (type.split(';')[0]?.trim().toLowerCase() ?? '') : ''
}

/** Whether `location` is the registered URI, its own query kept, with parameters added. */
function redirectsTo(location: string, registered: string): boolean {
  let to: URL
  try {
    to = new URL(location)
  } catch {
    return false
  }
  const uri = new URL(registered)
  return (
    to.origin === uri.origin &&
    to.pathname === uri.pathname &&
    to.hash === '' &&
    [...uri.searchParams].every(([name, value]) => to.searchParams.getAll(name).includes(value))
  )
}

/** Why an answer breaks the rules of its surface, or null when it keeps them. */
function answerProblem(
  probe: Probe,
  response: LightMyRequestResponse,
  redirectUris: readonly string[],
): string | null {
  const status = response.statusCode
  if (status >= 500) {
    return `status ${status}`
  }
  const type = contentTypeOf(response)
  if (probe.surface === 'login') {
    if (status === 302) {
      const location = response.headers.location
      if (typeof location !== 'string' || !redirectUris.some((uri) => redirectsTo(location, uri))) {
        return `redirected to ${String(location)}, not to a registered redirect URI`
      }
      return redirectProblem(new URL(location).searchParams)
    }
    if (type === 'text/html') {
      return [200, 400, 401, 405, 429].includes(status)
        ? null
        : `an HTML page with status ${status}`
    }
    if (type === 'application/json' && status >= 400) {
      return errorBodyProblem(response, [ERROR_KEYS])
    }
    return `status ${status} with content-type ${type || 'none'}`
  }
  if (status < 400) {
    if (probe.surface === 'token') {
      const body = JSON.parse(response.body) as { access_token?: unknown }
      return status === 200 && typeof body.access_token === 'string'
        ? null
        : `status ${status} without an access token`
    }
    return null
  }
  if (type !== 'application/json') {
    return `status ${status} with content-type ${type || 'none'}, expected a JSON error body`
  }
  if (probe.surface === 'token') {
    // Every answer of the token endpoint is in RFC 6749 §5.2's form, with one of its codes.
    const error = JSON.parse(response.body) as { error?: unknown; error_description?: unknown }
    if (!TOKEN_ERRORS.includes(String(error.error))) {
      return `error ${JSON.stringify(error.error)} is not one of RFC 6749 §5.2's`
    }
    if (status === 405 && response.headers.allow !== 'POST') {
      return `405 with Allow ${String(response.headers.allow)}`
    }
    return errorBodyProblem(response, [TOKEN_ERROR_KEYS])
  }
  return errorBodyProblem(response, [ERROR_KEYS])
}

/** RFC 6749 §5.2: the token endpoint's error codes. */
const TOKEN_ERRORS = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
]

/** RFC 6749 §4.1.2.1: the authorization endpoint's error codes, sent on the redirect. */
const AUTHORIZATION_ERRORS = [
  'invalid_request',
  'unauthorized_client',
  'access_denied',
  'unsupported_response_type',
  'invalid_scope',
  'server_error',
  'temporarily_unavailable',
]

/** A redirect from /login carries a code or one of §4.1.2.1's errors, not both, not neither. */
function redirectProblem(query: URLSearchParams): string | null {
  const code = query.get('code')
  const error = query.get('error')
  if ((code === null) === (error === null)) {
    return `a redirect with ${code === null ? 'neither' : 'both'} code and error`
  }
  if (error !== null && !AUTHORIZATION_ERRORS.includes(error)) {
    return `a redirect with error ${error}, not one of RFC 6749 §4.1.2.1's`
  }
  return null
}

function errorCode(response: LightMyRequestResponse): string {
  try {
    const body = JSON.parse(response.body) as { error?: unknown }
    return typeof body.error === 'string' ? body.error : '(no error code)'
  } catch {
    return contentTypeOf(response) || '(no content-type)'
  }
}

// ---- the app under test ----------------------------------------------------------------------

interface Target {
  readonly engine: Engine
  readonly testApp: TestApp
  /** An account that signs in with a password; nothing else touches it. */
  readonly signIn: { readonly uid: string; readonly email: string }
  readonly clients: readonly { clientId: string; clientSecret: string; redirectUri: string }[]
  /** Fresh authorization codes and a refresh token of the first client. */
  readonly codes: readonly string[]
  readonly refreshToken: string
  /** A corporate admin with a member, a number, a fax record, an outbox entry and a webhook. */
  readonly admin: TestUser
  readonly member: TestUser
  readonly number: string
  readonly faxId: string
  readonly outboxId: string
  readonly hookId: string
}

const PASSWORD = 'correct horse battery staple'
const NUMBER = '+4930123456'

async function openTarget(engine: Engine): Promise<Target> {
  const testApp = await openTestApp(engine)
  try {
    const signInUser = await testApp.user({ password: PASSWORD })
    const signIn = { uid: signInUser.account.uid, email: signInUser.account.email }
    const clients = [
      await registerClient(testApp.services, signIn.uid),
      await registerClient(testApp.services, signIn.uid, 'http://localhost:8765/cb?keep=1'),
    ]
    const first = clients[0] as (typeof clients)[number]
    const codes: string[] = []
    for (let i = 0; i < 4; i += 1) {
      const login = await testApp.app.inject({
        method: 'POST',
        url: '/login',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({
          email: signIn.email,
          password: PASSWORD,
          client_id: first.clientId,
          response_type: 'code',
          decision: 'allow',
        }).toString(),
      })
      const code = new URL(String(login.headers.location)).searchParams.get('code')
      assert.ok(code, `POST /login gave no code: ${login.statusCode} ${login.body}`)
      codes.push(code)
    }
    const { refreshToken } = await obtainOAuthTokens(testApp.app, first, {
      email: signIn.email,
      password: PASSWORD,
    })

    const admin = await testApp.user({ type: 'corporate_admin', numbers: [NUMBER] })
    const member = await testApp.user({ adminUid: admin.account.uid })
    const fax = aFaxRecord(admin.account.uid)
    await testApp.services.store.faxes.add(fax)
    const file = await testApp.upload(admin)
    const sent = await testApp.request('POST', '/v3/accounts/self/outbox', {
      token: admin.token,
      body: { from: NUMBER, to: ['+14155550100'], files: [file], return_ids: true },
    })
    assert.equal(sent.statusCode, 201, sent.body)
    const outboxId = Object.values(sent.json<{ ids: Record<string, string> }>().ids)[0]
    assert.ok(outboxId)
    const hook = await testApp.request('POST', '/v3/hooks', {
      token: admin.token,
      body: { target: 'https://example.test/hook', event: 'fax_sent' },
    })
    assert.equal(hook.statusCode, 200, hook.body)
    return {
      engine,
      testApp,
      signIn,
      clients,
      codes,
      refreshToken,
      admin,
      member,
      number: NUMBER,
      faxId: fax.id,
      outboxId,
      hookId: hook.json<{ id: string }>().id,
    }
  } catch (error) {
    await testApp.close()
    throw error
  }
}

interface FamilyRun {
  readonly count: number
  /** Each wrong answer; a test may add problems of its own. */
  readonly problems: Problem[]
}

interface Problem {
  /** What is wrong, the same words for the same fault. */
  readonly kind: string
  /** The request and the answer. */
  readonly detail?: string
}

/** Sends the family's requests, drawn from its own seeded stream, and checks every answer. */
async function runFamily(
  t: TestContext,
  target: Target,
  family: Family,
  generate: (rng: SeededRandom) => Probe,
): Promise<FamilyRun> {
  const rng = rngFor(target.engine, family)
  printStressSizes(t, ['fuzzBodies'])
  t.diagnostic(replayHint())
  const count = Math.max(1, Math.round((BODIES * SHARES[family]) / SHARE_TOTAL))
  const redirectUris = target.clients.map((client) => client.redirectUri)
  const answers = new Map<string, number>()
  const problems: Problem[] = []
  let slowest = { ms: 0, label: '' }
  const started = performance.now()
  for (let index = 0; index < count; index += 1) {
    const probe = generate(rng)
    const sent = performance.now()
    const response = await target.testApp.app.inject({
      method: probe.method,
      url: probe.url,
      headers: probe.headers,
      ...(probe.payload === undefined ? {} : { payload: probe.payload }),
    })
    const ms = performance.now() - sent
    if (ms > slowest.ms) {
      slowest = {
        ms,
        label: `#${index} ${probe.method} ${preview(probe.url, 80)} (${probe.label})`,
      }
    }
    tally(answers, `${response.statusCode} ${errorCode(response)}`)
    const problem = answerProblem(probe, response, redirectUris)
    if (problem !== null) {
      problems.push({
        kind: problem,
        detail:
          `#${index} ${probe.method} ${preview(probe.url, 300)} (${probe.label})\n` +
          `      headers ${preview(JSON.stringify(probe.headers), 300)}\n` +
          `      sent ${preview(probe.payload, 300)}\n` +
          `      got ${response.statusCode} ${preview(response.body, 240)}`,
      })
    }
  }
  const seconds = (performance.now() - started) / 1000
  // A diagnostic only: speed is measured in bench/.
  t.diagnostic(
    `${count} requests in ${seconds.toFixed(1)} s; slowest ${slowest.label}: ${slowest.ms.toFixed(1)} ms`,
  )
  printCounts(t, 'answers (status error):', answers)
  return { count, problems }
}

/** Fails with each kind of problem, most frequent first, and a few examples of each. */
function assertNoProblems({ count, problems }: FamilyRun): void {
  const kinds = new Map<string, Problem[]>()
  for (const problem of problems) {
    kinds.set(problem.kind, [...(kinds.get(problem.kind) ?? []), problem])
  }
  const lines: string[] = []
  let shown = 0
  for (const [kind, list] of [...kinds].sort((a, b) => b[1].length - a[1].length)) {
    lines.push(`  ${list.length} × ${kind}`)
    for (const { detail } of list.slice(0, EXAMPLES_PER_KIND)) {
      if (detail !== undefined && shown < SHOWN_PROBLEMS) {
        lines.push(`    ${detail}`)
        shown += 1
      }
    }
  }
  assert.equal(
    problems.length,
    0,
    `${problems.length} problems in ${count} requests (${replayHint()}):\n${lines.join('\n')}`,
  )
}

// ---- GET and POST /login -----------------------------------------------------------------------

const SCOPE_TEXTS = ['all', 'fax:fax:read', 'fax:fax:read fax:user:edit', 'fax:nothing', '']
/** RFC 7636 appendix B's verifier and its S256 challenge. */
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'

function clientIds(target: Target): string[] {
  return target.clients.map((client) => client.clientId)
}

function getLogin(target: Target) {
  return (rng: SeededRandom): Probe => {
    const redirects = target.clients.map((client) => client.redirectUri)
    const list = params(rng, {
      response_type: () => text(rng, ['code', 'code', 'code', 'token', 'code token']),
      client_id: () => text(rng, clientIds(target)),
      redirect_uri: () => text(rng, redirects),
      state: () => text(rng, ['xyz', '']),
      scope: () => text(rng, SCOPE_TEXTS),
      code_challenge: () => text(rng, [CHALLENGE, CHALLENGE.slice(1)]),
      code_challenge_method: () => text(rng, ['S256', 'plain', 's256']),
    })
    const raw = rng.chance(0.05)
    return {
      surface: 'login',
      label: raw ? 'raw query' : 'query',
      method: 'GET',
      url: withQuery(
        '/login',
        raw
          ? rng.pick(MALFORMED_ESCAPES) + queryText(rng, list) + rng.pick(MALFORMED_ESCAPES)
          : queryText(rng, list),
      ),
      headers: rng.chance(0.1) ? { accept: rng.pick(['application/json', '*/*', '']) } : {},
    }
  }
}

function postLogin(target: Target) {
  return (rng: SeededRandom): Probe => {
    const redirects = target.clients.map((client) => client.redirectUri)
    // The real email is rare: each one costs a password hash (about 50 ms).
    const realEmail = rng.chance(0.1)
    const list = params(rng, {
      email: () =>
        realEmail
          ? target.signIn.email
          : text(rng, ['nobody@example.test', spoil(rng, target.signIn.email)]),
      password: () => (realEmail && rng.chance(0.5) ? PASSWORD : text(rng, [spoil(rng, PASSWORD)])),
      client_id: () => text(rng, clientIds(target)),
      redirect_uri: () => text(rng, redirects),
      state: () => text(rng, ['xyz']),
      decision: () => text(rng, ['allow', 'deny', 'Deny']),
      response_type: () => text(rng, ['code', 'code', 'token']),
      scope: () => text(rng, SCOPE_TEXTS),
      code_challenge: () => text(rng, [CHALLENGE]),
      code_challenge_method: () => text(rng, ['S256', 'plain']),
    })
    return oauthRequest(rng, 'login', '/login', list, {})
  }
}

// ---- POST /token -------------------------------------------------------------------------------

function base64(value: string | Buffer): string {
  return Buffer.from(value).toString('base64')
}

/** A Basic header, right or wrong in one of the ways clients get it wrong; or none. */
function basicHeader(rng: SeededRandom, target: Target): { label: string; value: string | null } {
  const { clientId, clientSecret } = rng.pick(target.clients)
  const odd = (): string => percentEncode(text(rng, [clientId, clientSecret]))
  switch (rng.int(0, 13)) {
    case 0:
    case 1:
    case 2:
      return { label: 'basic', value: basicAuth(clientId, clientSecret) }
    case 3:
      return { label: 'basic, wrong secret', value: `Basic ${base64(`${clientId}:${odd()}`)}` }
    case 4:
      return { label: 'basic, odd pair', value: `Basic ${base64(`${odd()}:${odd()}`)}` }
    case 5:
      return {
        label: 'basic, NUL in id',
        value: `Basic ${base64(`${clientId}${rng.pick(['%00', '\u0000'])}:${clientSecret}`)}`,
      }
    case 6:
      return {
        label: 'basic, malformed %',
        value: `Basic ${base64(`${rng.pick(MALFORMED_ESCAPES)}${clientId}:${clientSecret}${rng.pick(MALFORMED_ESCAPES)}`)}`,
      }
    case 7:
      return {
        label: 'basic, no colon',
        value: `Basic ${base64(rng.pick([clientId, '', `:${clientSecret}`]))}`,
      }
    case 8:
      return {
        label: 'basic, not base64',
        value: `Basic ${rng.pick(['!!!', '====', 'a', 'Zm9v\u00e9', '%00', 'YTpi=====x', '*'.repeat(5000)])}`,
      }
    case 9:
      return { label: 'basic, empty', value: rng.pick(['Basic', 'Basic ', 'basic    ', 'BASIC']) }
    case 10:
      return {
        label: 'basic, bytes',
        value: `Basic ${base64(Buffer.concat([Buffer.from(rng.pick(BAD_UTF8)), Buffer.from(`:${clientSecret}\u0000`)]))}`,
      }
    case 11:
      return {
        label: 'basic, huge',
        value: `Basic ${base64(`${'x'.repeat(rng.int(1000, 40_000))}:${clientSecret}`)}`,
      }
    case 12:
      return {
        label: 'other scheme',
        value: rng.pick([
          `Bearer ${clientSecret}`,
          `Digest ${clientId}`,
          `BASIC ${base64(`${clientId}:${clientSecret}`)}`,
        ]),
      }
    default:
      return { label: 'no authorization', value: null }
  }
}

function postToken(target: Target) {
  return (rng: SeededRandom): Probe => {
    const client = rng.pick(target.clients)
    const basic = basicHeader(rng, target)
    const inParams = basic.value === null || rng.chance(0.15)
    const list = params(rng, {
      grant_type: () =>
        text(rng, ['authorization_code', 'refresh_token', 'authorization_code', 'refresh_token']),
      code: () => text(rng, [...target.codes, 'faxd_code_0']),
      refresh_token: () => text(rng, [target.refreshToken]),
      redirect_uri: () => text(rng, [client.redirectUri]),
      scope: () => text(rng, ['all']),
      code_verifier: () => text(rng, [VERIFIER, VERIFIER.slice(0, 42)]),
      ...(inParams
        ? {
            client_id: () => text(rng, [client.clientId]),
            client_secret: () => text(rng, [client.clientSecret]),
          }
        : {}),
    })
    const probe = oauthRequest(
      rng,
      'token',
      '/token',
      list,
      basic.value === null ? {} : { authorization: basic.value },
    )
    return { ...probe, label: `${basic.label}; ${probe.label}` }
  }
}

// ---- POST /v3/accounts/self/files ----------------------------------------------------------

const PDF = Buffer.from('%PDF-1.4\n% faxd fuzz document\n')

/** What follows `form-data; name="fax_file"; ` (a string is written as UTF-8). */
function oddFileName(rng: SeededRandom): string | Buffer {
  return rng.pick<() => string | Buffer>([
    () => `filename*=UTF-8''a%00b`,
    () => `filename*=UTF-8''%ED%A0%80.pdf`,
    () => `filename*=utf-8''%F0%9F%93%A0.pdf`,
    () => `filename*=UTF-8''%zz`,
    () => `filename*=''`,
    () => `filename*=x''y`,
    () => `filename="a.pdf"; filename*=UTF-8''b%00.pdf`,
    () => `filename="a\u0000b.pdf"`,
    () =>
      Buffer.concat([
        Buffer.from('filename="'),
        Buffer.from([0xed, 0xa0, 0x80]),
        Buffer.from('.pdf"'),
      ]),
    () =>
      Buffer.concat([Buffer.from('filename="'), Buffer.from([0xff, 0xfe, 0x00]), Buffer.from('"')]),
    () => 'filename=""',
    () => 'filename=',
    () => 'filename',
    () => 'filename="unterminated.pdf',
    () => 'filename=bare name.pdf',
    () => 'filename="../../etc/passwd"',
    () => 'filename="C:\\Windows\\evil.pdf"',
    () => 'filename="a\\"b.pdf"',
    () => 'filename="%00.pdf"',
    () => 'filename="letter.pdf"; filename="second.pdf"',
    () => `filename="${'a'.repeat(rng.int(300, 100_000))}.pdf"`,
    () => `filename="${'\u00e9\ud83d\udce0'.repeat(rng.int(100, 20_000))}"`,
    () => `filename="${rng.pick(ODD_STRINGS).replace(/"/g, '')}"`,
    () => `filename="${randomUnicode(rng, rng.int(1, 30)).replace(/["\r\n]/g, '')}"`,
  ])()
}

interface Part {
  /** Header lines, without their line break. */
  readonly headers: readonly (string | Buffer)[]
  readonly content: Buffer
}

function filePart(
  disposition: string | Buffer,
  contentType: string | Buffer | null,
  content: Buffer = PDF,
): Part {
  return {
    headers: [
      Buffer.concat([Buffer.from('Content-Disposition: '), Buffer.from(disposition)]),
      ...(contentType === null
        ? []
        : [Buffer.concat([Buffer.from('Content-Type: '), Buffer.from(contentType)])]),
    ],
    content,
  }
}

function fieldPart(name: string, value: string): Part {
  return {
    headers: [`Content-Disposition: form-data; name="${name}"`],
    content: Buffer.from(value),
  }
}

function multipart(
  boundary: string,
  parts: readonly Part[],
  options: { close?: boolean; lineBreak?: string; preamble?: string } = {},
): Buffer {
  const crlf = options.lineBreak ?? '\r\n'
  const chunks: Buffer[] = [Buffer.from(options.preamble ?? '')]
  for (const part of parts) {
    chunks.push(Buffer.from(`--${boundary}${crlf}`))
    for (const header of part.headers) {
      chunks.push(Buffer.from(header), Buffer.from(crlf))
    }
    chunks.push(Buffer.from(crlf), part.content, Buffer.from(crlf))
  }
  if (options.close ?? true) {
    chunks.push(Buffer.from(`--${boundary}--${crlf}`))
  }
  return Buffer.concat(chunks)
}

function uploadContent(rng: SeededRandom): Buffer {
  return rng.pick<() => Buffer>([
    () => PDF,
    () => PDF,
    () => Buffer.alloc(0),
    () => Buffer.from('II*\u0000fake tiff'),
    () => Buffer.from(Array.from({ length: rng.int(1, 4096) }, () => rng.int(0, 255))),
    () => Buffer.alloc(rng.int(10_000, 300_000), 0x25),
  ])()
}

const STANDARD = 'form-data; name="fax_file"; filename="letter.pdf"'

function upload(target: Target) {
  return (rng: SeededRandom): Probe => {
    const boundary = `----faxdfuzz${rng.int(0, 1e9)}`
    const content = uploadContent(rng)
    let label: string
    let contentType: string | null = `multipart/form-data; boundary=${boundary}`
    let body: Buffer | string
    let path = '/v3/accounts/self/files'
    const headers: Record<string, string> = { authorization: `Bearer ${target.admin.token}` }
    switch (rng.int(0, 19)) {
      case 0:
      case 1:
      case 2:
      case 3:
        label = 'valid'
        body = multipart(boundary, [filePart(STANDARD, 'application/pdf', content)])
        break
      case 4:
      case 5:
      case 6:
      case 7: {
        const name = oddFileName(rng)
        label = `filename ${preview(name.toString(), 60)}`
        body = multipart(boundary, [
          filePart(
            Buffer.concat([Buffer.from('form-data; name="fax_file"; '), Buffer.from(name)]),
            'application/pdf',
            content,
          ),
        ])
        break
      }
      case 8: {
        const type = rng.pick<string | Buffer>([
          '',
          'application/pdf\u0000',
          'text/html; charset=utf-8',
          'x'.repeat(rng.int(100, 20_000)),
          'application/pdf; name="\u00e9\ud83d\udce0"',
          Buffer.from([0xff, 0xed, 0xa0, 0x80]),
          '\u0000',
          rng.pick(ODD_STRINGS),
        ])
        label = `part content-type ${preview(type.toString(), 60)}`
        body = multipart(boundary, [filePart(STANDARD, rng.chance(0.2) ? null : type, content)])
        break
      }
      case 9: {
        const name = rng.pick([
          'file',
          'FAX_FILE',
          '',
          'fax_file\u0000',
          'fax_file ',
          '__proto__',
          'fax_file[]',
        ])
        label = `part name ${JSON.stringify(name)}`
        body = multipart(boundary, [
          filePart(`form-data; name="${name}"; filename="a.pdf"`, 'application/pdf'),
        ])
        break
      }
      case 10: {
        label = 'no file part'
        body = multipart(
          boundary,
          rng.pick([[], [fieldPart('fax_file', 'not a file')], [fieldPart('format', 'pdf')]]),
        )
        break
      }
      case 11: {
        const fields = rng.int(1, 15)
        label = `${fields} fields first`
        body = multipart(boundary, [
          ...Array.from({ length: fields }, (_, i) => fieldPart(`f${i}`, text(rng).slice(0, 1000))),
          filePart(STANDARD, 'application/pdf'),
        ])
        break
      }
      case 12:
        label = 'two files'
        body = multipart(boundary, [
          filePart(STANDARD, 'application/pdf'),
          filePart('form-data; name="fax_file"; filename="b.pdf"', 'application/pdf'),
        ])
        break
      case 13:
      case 14:
      case 15: {
        const whole = multipart(boundary, [filePart(STANDARD, 'application/pdf', content)])
        const broken = rng.int(0, 10)
        label = `broken multipart ${broken}`
        if (broken === 0) {
          body = multipart(`${boundary}x`, [filePart(STANDARD, 'application/pdf')])
        } else if (broken === 1) {
          body = multipart(boundary, [filePart(STANDARD, 'application/pdf', content)], {
            close: false,
          })
        } else if (broken === 2) {
          body = whole.subarray(0, rng.int(0, whole.length - 1))
        } else if (broken === 3) {
          body = multipart(boundary, [filePart(STANDARD, 'application/pdf')], { lineBreak: '\n' })
        } else if (broken === 4) {
          contentType = 'multipart/form-data'
          body = whole
        } else if (broken === 5) {
          contentType = `multipart/form-data; boundary="${boundary}"`
          body = whole
        } else if (broken === 6) {
          const long = 'b'.repeat(rng.int(71, 5000))
          contentType = `multipart/form-data; boundary=${long}`
          body = multipart(long, [filePart(STANDARD, 'application/pdf')])
        } else if (broken === 7) {
          body = rng.pick(['', '--', `--${boundary}--`, `--${boundary}\r\n\r\n`, 'preamble only'])
        } else if (broken === 8) {
          body = multipart(boundary, [{ headers: [], content: PDF }])
        } else if (broken === 9) {
          body = multipart(boundary, [
            {
              headers: [
                'Content-Disposition form-data; name=fax_file',
                'x'.repeat(rng.int(100, 100_000)),
              ],
              content: PDF,
            },
          ])
        } else {
          contentType = `multipart/form-data; boundary=${rng.pick(['', ' ', '\u00e9', '"', '--', ';'])}`
          body = whole
        }
        break
      }
      case 16: {
        contentType = rng.pick([
          null,
          'application/json',
          'text/plain',
          'application/octet-stream',
          'application/x-www-form-urlencoded',
          'multipart/mixed; boundary=x',
          'application/pdf',
        ])
        label = `content-type ${JSON.stringify(contentType)}`
        body = contentType === 'application/json' ? '{"fax_file":"x"}' : PDF
        break
      }
      case 17:
        label = 'odd user_id'
        path = `/v3/accounts/${percentEncode(text(rng, ['self', target.member.account.uid]).slice(0, 300))}/files`
        body = multipart(boundary, [filePart(STANDARD, 'application/pdf')])
        break
      case 18:
        label = 'odd query'
        path = withQuery(
          path,
          queryText(rng, params(rng, { format: () => text(rng, ['pdf', 'tiff']) })),
        )
        body = multipart(boundary, [filePart(STANDARD, 'application/pdf')])
        break
      default:
        label = rng.chance(0.5) ? 'content-encoding' : 'odd credentials'
        if (label === 'content-encoding') {
          headers['content-encoding'] = rng.pick(['gzip', 'br', 'identity, gzip'])
        } else {
          headers['authorization'] = rng.pick([
            'Bearer',
            `Bearer ${target.admin.token}x`,
            `Basic ${base64('a:b')}`,
            `Bearer ${'a'.repeat(10_000)}`,
          ])
        }
        body = multipart(boundary, [filePart(STANDARD, 'application/pdf')])
    }
    if (contentType !== null) {
      headers['content-type'] = contentType
    }
    return { surface: 'api', label, method: 'POST', url: path, headers, payload: body }
  }
}

/** Files in the store's folder: each one must belong to an upload row. */
async function storedFileCount(target: Target): Promise<number> {
  const entries = await readdir(target.testApp.filesDir, { recursive: true, withFileTypes: true })
  return entries.filter((entry) => entry.isFile()).length
}

async function uploadRowCount(target: Target): Promise<number> {
  const row = await target.testApp.testStore
    .database()
    .selectFrom('uploaded_files')
    .select((eb) => eb.fn.countAll().as('count'))
    .executeTakeFirstOrThrow()
  return Number(row.count)
}

// ---- a sample of /v3 ---------------------------------------------------------------------------

type Slot = 'user' | 'member' | 'fax' | 'number' | 'outbox' | 'hook'

interface RouteSpec {
  readonly method: Method
  /** With `{slot}` for each path parameter. */
  readonly path: string
  readonly query?: (rng: SeededRandom, target: Target) => Readonly<Record<string, () => string>>
  readonly body?: (rng: SeededRandom, target: Target) => Readonly<Record<string, () => Json>>
}

const TIMES = [
  '2026-01-01 00:00:00',
  '2025-12-31 23:59:59',
  '2026-02-30 10:00:00',
  '0000-00-00 00:00:00',
]

function accountBody(rng: SeededRandom): Record<string, () => Json> {
  return {
    email: () => jsonValue(rng, () => rng.pick(['renamed@example.test', 'A@B.CO'])),
    name: () => jsonValue(rng, () => text(rng)),
    lastname: () => jsonValue(rng, () => text(rng)),
    phone: () => jsonValue(rng, () => rng.pick(['+4930123456', '+1'])),
    profile_image: () => jsonValue(rng, () => 'https://example.test/a.png'),
    account_data: () => jsonValue(rng, () => obj({ company_name: text(rng) })),
    settings: () => jsonValue(rng, () => obj({ caller_id_name: text(rng) })),
    notifications: () => jsonValue(rng, () => obj({})),
  }
}

const ROUTES: readonly RouteSpec[] = [
  { method: 'GET', path: '/v3/accounts' },
  { method: 'GET', path: '/v3/accounts/{user}' },
  { method: 'PUT', path: '/v3/accounts/{user}', body: accountBody },
  { method: 'GET', path: '/v3/accounts/self/member-details/{member}' },
  {
    method: 'PUT',
    path: '/v3/accounts/self/member-details/{member}',
    body: (rng) => ({
      quota: () => jsonValue(rng, () => rng.int(-1, 2_000_000_000)),
      role: () => jsonValue(rng, () => text(rng)),
    }),
  },
  {
    method: 'GET',
    path: '/v3/accounts/{user}/faxes',
    query: (rng) => ({
      category: () => text(rng, ['inbox', 'sent', 'spam']),
      after: () => text(rng, TIMES),
      before: () => text(rng, TIMES),
      limit: () => text(rng, ['1', '50', '1000', '0', '1001', '-1', '1e3', '999999999', '0x10']),
    }),
  },
  { method: 'GET', path: '/v3/accounts/{user}/faxes/{fax}' },
  {
    method: 'PUT',
    path: '/v3/accounts/{user}/faxes/{fax}',
    body: (rng) => ({
      comment: () => jsonValue(rng, () => text(rng)),
      is_read: () => jsonValue(rng, () => rng.chance(0.5)),
    }),
  },
  { method: 'DELETE', path: '/v3/accounts/{user}/faxes/{fax}' },
  { method: 'GET', path: '/v3/accounts/{user}/numbers' },
  { method: 'GET', path: '/v3/accounts/{user}/numbers/{number}' },
  {
    method: 'PUT',
    path: '/v3/accounts/{user}/numbers/{number}',
    body: (rng, target) => ({
      assigned_to: () =>
        jsonValue(rng, () => text(rng, [target.member.account.uid, target.admin.account.uid])),
    }),
  },
  {
    method: 'POST',
    path: '/v3/accounts/{user}/numbers/{number}',
    body: (rng, target) => ({
      assigned_to: () => jsonValue(rng, () => text(rng, [target.member.account.uid])),
    }),
  },
  { method: 'DELETE', path: '/v3/accounts/{user}/numbers/{number}' },
  { method: 'GET', path: '/v3/accounts/{user}/outbox' },
  { method: 'GET', path: '/v3/accounts/{user}/outbox/{outbox}' },
  {
    method: 'PUT',
    path: '/v3/accounts/{user}/outbox/{outbox}',
    body: (rng) => ({ comment: () => jsonValue(rng, () => text(rng)) }),
  },
  { method: 'DELETE', path: '/v3/accounts/{user}/outbox/{outbox}' },
  {
    method: 'GET',
    path: '/v3/hooks',
    query: (rng) => ({ event: () => text(rng, ['fax_sent', 'fax_received']) }),
  },
  {
    method: 'POST',
    path: '/v3/hooks',
    body: (rng) => ({
      target: () => jsonValue(rng, () => text(rng, ['https://example.test/h', 'http://[::1]/h'])),
      event: () => jsonValue(rng, () => rng.pick(['fax_sent', 'fax_received'])),
      id: () => jsonValue(rng, () => text(rng)),
    }),
  },
  { method: 'DELETE', path: '/v3/hooks/{hook}' },
]

/** Path parameters written into the path as they are: escapes, dots, separators. */
const RAW_PATH_VALUES = [
  '',
  '%00',
  '%',
  '%zz',
  '%2F',
  '%2e%2e',
  'a%00b',
  '%ED%A0%80',
  '%C0%80',
  '%FF',
  '%20',
  '+',
  ';',
  '%3B',
  '*',
  '~',
  'self%00',
  'self%2F..',
  '%5C',
  '%u0000',
]

function slotReals(target: Target, slot: Slot): string[] {
  switch (slot) {
    case 'user':
      return ['self', target.admin.account.uid, target.member.account.uid, target.signIn.uid]
    case 'member':
      return [target.member.account.uid, target.admin.account.uid, 'self']
    case 'fax':
      return [target.faxId]
    case 'number':
      return [target.number, target.number.slice(1)]
    case 'outbox':
      return [target.outboxId]
    case 'hook':
      return [target.hookId]
  }
}

/** A path parameter, already encoded: real, odd, malformed or too long. */
function pathValue(rng: SeededRandom, reals: readonly string[]): { label: string; value: string } {
  const roll = rng.next()
  if (roll < 0.35) {
    return { label: 'real', value: percentEncode(rng.pick(reals)) }
  }
  if (roll < 0.65) {
    return { label: 'odd', value: percentEncode(text(rng, reals).slice(0, 200)) }
  }
  if (roll < 0.82) {
    const raw = rng.pick(RAW_PATH_VALUES)
    return {
      label: `raw ${raw}`,
      value: rng.chance(0.3) ? percentEncode(rng.pick(reals)) + raw : raw,
    }
  }
  if (roll < 0.92) {
    return {
      label: 'long',
      value: rng.chance(0.5) ? 'a'.repeat(rng.int(60, 260)) : '%C3%A9'.repeat(rng.int(30, 130)),
    }
  }
  return { label: 'unicode', value: percentEncode(randomUnicode(rng, rng.int(1, 60))) }
}

function v3Credentials(rng: SeededRandom, target: Target): Record<string, string> {
  const token = rng.chance(0.7) ? target.admin.token : target.member.token
  if (rng.chance(0.9)) {
    return rng.chance(0.05)
      ? {
          authorization: `Bearer ${token}`,
          'x-fax-clientid': rng.pick(['APIK-x', '%00', 'a'.repeat(3000)]),
        }
      : { authorization: `Bearer ${token}` }
  }
  return rng.pick<Record<string, string>>([
    {},
    { authorization: 'Bearer' },
    { authorization: `Bearer ${token}%00` },
    { authorization: `bearer  ${token}  ` },
    { authorization: `Bearer ${'z'.repeat(rng.int(100, 50_000))}` },
    { authorization: `Basic ${base64(`${token}:`)}` },
  ])
}

function v3Route(target: Target) {
  return (rng: SeededRandom): Probe => {
    const route = rng.pick(ROUTES)
    const labels: string[] = []
    let path = route.path.replace(/\{(\w+)\}/g, (_, slot: Slot) => {
      const { label, value } = pathValue(rng, slotReals(target, slot))
      labels.push(`${slot} ${label}`)
      return value
    })
    const known = route.query?.(rng, target) ?? {}
    const list = params(rng, known)
    if (list.length > 0 || rng.chance(0.1)) {
      path = withQuery(path, queryText(rng, list))
    }
    const headers = v3Credentials(rng, target)
    if (route.body === undefined) {
      if (rng.chance(0.05)) {
        // The Python SDK sends a JSON content type and an empty body on GET and DELETE.
        headers['content-type'] = 'application/json'
        return {
          surface: 'api',
          label: labels.join(', '),
          method: route.method,
          url: path,
          headers,
          payload: '',
        }
      }
      return { surface: 'api', label: labels.join(', '), method: route.method, url: path, headers }
    }
    const fields = route.body(rng, target)
    const body = new Map<string, Json>()
    for (const [name, value] of Object.entries(fields)) {
      if (rng.chance(0.6)) {
        body.set(name, value())
      }
    }
    if (rng.chance(0.1)) {
      body.set(rng.pick(ODD_NAMES), jsonValue(rng))
    }
    const roll = rng.next()
    let payload: string = toJsonText(body)
    headers['content-type'] = 'application/json'
    if (roll < 0.08) {
      payload = rng.pick(BROKEN_JSON)
      labels.push('broken json')
    } else if (roll < 0.13) {
      headers['content-type'] = rng.pick([
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/json; charset=utf-16',
      ])
      labels.push(headers['content-type'])
    }
    return {
      surface: 'api',
      label: labels.join(', '),
      method: route.method,
      url: path,
      headers,
      payload,
    }
  }
}

// ---- the tests ---------------------------------------------------------------------------------

for (const engine of ENGINES) {
  describe(`${engine}: the routes beyond sendFax under fuzzing`, () => {
    let target: Target
    before(async () => {
      target = await openTarget(engine)
    })
    after(async () => {
      await target?.testApp.close()
    })

    const options = { timeout: FAMILY_TIMEOUT_MS }

    it('GET /login answers a page or a JSON error', options, async (t) => {
      assertNoProblems(await runFamily(t, target, 'GET /login', getLogin(target)))
    })

    it('POST /login answers a page, a redirect or a JSON error', options, async (t) => {
      assertNoProblems(await runFamily(t, target, 'POST /login', postLogin(target)))
    })

    it('POST /token answers tokens or a JSON error', options, async (t) => {
      assertNoProblems(await runFamily(t, target, 'POST /token', postToken(target)))
    })

    it('uploads answer a path or a JSON error, and a refusal keeps no file', options, async (t) => {
      const filesBefore = await storedFileCount(target)
      const rowsBefore = await uploadRowCount(target)
      const run = await runFamily(t, target, 'upload', upload(target))
      const addedFiles = (await storedFileCount(target)) - filesBefore
      const addedRows = (await uploadRowCount(target)) - rowsBefore
      t.diagnostic(`${addedRows} uploads accepted`)
      if (addedRows === 0) {
        run.problems.push({ kind: 'no upload was accepted: the fuzz never reached the store' })
      }
      if (addedFiles !== addedRows) {
        run.problems.push({
          kind: `${addedFiles} files were kept for ${addedRows} accepted uploads: refusals left files behind`,
        })
      }
      assertNoProblems(run)
    })

    it(
      'a sample of /v3 routes answers JSON errors to odd paths, queries and bodies',
      options,
      async (t) => {
        assertNoProblems(await runFamily(t, target, '/v3 routes', v3Route(target)))
      },
    )
  })
}
