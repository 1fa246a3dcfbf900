/**
 * A T.38 fax session run in real time over a UDP socket: the session's clock is the monotonic
 * clock, stepped every few milliseconds, and its datagrams go to and come from the far end.
 * An aborted signal stops the call as a fax machine would: DCN first, then the line is let go.
 */
import type { UdpEndpoint } from '../telephony/net/udp-endpoint.js'
import type { T30Result } from '../telephony/t30/t30-engine.js'
import type { T38FaxEvent, T38FaxSession } from '../telephony/t38/t38-fax-session.js'

export interface UdptlCallOptions {
  readonly signal?: AbortSignal
  /** How often the session's time is moved on, ms. Its pacing is 30 ms chunks; 10 keeps it smooth. */
  readonly tickMs?: number
  /** After an abort, how long DCN may take before the call is dropped as it is. */
  readonly stopGraceMs?: number
  readonly onEvent?: (event: T38FaxEvent) => void
}

export interface UdptlCallRun {
  readonly result: T30Result
  readonly events: readonly T38FaxEvent[]
}

export function runUdptlCall(
  session: T38FaxSession,
  endpoint: UdpEndpoint,
  options: UdptlCallOptions = {},
): Promise<UdptlCallRun> {
  const tickMs = options.tickMs ?? 10
  const events: T38FaxEvent[] = []
  return new Promise((resolve) => {
    let last = performance.now()
    let stopDeadline: number | null = null
    const flush = (): void => {
      for (const datagram of session.takeDatagrams()) {
        endpoint.send(datagram)
      }
      for (const event of session.takeEvents()) {
        events.push(event)
        options.onEvent?.(event)
      }
      if (session.done) {
        finish()
      }
    }
    const tick = (): void => {
      const now = performance.now()
      session.advance(now - last)
      last = now
      if (stopDeadline !== null && now >= stopDeadline && !session.done) {
        session.hangUp('stopped, and DCN did not get out in time')
      }
      flush()
    }
    const onAbort = (): void => {
      stopDeadline = performance.now() + (options.stopGraceMs ?? 5_000)
      session.stop()
      flush()
    }
    const timer = setInterval(tick, tickMs)
    let finished = false
    const finish = (): void => {
      if (finished) {
        return
      }
      finished = true
      clearInterval(timer)
      options.signal?.removeEventListener('abort', onAbort)
      resolve({ result: session.result!, events })
    }
    endpoint.onDatagram((datagram) => {
      if (finished) {
        return
      }
      // Bring the session's clock up to now before it hears the packet.
      const now = performance.now()
      session.advance(now - last)
      last = now
      session.receiveDatagram(datagram)
      flush()
    })
    if (options.signal?.aborted === true) {
      onAbort()
    } else {
      options.signal?.addEventListener('abort', onAbort, { once: true })
    }
    session.start()
    flush()
  })
}
