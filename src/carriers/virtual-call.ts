/**
 * Two T.38 fax sessions joined by a simulated network, on virtual time: the loopback carrier's
 * calls and the impaired-line tests and benchmark run the whole real stack (T.30, T.38, UDPTL
 * with redundancy) through it, and a minute of call takes milliseconds. `runVirtualCall` runs
 * a call in one go; `runVirtualCallInTurns` gives the event loop a turn now and then and can
 * be stopped, for calls made inside the service.
 */
import type { ImpairedNetwork, Side } from '../telephony/net/impaired-network.js'
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

/** One call in progress, moved on a step at a time. */
class VirtualCall {
  readonly #caller: T38FaxSession
  readonly #answerer: T38FaxSession
  readonly #options: VirtualCallOptions
  readonly #stepMs: number
  readonly #maxMs: number
  readonly #events: Record<Side, T38FaxEvent[]> = { a: [], b: [] }
  #now = 0

  constructor(caller: T38FaxSession, answerer: T38FaxSession, options: VirtualCallOptions) {
    this.#caller = caller
    this.#answerer = answerer
    this.#options = options
    this.#stepMs = options.stepMs ?? 10
    this.#maxMs = options.maxMs ?? 3_600_000
    caller.start()
    answerer.start()
    this.#collect()
  }

  get done(): boolean {
    return this.#caller.done && this.#answerer.done
  }

  /** The calling end stops the call: DCN, then both ends wind down. */
  stop(): void {
    this.#caller.stop()
    this.#collect()
  }

  step(): void {
    if (this.#now >= this.#maxMs) {
      const reason = `no end after ${this.#maxMs} ms of virtual time`
      this.#caller.hangUp(reason)
      this.#answerer.hangUp(reason)
      this.#collect()
      return
    }
    this.#now += this.#stepMs
    this.#options.onStep?.(this.#now)
    for (const { to, datagram } of this.#options.network.arrivals(this.#now)) {
      this.#session(to).receiveDatagram(datagram)
    }
    this.#caller.advance(this.#stepMs)
    this.#answerer.advance(this.#stepMs)
    this.#collect()
  }

  run(): VirtualCallRun {
    return {
      caller: this.#caller.result!,
      answerer: this.#answerer.result!,
      callerEvents: this.#events.a,
      answererEvents: this.#events.b,
      durationMs: this.#now,
    }
  }

  #session(side: Side): T38FaxSession {
    return side === 'a' ? this.#caller : this.#answerer
  }

  #collect(): void {
    for (const side of ['a', 'b'] as const) {
      const session = this.#session(side)
      for (const datagram of session.takeDatagrams()) {
        if (this.#options.filter?.(this.#now, side) ?? true) {
          this.#options.network.send(side, datagram, this.#now)
        }
      }
      for (const event of session.takeEvents()) {
        this.#events[side].push(event)
        this.#options.onEvent?.(side, event, this.#now)
      }
    }
  }
}

/** Runs the call to its end (or to `maxMs`, when both ends are hung up). */
export function runVirtualCall(
  caller: T38FaxSession,
  answerer: T38FaxSession,
  options: VirtualCallOptions,
): VirtualCallRun {
  const call = new VirtualCall(caller, answerer, options)
  while (!call.done) {
    call.step()
  }
  return call.run()
}

/** Steps between two turns of the event loop: about 5 s of virtual call, a few milliseconds. */
const STEPS_PER_TURN = 500

/**
 * The same, giving the event loop a turn every few hundred steps so that a long fax does not
 * hold up the process; an aborted signal makes the caller stop the call (DCN) and wind down.
 */
export async function runVirtualCallInTurns(
  caller: T38FaxSession,
  answerer: T38FaxSession,
  options: VirtualCallOptions & { readonly signal?: AbortSignal },
): Promise<VirtualCallRun> {
  const call = new VirtualCall(caller, answerer, options)
  let stopped = false
  while (!call.done) {
    for (let i = 0; i < STEPS_PER_TURN && !call.done; i++) {
      if (!stopped && options.signal?.aborted === true) {
        stopped = true
        call.stop()
      }
      call.step()
    }
    await new Promise<void>((resolve) => setImmediate(resolve))
  }
  return call.run()
}
