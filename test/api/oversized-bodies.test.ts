/**
 * A client that writes a whole body the server does not want gets the answer, not a reset:
 * oversized sendFax bodies (413, known from Content-Length before a byte of the body is read, or
 * found while reading a chunked one) and bodies behind a bad token (401), written by Node's real
 * HTTP client in chunks of random sizes at random paces, over loopback. The rest of the body is
 * drained after the answer, and the connection then serves the next request (as fetch's pool
 * uses it); a body past the drain limit is cut off, after its answer.
 */
import assert from 'node:assert/strict'
import { type Agent, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { LINGER_BYTES } from '../../src/api/lingering-close.js'
import { seededRandom } from '../support/seeded-random.js'
import { printStressSizes, stressSize } from '../support/stress-size.js'
import { type TestApp, type TestUser, openTestApp } from '../support/test-app.js'
import { RawConnection } from './raw-http-connection.js'

const MB = 1024 * 1024
const SEED = Number(process.env['FUZZ_SEED'] ?? 20261203)

interface Outcome {
  readonly status?: number
  readonly body?: string
  readonly error?: string
  readonly reusedSocket: boolean
}

/** POSTs `size` octets of JSON-ish body in chunks of `chunk` octets, pausing `pauseMs` now and then. */
function post(
  port: number,
  options: {
    token: string
    size: number
    chunk: number
    pauseMs: number
    chunked: boolean
    agent?: Agent
  },
): Promise<Outcome> {
  return new Promise((resolve) => {
    const headers: Record<string, string | number> = {
      authorization: `Bearer ${options.token}`,
      'content-type': 'application/json',
    }
    if (!options.chunked) {
      headers['content-length'] = options.size
    }
    const outgoing = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/v3/accounts/self/outbox',
        headers,
        ...(options.agent ? { agent: options.agent } : {}),
      },
      (response) => {
        let body = ''
        response.setEncoding('utf8')
        response.on('data', (text: string) => (body += text))
        response.on('end', () => {
          resolve({ status: response.statusCode, body, reusedSocket: outgoing.reusedSocket })
          // The answer is what this test is about; the rest of the body need not be sent.
          outgoing.destroy()
        })
      },
    )
    outgoing.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ error: error.code ?? error.message, reusedSocket: outgoing.reusedSocket }),
    )
    const piece = Buffer.alloc(options.chunk, 0x20)
    let sent = 0
    const pump = (): void => {
      while (sent < options.size) {
        const part = piece.subarray(0, Math.min(piece.length, options.size - sent))
        sent += part.length
        if (!outgoing.write(part)) {
          outgoing.once('drain', () => setTimeout(pump, options.pauseMs))
          return
        }
      }
      outgoing.end()
    }
    // The head goes first and alone: the server can answer before a byte of the body arrives.
    outgoing.flushHeaders()
    setTimeout(pump, options.pauseMs)
  })
}

function assertAnswer(outcome: Outcome, status: number, code: string, what: string): void {
  assert.equal(outcome.error, undefined, `${what}: the client saw ${outcome.error} instead`)
  assert.equal(outcome.status, status, what)
  const body = JSON.parse(outcome.body ?? '') as Record<string, unknown>
  assert.deepEqual(Object.keys(body).sort(), ['description', 'error'], what)
  assert.equal(body['error'], code, what)
}

describe('bodies the server does not want', () => {
  let t: TestApp
  let user: TestUser
  let port: number

  before(async () => {
    t = await openTestApp('sqlite')
    user = await t.user({ numbers: ['+15555550150'] })
    await t.app.listen({ port: 0, host: '127.0.0.1' })
    port = (t.app.server.address() as AddressInfo).port
  })
  after(async () => t.close())

  it(
    'oversized sendFax bodies, random sizes and paces: 413 every time',
    {
      timeout: 120_000,
    },
    async (context) => {
      const random = seededRandom(SEED)
      context.diagnostic(`seed ${SEED} (FUZZ_SEED replays it)`)
      printStressSizes(context, ['oversizedBodies', 'oversizedBodyMb'])
      const largest = stressSize('oversizedBodyMb') * MB
      for (let index = 0; index < stressSize('oversizedBodies'); index++) {
        const size = random.int(Math.ceil(1.01 * MB), largest)
        const chunk = random.pick([4096, 65_536, 256 * 1024, MB])
        const chunked = random.chance(0.3)
        const pauseMs = random.int(0, 20)
        const what = `${size} octets in ${chunk}-octet chunks${chunked ? ', chunked' : ''}, ${pauseMs} ms pauses`
        assertAnswer(
          await post(port, { token: user.token, size, chunk, pauseMs, chunked }),
          413,
          'request_too_large',
          what,
        )
      }
    },
  )

  it('a large body behind a bad token: 401, not a reset', { timeout: 60_000 }, async () => {
    const outcome = await post(port, {
      token: 'not-a-token',
      size: 8 * MB,
      chunk: 65_536,
      pauseMs: 5,
      chunked: false,
    })
    assertAnswer(outcome, 401, 'invalid_token', '8 MB behind a bad token')
  })

  it(
    'the connection serves the next request once the body is drained',
    { timeout: 60_000 },
    async () => {
      // The head alone, the answer, then the body: nothing is reset, and once the last octet of
      // the body has arrived the next request on the connection is answered (fetch sends one).
      const connection = await RawConnection.open(t.app.server, port)
      const size = 6 * MB
      await connection.send(
        'POST /v3/accounts/self/outbox HTTP/1.1\r\nHost: x\r\n' +
          `Authorization: Bearer ${user.token}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${size}\r\n\r\n`,
      )
      const first = await connection.response()
      assert.equal(first.status, 413)
      await connection.send(Buffer.alloc(size, 0x20))
      await connection.send(
        `GET /v3/accounts/self HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${user.token}\r\n\r\n`,
      )
      const second = await connection.response()
      assert.equal(second.status, 200)
      await connection.send('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
      assert.equal((await connection.response()).status, 200)
      assert.equal(await connection.closed(), '')
    },
  )

  it(
    'a body past the drain limit still gets its answer first, then is cut off',
    {
      timeout: 60_000,
    },
    async () => {
      const outcome = await post(port, {
        token: user.token,
        size: LINGER_BYTES + 16 * MB,
        chunk: MB,
        pauseMs: 0,
        chunked: false,
      })
      assertAnswer(outcome, 413, 'request_too_large', 'a body past the drain limit')
    },
  )
})
