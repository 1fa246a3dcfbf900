/**
 * Answers to requests no route ever sees, in the same Fax.Plus Error form as every other
 * answer. Node's HTTP parser refuses a malformed request line, header, Content-Length or chunk,
 * a head over MAX_HEAD_BYTES and a head that takes too long, and hands the error to Fastify's
 * clientErrorHandler (the server's 'clientError' event) before any hook runs; Node also answers
 * an `Expect` it cannot meet by itself. Here each becomes an ApiError, api-error.ts makes the
 * answer, and it is written on the raw socket as a complete HTTP/1.1 response; then the socket
 * is ended, because the parser cannot find the next request after an error.
 *
 * A head over the limit is HPE_HEADER_OVERFLOW whether the URL or the header fields ran over it,
 * and the error carries only the chunk the parser was reading. When the line in progress starts
 * in that chunk, its first bytes tell a request line (a method and a space) from a header field
 * (whose name holds no space): 414 or 431. A line begun in an earlier read cannot be told, and is
 * answered 431. URLs over MAX_URL_BYTES but within the head are refused 414 by create-app.ts,
 * which is where any URL a client means to send ends up.
 */
import { type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyBaseLogger } from 'fastify'
import { ApiError, type ErrorAnswer, errorAnswer } from './api-error.js'

/** The most a request head may hold: its URL, header names and values together (Node's default). */
export const MAX_HEAD_BYTES = 16 * 1024

/**
 * The longest URL faxd reads (RFC 9112 §3: at least 8000 octets of request line should be
 * supported); a longer one is refused 414 uri_too_long.
 */
export const MAX_URL_BYTES = 8 * 1024

const LF = 0x0a
const CR = 0x0d

/** A request line starts with a method (capitals and `-`, as M-SEARCH) and a space. */
const REQUEST_LINE_START = /^[A-Z][A-Z-]* /

/**
 * How long an answered connection stays open for the client to read the answer and close it.
 * Closing at once, with the client's bytes still unread, makes the kernel reset the connection,
 * and a reset can make the client drop the answer before reading it.
 */
const LINGER_MS = 5_000

/** What Node passes with 'clientError'; a parser error carries the chunk it was reading. */
export interface ClientError extends Error {
  code?: string
  /** The parser's explanation, e.g. "Duplicate Content-Length". */
  reason?: string
  bytesParsed?: number
  rawPacket?: unknown
}

const answered = new WeakSet<Socket>()

/**
 * The responses being sent on each connection, so that an error answer never cuts into one
 * (a request pipelined behind another): one listener on the server's 'request' event.
 */
export class ResponsesInFlight {
  readonly #latest = new WeakMap<
    Socket,
    { readonly request: IncomingMessage; readonly response: ServerResponse }
  >()

  attach(server: Server): void {
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      this.#latest.set(request.socket, { request, response })
    })
  }

  /** Calls `write` once an answer on `socket` cannot cut into another; destroys it if never. */
  whenFree(socket: Socket, write: () => void): void {
    const latest = this.#latest.get(socket)
    if (latest === undefined || latest.response.writableFinished) {
      write()
      return
    }
    const { request, response } = latest
    if (!request.complete) {
      // The parser failed inside this request's own body: the answer is for it, if not begun.
      if (response.headersSent) {
        socket.destroy()
      } else {
        write()
      }
      return
    }
    // A later request failed while an earlier one is being answered: answers go in order.
    response.once('close', () => {
      if (response.writableFinished) {
        write()
      } else {
        socket.destroy()
      }
    })
  }
}

/** Fastify's clientErrorHandler: refuse the request in the documented form and end the socket. */
export function answerClientError(
  error: ClientError,
  socket: Socket,
  responses: ResponsesInFlight,
  log: FastifyBaseLogger,
): void {
  // After its first error the parser reports it again for every chunk that still comes in.
  if (error.code === 'ECONNRESET' || socket.destroyed || answered.has(socket)) {
    return
  }
  answered.add(socket)
  const refusal = refusalOf(error)
  log.debug({ err: error, code: refusal.code }, 'malformed request refused')
  responses.whenFree(socket, () => writeAnswer(socket, errorAnswer(refusal)))
}

function refusalOf(error: ClientError): ApiError {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new ApiError(408, 'request_timeout', 'The request head did not arrive in time')
    case 'HPE_HEADER_OVERFLOW': {
      const packet = error.rawPacket
      const requestLine =
        Buffer.isBuffer(packet) && isRequestLine(packet, error.bytesParsed ?? packet.length)
      return requestLine
        ? new ApiError(
            414,
            'uri_too_long',
            `The request line is longer than the ${MAX_HEAD_BYTES} bytes a request head may hold`,
          )
        : new ApiError(
            431,
            'headers_too_large',
            `The URL and header fields together exceed ${MAX_HEAD_BYTES} bytes`,
          )
    }
    default: {
      const reason = error.reason ?? 'it is not HTTP/1.1'
      const code = error.code?.startsWith('HPE_') ? ` (${error.code})` : ''
      return new ApiError(400, 'bad_request', `Malformed HTTP request: ${reason}${code}`)
    }
  }
}

/**
 * Whether the line the parser was reading at `position` in `packet` is a request line: its
 * start is in the packet and reads as a method and a space. Empty lines before a request line
 * are skipped, as the parser skips them (RFC 9112 §2.2).
 */
function isRequestLine(packet: Buffer, position: number): boolean {
  const end = Math.max(0, Math.min(position, packet.length))
  let start = packet.lastIndexOf(LF, end - 1) + 1
  if (start === 0) {
    // No line break before the overflow: the line began with this chunk, or in an earlier one.
    while (start < end && (packet[start] === CR || packet[start] === LF)) {
      start++
    }
  }
  return REQUEST_LINE_START.test(packet.toString('latin1', start, Math.min(end, start + 16)))
}

/** A whole HTTP/1.1 response on the raw socket, then the end of the connection. */
function writeAnswer(socket: Socket, answer: ErrorAnswer): void {
  if (!socket.writable) {
    socket.destroy()
    return
  }
  const body = JSON.stringify(answer.body)
  const head = [
    `HTTP/1.1 ${answer.statusCode} ${STATUS_CODES[answer.statusCode] ?? ''}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    `Date: ${new Date().toUTCString()}`,
    'Connection: close',
    ...Object.entries(answer.headers).map(([name, value]) => `${name}: ${value}`),
  ]
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`)
  const linger = setTimeout(() => socket.destroy(), LINGER_MS)
  linger.unref()
  socket.once('close', () => clearTimeout(linger))
}

/**
 * RFC 9110 §10.1.1: an expectation other than 100-continue may be refused with 417. Without a
 * 'checkExpectation' listener Node sends that 417 itself, with an empty body.
 */
export function refuseUnmetExpectations(server: Server): void {
  server.on('checkExpectation', (_request, response: ServerResponse) => {
    const answer = errorAnswer(
      new ApiError(417, 'expectation_failed', 'The only expectation faxd meets is 100-continue'),
    )
    const body = JSON.stringify(answer.body)
    response
      .writeHead(answer.statusCode, {
        ...answer.headers,
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
      })
      .end(body)
  })
}
