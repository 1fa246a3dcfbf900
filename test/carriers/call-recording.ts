/**
 * What the carrier tests watch a call through: a Wait that records every wait and lets no time
 * pass, a Wait that holds each wait until the test lets it pass (so a test sets the pace of a
 * call, page by page), a CallProgress that records its events in order, and an OutgoingCall to
 * make.
 */
import type { CallProgress, Negotiated, OutgoingCall } from '../../src/domain/carrier.js'
import type { Wait } from '../../src/carriers/wait.js'
import { asE164 } from '../../src/domain/fax-number.js'
import { newId24, newId32 } from '../../src/shared/ids.js'

/** Records each wait it is asked for (also one on an aborted signal, which it then refuses). */
export class RecordedWaits {
  readonly waits: number[] = []
  readonly wait: Wait = async (ms, signal) => {
    this.waits.push(ms)
    signal.throwIfAborted()
  }

  get totalMs(): number {
    return this.waits.reduce((sum, ms) => sum + ms, 0)
  }
}

/** A wait a carrier asked for, held until the test lets it pass. */
export interface HeldWait {
  /** How long the carrier asked to wait, as modelled (scaled by its time scale). */
  readonly ms: number
  /** Lets this wait end: the carrier carries on from it. */
  pass(): void
}

/**
 * A Wait that lets no time pass on its own: each wait the carrier asks for is held until the
 * test takes it (`next()`) and lets it pass, so the test decides when a call is answered and when
 * each page is confirmed, whatever the machine's load. A held wait ends at once, rejecting, when
 * its signal aborts (a worker that stops cuts a call off this way).
 */
export class HeldWaits {
  readonly #asked: HeldWait[] = []
  readonly #takers: ((held: HeldWait) => void)[] = []

  readonly wait: Wait = async (ms, signal) => {
    signal.throwIfAborted()
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        reject(signal.reason as Error)
      }
      signal.addEventListener('abort', onAbort, { once: true })
      const held: HeldWait = {
        ms,
        pass: () => {
          signal.removeEventListener('abort', onAbort)
          resolve()
        },
      }
      const taker = this.#takers.shift()
      if (taker === undefined) {
        this.#asked.push(held)
      } else {
        taker(held)
      }
    })
  }

  /** The next wait the carrier asks for, as soon as it asks (at once if it has already). */
  async next(): Promise<HeldWait> {
    const asked = this.#asked.shift()
    if (asked !== undefined) {
      return asked
    }
    return new Promise((resolve) => {
      this.#takers.push(resolve)
    })
  }

  /** How many waits were asked for and not yet taken by the test. */
  get pending(): number {
    return this.#asked.length
  }
}

export type ProgressEvent = { connected: Negotiated } | { page: number }

/** Records the progress of a call; `onPage` runs after a page is recorded (to abort, say). */
export function recordedProgress(onPage: (page: number) => void = () => {}): {
  events: ProgressEvent[]
  progress: CallProgress
} {
  const events: ProgressEvent[] = []
  return {
    events,
    progress: {
      onConnected: (negotiated) => events.push({ connected: negotiated }),
      onPageConfirmed: (page) => {
        events.push({ page })
        onPage(page)
      },
    },
  }
}

export function anOutgoingCall(to: string, overrides: Partial<OutgoingCall> = {}): OutgoingCall {
  return {
    deliveryId: newId24(),
    attempt: 1,
    from: asE164('+15555550150'),
    to: asE164(to),
    postDialDigits: '',
    documentKey: `outbox/${newId32()}.tiff`,
    resolution: 'fine',
    pages: [1, 2],
    senderUid: newId32(),
    header: null,
    pageCount: 2,
    ...overrides,
  }
}
