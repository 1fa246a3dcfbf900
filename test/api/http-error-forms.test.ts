/**
 * Every error answer is the Fax.Plus Error object, also the ones no route makes: requests
 * Node's HTTP parser refuses before Fastify sees them (a bad request line, a bad or repeated
 * Content-Length, a head over 16 KB, a URL over 16 KB, a head that never ends), requests Node
 * would answer by itself (no Host, an unmet Expect), and Fastify's own refusals (no route, a
 * body too large or of the wrong type, a request while the server closes). Fastify's inject
 * does not go through Node's parser, so these requests are written on real TCP connections to
 * the app listening on 127.0.0.1.
 */
import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { MAX_URL_BYTES, ResponsesInFlight, answerClientError } from '../../src/api/client-error.js'
import { type TestApp, type TestUser, openTestApp } from '../support/test-app.js'
import { RawConnection, type RawResponse } from './raw-http-connection.js'

/** Node's limit on a head, which faxd keeps: the URL, header names and values together. */
const HEAD_LIMIT_BYTES = 16 * 1024
const TIMEOUT = { timeout: 20_000 }

let t: TestApp
let port: number
let user: TestUser

before(async () => {
  t = await openTestApp('sqlite')
  user = await t.user()
  await t.app.listen({ port: 0, host: '127.0.0.1' })
  port = (t.app.server.address() as AddressInfo).port
})

after(async () => {
  await t.close()
})

function connect(app: TestApp = t, at: number = port): Promise<RawConnection> {
  return RawConnection.open(app.app.server, at)
}

/** The documented form: JSON with exactly `error` (the code) and `description` (some text). */
function assertErrorForm(response: RawResponse, status: number, code: string): void {
  assert.equal(response.status, status, response.body)
  assert.match(response.headers['content-type'] ?? '', /^application\/json; charset=utf-8$/)
  const body = JSON.parse(response.body) as Record<string, unknown>
  assert.deepEqual(Object.keys(body).sort(), ['description', 'error'], response.body)
  assert.equal(body['error'], code, response.body)
  assert.equal(typeof body['description'], 'string')
  assert.notEqual(body['description'], '')
}

/** Sends `request` as one write, expects one refusal and the end of the connection. */
async function assertRefusedOnce(
  request: string,
  status: number,
  code: string,
): Promise<RawResponse> {
  const connection = await connect()
  await connection.send(request)
  const response = await connection.response()
  assertErrorForm(response, status, code)
  assert.equal(response.headers['connection'], 'close')
  assert.equal(await connection.closed(), '', 'nothing may follow the refusal')
  return response
}

const MALFORMED: readonly { readonly name: string; readonly request: string }[] = [
  { name: 'a request line without a target', request: 'GET\r\n\r\n' },
  { name: 'a space inside the target', request: 'GET /a b HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'an unknown HTTP version', request: 'GET / HTTP/9.9\r\nHost: x\r\n\r\n' },
  { name: 'an unknown method', request: 'BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n' },
  { name: 'lines ending in LF alone', request: 'GET /healthz HTTP/1.1\nHost: x\n\n' },
  {
    name: 'Content-Length: abc',
    request: 'POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
  },
  {
    name: 'two different Content-Length headers',
    request: 'POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab',
  },
  {
    name: 'the same Content-Length twice',
    request: 'POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nab',
  },
  {
    name: 'Content-Length beside Transfer-Encoding: chunked',
    request:
      'POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
  },
  {
    name: 'a Transfer-Encoding that does not end in chunked',
    request: 'POST /token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n',
  },
  {
    name: 'a chunk size that is not hexadecimal',
    request: 'POST /token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n',
  },
  {
    name: 'a control character in a header value',
    request: 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Note: a\u0001b\r\n\r\n',
  },
  {
    name: 'a space in a header name',
    request: 'GET /healthz HTTP/1.1\r\nHost: x\r\nX Note: a\r\n\r\n',
  },
]

describe('requests the HTTP parser refuses: 400 bad_request', () => {
  for (const { name, request } of MALFORMED) {
    it(name, TIMEOUT, async () => {
      await assertRefusedOnce(request, 400, 'bad_request')
    })
  }

  it('names what is wrong in the description', TIMEOUT, async () => {
    const response = await assertRefusedOnce(MALFORMED[6]!.request, 400, 'bad_request')
    assert.match(JSON.parse(response.body).description as string, /Content-Length/)
  })
})

const longUrl = (length: number): string => `/${'a'.repeat(length - 1)}`

describe('heads over 16 KB: 431 headers_too_large, or 414 uri_too_long for the request line', () => {
  it('a header value over 16 KB: 431', TIMEOUT, async () => {
    const value = 'b'.repeat(HEAD_LIMIT_BYTES + 100)
    await assertRefusedOnce(
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${value}\r\n\r\n`,
      431,
      'headers_too_large',
    )
  })

  it('a header name over 16 KB: 431', TIMEOUT, async () => {
    const name = 'N'.repeat(HEAD_LIMIT_BYTES + 100)
    await assertRefusedOnce(
      `GET /healthz HTTP/1.1\r\nHost: x\r\n${name}: v\r\n\r\n`,
      431,
      'headers_too_large',
    )
  })

  it('four hundred header lines of 50 bytes: 431', TIMEOUT, async () => {
    const lines = Array.from({ length: 400 }, (_, i) => `X-H${i}: ${'c'.repeat(44)}\r\n`)
    await assertRefusedOnce(
      `GET /healthz HTTP/1.1\r\nHost: x\r\n${lines.join('')}\r\n`,
      431,
      'headers_too_large',
    )
  })

  it('a URL under the limit with headers that take the head over it: 431', TIMEOUT, async () => {
    const url = longUrl(HEAD_LIMIT_BYTES - 100)
    const value = 'b'.repeat(500)
    await assertRefusedOnce(
      `GET ${url} HTTP/1.1\r\nHost: x\r\nX-More: ${value}\r\n\r\n`,
      431,
      'headers_too_large',
    )
  })

  it('a URL over 16 KB: 414', TIMEOUT, async () => {
    const response = await assertRefusedOnce(
      `GET ${longUrl(HEAD_LIMIT_BYTES + 4000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      414,
      'uri_too_long',
    )
    assert.equal(response.headers['www-authenticate'], undefined)
  })

  it('a URL of exactly 16 KB: 414', TIMEOUT, async () => {
    await assertRefusedOnce(
      `GET ${longUrl(HEAD_LIMIT_BYTES)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      414,
      'uri_too_long',
    )
  })

  it(
    'a URL over 8 KB that fits in the head: 414 (the longest URL faxd reads)',
    TIMEOUT,
    async () => {
      // Refused as a request, not as a parse error: the connection may stay open.
      const connection = await connect()
      await connection.send(`GET ${longUrl(MAX_URL_BYTES + 1)} HTTP/1.1\r\nHost: x\r\n\r\n`)
      assertErrorForm(await connection.response(), 414, 'uri_too_long')
    },
  )

  it('a URL of exactly 8 KB is read (and not found)', TIMEOUT, async () => {
    const connection = await connect()
    await connection.send(`GET ${longUrl(MAX_URL_BYTES)} HTTP/1.1\r\nHost: x\r\n\r\n`)
    assertErrorForm(await connection.response(), 404, 'not_found')
  })

  it(
    'a URL over 16 KB whose start came in an earlier read: 431, still in the documented form',
    TIMEOUT,
    async () => {
      // The parser overflows in the second piece, all "a": nothing in it tells a URL from a
      // header value, and faxd does not follow every read to know (docs/errors.md).
      const connection = await connect()
      await connection.send(`GET /${'a'.repeat(8000)}`)
      await connection.send('a'.repeat(9000))
      await connection.send(`${'a'.repeat(8000)} HTTP/1.1\r\nHost: x\r\n\r\n`)
      assertErrorForm(await connection.response(), 431, 'headers_too_large')
      assert.equal(await connection.closed(), '')
    },
  )

  it(
    'a header over 16 KB read in three pieces, none of which holds its start and end',
    TIMEOUT,
    async () => {
      const connection = await connect()
      await connection.send(`GET /healthz HTTP/1.1\r\nHost: x\r\nCookie: ${'a'.repeat(8000)}`)
      await connection.send('a'.repeat(9000))
      await connection.send(`${'a'.repeat(8000)}\r\n\r\n`)
      assertErrorForm(await connection.response(), 431, 'headers_too_large')
      assert.equal(await connection.closed(), '')
    },
  )

  it(
    'a header over 16 KB after an answered request, on the same connection: 431',
    TIMEOUT,
    async () => {
      const connection = await connect()
      await connection.send('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n')
      assert.equal((await connection.response()).status, 200)
      await connection.send(
        `GET /healthz HTTP/1.1\r\nHost: x\r\nCookie: ${'a'.repeat(17_000)}\r\n\r\n`,
      )
      assertErrorForm(await connection.response(), 431, 'headers_too_large')
    },
  )

  it(
    'a URL over 16 KB pipelined behind a GET: the GET is answered first, then 414',
    TIMEOUT,
    async () => {
      const connection = await connect()
      await connection.send(
        'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n' +
          `GET ${longUrl(HEAD_LIMIT_BYTES + 4000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      )
      const first = await connection.response()
      assert.equal(first.status, 200)
      assert.deepEqual(JSON.parse(first.body), { status: 'ok' })
      assertErrorForm(await connection.response(), 414, 'uri_too_long')
      assert.equal(await connection.closed(), '')
    },
  )
})

describe('requests Node would answer with an empty body', () => {
  it('HTTP/1.1 without Host: 400 bad_request (RFC 9112 §3.2)', TIMEOUT, async () => {
    const connection = await connect()
    await connection.send('GET /healthz HTTP/1.1\r\n\r\n')
    assertErrorForm(await connection.response(), 400, 'bad_request')
  })

  it('HTTP/1.0 without Host is served', TIMEOUT, async () => {
    const connection = await connect()
    await connection.send('GET /healthz HTTP/1.0\r\n\r\n')
    assert.equal((await connection.response()).status, 200)
  })

  it('an Expect other than 100-continue: 417 expectation_failed', TIMEOUT, async () => {
    const connection = await connect()
    await connection.send('GET /healthz HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\n\r\n')
    assertErrorForm(await connection.response(), 417, 'expectation_failed')
  })
})

describe("Fastify's own refusals, over a real socket", () => {
  const auth = (): string => `Authorization: Bearer ${user.token}\r\n`

  it(
    'a JSON body declared over 1 MB: 413 request_too_large, before the body is read',
    TIMEOUT,
    async () => {
      const connection = await connect()
      await connection.send(
        `PUT /v3/accounts/self HTTP/1.1\r\nHost: x\r\n${auth()}Content-Type: application/json\r\n` +
          `Content-Length: ${2 * 1024 * 1024}\r\n\r\n{"name":"`,
      )
      assertErrorForm(await connection.response(), 413, 'request_too_large')
    },
  )

  it('a JSON body over 1 MB sent chunked: 413 request_too_large', TIMEOUT, async () => {
    const connection = await connect()
    const chunk = 'a'.repeat(600 * 1024)
    const size = chunk.length.toString(16)
    await connection.send(
      `PUT /v3/accounts/self HTTP/1.1\r\nHost: x\r\n${auth()}Content-Type: application/json\r\n` +
        `Transfer-Encoding: chunked\r\n\r\n${size}\r\n${chunk}\r\n${size}\r\n${chunk}\r\n`,
    )
    assertErrorForm(await connection.response(), 413, 'request_too_large')
  })

  it('no route: 404 not_found', TIMEOUT, async () => {
    const connection = await connect()
    await connection.send('GET /v4/nothing HTTP/1.1\r\nHost: x\r\n\r\n')
    assertErrorForm(await connection.response(), 404, 'not_found')
  })

  it('a method no route takes: 404 not_found', TIMEOUT, async () => {
    const connection = await connect()
    await connection.send(`PATCH /v3/accounts/self HTTP/1.1\r\nHost: x\r\n${auth()}\r\n`)
    assertErrorForm(await connection.response(), 404, 'not_found')
  })

  it('a body of a type no parser takes: 415 unsupported_media_type', TIMEOUT, async () => {
    const connection = await connect()
    await connection.send(
      `PUT /v3/accounts/self HTTP/1.1\r\nHost: x\r\n${auth()}Content-Type: application/xml\r\n` +
        'Content-Length: 7\r\n\r\n<a></a>',
    )
    assertErrorForm(await connection.response(), 415, 'unsupported_media_type')
  })

  it('a malformed percent-escape in the path: 400 invalid_url', TIMEOUT, async () => {
    const connection = await connect()
    await connection.send(`GET /v3/accounts/%zz HTTP/1.1\r\nHost: x\r\n${auth()}\r\n`)
    assertErrorForm(await connection.response(), 400, 'invalid_url')
  })
})

describe('a head that does not arrive in time: 408 request_timeout', () => {
  let slow: TestApp
  let slowPort: number

  before(async () => {
    slow = await openTestApp('sqlite')
    // Node checks its connections for the head timeout every connectionsCheckingInterval
    // (30 s by default), read when the server starts listening.
    const server = slow.app.server as typeof slow.app.server & {
      connectionsCheckingInterval: number
    }
    server.connectionsCheckingInterval = 20
    server.headersTimeout = 200
    await slow.app.listen({ port: 0, host: '127.0.0.1' })
    slowPort = (slow.app.server.address() as AddressInfo).port
  })

  after(async () => {
    await slow.close()
  })

  it('is answered in the documented form and the connection closed', TIMEOUT, async () => {
    const connection = await connect(slow, slowPort)
    await connection.send('GET /healthz HTTP/1.1\r\nHost: x\r\n')
    const response = await connection.response()
    assertErrorForm(response, 408, 'request_timeout')
    assert.equal(response.headers['connection'], 'close')
    assert.equal(await connection.closed(), '')
  })
})

describe('a request that arrives while the server closes: 503 service_unavailable', () => {
  it('is refused in the documented form and its connection closed', TIMEOUT, async () => {
    const closing = await openTestApp('sqlite')
    await closing.app.listen({ port: 0, host: '127.0.0.1' })
    const closingPort = (closing.app.server.address() as AddressInfo).port
    const connection = await connect(closing, closingPort)
    // A request whose body is on its way keeps the connection open while the server closes.
    const form = 'grant_type=refresh_token&refresh_token=x'
    await connection.send(
      'POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n' +
        `Content-Length: ${form.length}\r\n\r\n${form.slice(0, 5)}`,
    )
    const closed = closing.close()
    // The server stops listening once the preClose hooks have run.
    while (closing.app.server.listening) {
      await new Promise((resolve) => setImmediate(resolve))
    }
    await connection.send(`${form.slice(5)}GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n`)
    assert.equal((await connection.response()).status, 401)
    const refusal = await connection.response()
    assertErrorForm(refusal, 503, 'service_unavailable')
    assert.equal(refusal.headers['connection'], 'close')
    assert.equal(await connection.closed(), '')
    await closed
  })
})

describe('the client error handler', () => {
  it(
    'writes nothing on a socket that can no longer be written, and destroys it',
    TIMEOUT,
    async () => {
      const connection = await connect()
      const socket = connection.serverSocket
      socket.end()
      const error = Object.assign(new Error('Parse Error'), { code: 'HPE_INVALID_METHOD' })
      answerClientError(error, socket, new ResponsesInFlight(), t.app.log)
      assert.ok(socket.destroyed)
      assert.equal(await connection.closed(), '')
    },
  )
})
