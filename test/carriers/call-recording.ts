/**
 * What the carrier tests watch a call through: a Wait that records every wait and lets no time
 * pass, a CallProgress that records its events in order, and an OutgoingCall to make.
 */
import type { CallProgress, Negotiated, OutgoingCall } from '../../src/domain/carrier.js'
import type { Wait } from '../../src/carriers/wait.js'
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
    from: '+15555550150',
    to,
    postDialDigits: '',
    documentKey: `outbox/${newId32()}.tiff`,
    resolution: 'fine',
    pages: [1, 2],
    senderUid: newId32(),
    ...overrides,
  }
}
