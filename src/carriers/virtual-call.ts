/**
 * Two T.38 fax sessions joined by a simulated network, on virtual time: the loopback carrier's
 * calls and the impaired-line tests and benchmark run the whole real stack (T.30, T.38, UDPTL
 * with redundancy) through it, and a minute of call takes milliseconds.
 */
import { ImpairedNetwork, type Side } from '../telephony/net/impaired-network.js'
import type { T30Result } from '../telephony/t30/t30-engine.js'
import type { T38FaxEvent, T38FaxSession } from '../telephony/t38/t38-fax-session.js'

export interface VirtualCallOptions {
  readonly network: ImpairedNetwork
  /** The step of virtual time, ms; the terminals pace in 30 ms chunks, so 10 ms is fine enough. */
  readonly stepMs?: number
  /** Virtual time after which both ends are hung up: a call that never ends is a bug. */
  readonly maxMs?: number
  /** Called with each event of either end as it happens (progress, pages), at virtual `now`. */
  readonly onEvent?: (side: Side, event: T38FaxEvent, now: number) => void
  /** Called at each step, before the ends hear what arrived (to inject traffic, say). */
  readonly onStep?: (now: number) => void
  /** Whether a datagram `from` sends at `now` reaches the network at all (an outage: false). */
  readonly filter?: (now: number, from: Side) => boolean
}

export interface VirtualCallRun {
  readonly caller: T30Result
  readonly answerer: T30Result
  readonly callerEvents: readonly T38FaxEvent[]
  readonly answererEvents: readonly T38FaxEvent[]
  /** Virtual time until both ends had ended. */
  readonly durationMs: number
}

/** Runs the call to its end (or to `maxMs`, when both ends are hung up). */
export function runVirtualCall(
  caller: T38FaxSession,
  answerer: T38FaxSession,
  options: VirtualCallOptions,
): VirtualCallRun {
  const stepMs = options.stepMs ?? 10
  const maxMs = options.maxMs ?? 3_600_000
  const network = options.network
  const sessions: Record<Side, T38FaxSession> = { a: caller, b: answerer }
  const events: Record<Side, T38FaxEvent[]> = { a: [], b: [] }
  let now = 0
  const collect = (): void => {
    for (const side of ['a', 'b'] as const) {
      for (const datagram of sessions[side].takeDatagrams()) {
        if (options.filter?.(now, side) ?? true) {
          network.send(side, datagram, now)
        }
      }
      for (const event of sessions[side].takeEvents()) {
        events[side].push(event)
        options.onEvent?.(side, event, now)
      }
    }
  }
  caller.start()
  answerer.start()
  collect()
  while (!(caller.done && answerer.done)) {
    if (now >= maxMs) {
      caller.hangUp(`no end after ${maxMs} ms of virtual time`)
      answerer.hangUp(`no end after ${maxMs} ms of virtual time`)
      collect()
      break
    }
    now += stepMs
    options.onStep?.(now)
    for (const { to, datagram } of network.arrivals(now)) {
      sessions[to].receiveDatagram(datagram)
    }
    caller.advance(stepMs)
    answerer.advance(stepMs)
    collect()
  }
  return {
    caller: caller.result!,
    answerer: answerer.result!,
    callerEvents: events.a,
    answererEvents: events.b,
    durationMs: now,
  }
}
