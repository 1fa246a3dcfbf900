/**
 * An answer sent before the request's body has all arrived (413 for a JSON body over the limit,
 * which is known from Content-Length alone; 401 for a bad token on an upload) must reach a
 * client that is still sending. If the server closed the connection at once, the body still on
 * its way would make the kernel reset it, and the client would see EPIPE or ECONNRESET instead
 * of the answer. So, as nginx's lingering close does, the rest of the body is read and thrown
 * away, up to LINGER_BYTES or for LINGER_MS, whichever comes first. Once the body has ended the
 * connection is where any other is after its request: the answer said nothing of closing it, so
 * it serves the client's next request (fetch, whose pool keeps such a connection, sends one on
 * it; a connection closed here after the drain left that request without an answer). A body
 * that goes on past the limits is cut off, long after its answer was sent.
 */
import { Socket } from 'node:net'
import type { FastifyReply, FastifyRequest } from 'fastify'

/** How much of an unwanted body is read and discarded before the connection is cut. */
export const LINGER_BYTES = 64 * 1024 * 1024

/** How long an unwanted body may keep coming before the connection is cut. */
export const LINGER_MS = 30_000

/**
 * An onSend hook: when the answer goes out before the request's body has ended, the body is
 * drained after the answer instead of the connection being closed under the client.
 */
export async function lingerOnEarlyAnswer(
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const incoming = request.raw
  // Only a request read from a connection (not one made by inject) has a body still arriving.
  if (
    !(incoming.socket instanceof Socket) ||
    incoming.complete ||
    incoming.readableEnded ||
    incoming.destroyed
  ) {
    return
  }
  // Fastify asks for Connection: close here ("the client may send more data"), and Node would
  // close the socket as soon as the answer is written; draining takes its place.
  reply.removeHeader('connection')
  const socket = incoming.socket
  reply.raw.once('finish', () => {
    let discarded = 0
    const cut = (): void => {
      socket.destroy()
    }
    const timer = setTimeout(cut, LINGER_MS)
    timer.unref()
    // Whatever read the body until the answer (the multipart parser, piped from it) may still
    // be attached and push back: a parser whose file part nobody reads any more pauses the
    // body at its first chunk, and the drain would stop there, leaving a client that sends the
    // body before it reads the answer (fetch) waiting for ever. Only the drain reads it now.
    incoming.unpipe()
    incoming.on('data', (chunk: Buffer) => {
      discarded += chunk.length
      if (discarded > LINGER_BYTES) {
        clearTimeout(timer)
        cut()
      }
    })
    incoming.once('end', () => {
      clearTimeout(timer)
    })
    socket.once('close', () => clearTimeout(timer))
    incoming.resume()
  })
}
