/**
 * Two T.30 engines joined by an ideal half-duplex line, for the engine's own tests: each
 * transmission lasts its line time (V.21 preamble and 300 bit/s frames, training and image at
 * the fast rate) and arrives whole at the other engine. The real line, T.38 over UDPTL, is
 * tested in test/telephony/t38; this one keeps the engine's tests independent of it.
 */
import { type T30Output, type T30Result, T30Engine } from '../../../src/telephony/t30/t30-engine.js'
import type { Transmission } from '../../../src/telephony/t30/line-signals.js'
import { trainingMs } from '../../../src/telephony/t30/modems.js'

export interface DirectLineRun {
  readonly caller: T30Result
  readonly answerer: T30Result
  readonly callerOutputs: T30Output[]
  readonly answererOutputs: T30Output[]
}

export interface DirectLineOptions {
  /** Called for each transmission before it is delivered; may change or drop it. */
  readonly tamper?: (from: 'caller' | 'answerer', t: Transmission) => Transmission | null
  readonly maxMs?: number
}

function lineMs(t: Transmission): number {
  switch (t.kind) {
    case 'tone':
      return t.tone === 'ced' ? 3200 : 0
    case 'frames': {
      const octets = t.frames.reduce((n, f) => n + f.length + 2, 0)
      if (t.modem === 'v21') {
        return 75 + 1000 + (octets * 8 * 1000) / 300
      }
      return 75 + trainingMs(t.modem, t.shortTraining) + 200 + (octets * 8 * 1000) / t.modem.bitRate
    }
    case 'image':
      return (
        75 + trainingMs(t.modem, t.shortTraining) + (t.data.length * 8 * 1000) / t.modem.bitRate
      )
  }
}

export function runDirectLine(
  caller: T30Engine,
  answerer: T30Engine,
  options: DirectLineOptions = {},
): DirectLineRun {
  const ends = [
    {
      name: 'caller' as const,
      engine: caller,
      outputs: [] as T30Output[],
      busyUntil: -1,
      pending: null as Transmission | null,
    },
    {
      name: 'answerer' as const,
      engine: answerer,
      outputs: [] as T30Output[],
      busyUntil: -1,
      pending: null as Transmission | null,
    },
  ]
  const maxMs = options.maxMs ?? 600_000
  caller.start()
  answerer.start()
  let now = 0
  const stepMs = 10
  while (!(caller.done && answerer.done) && now < maxMs) {
    for (const [i, end] of ends.entries()) {
      for (const output of end.engine.takeOutputs()) {
        end.outputs.push(output)
        if (output.type === 'transmit') {
          end.pending = output.transmission
          end.busyUntil = now + lineMs(output.transmission)
          // The far end hears the carrier begin at once, and the content when it has all come.
          if (output.transmission.kind !== 'tone') {
            ends[1 - i]!.engine.carrierStarted(output.transmission.modem)
          }
        }
      }
    }
    now += stepMs
    for (const [i, end] of ends.entries()) {
      const other = ends[1 - i]!
      if (end.pending !== null && now >= end.busyUntil) {
        const sent = end.pending
        end.pending = null
        end.engine.transmitted()
        const t = options.tamper ? options.tamper(end.name, sent) : sent
        if (t !== null) {
          deliver(other.engine, t)
        }
      }
    }
    caller.advance(stepMs)
    answerer.advance(stepMs)
  }
  for (const end of ends) {
    end.outputs.push(...end.engine.takeOutputs())
  }
  const resultOf = (outputs: T30Output[]): T30Result => {
    const ended = outputs.find((o) => o.type === 'ended')
    if (ended?.type !== 'ended') {
      throw new Error(`the call did not end within ${maxMs} ms:\n${logOf(outputs)}`)
    }
    return ended.result
  }
  return {
    caller: resultOf(ends[0]!.outputs),
    answerer: resultOf(ends[1]!.outputs),
    callerOutputs: ends[0]!.outputs,
    answererOutputs: ends[1]!.outputs,
  }
}

function deliver(engine: T30Engine, t: Transmission): void {
  switch (t.kind) {
    case 'tone':
      return
    case 'frames':
      for (const frame of t.frames) {
        engine.frameReceived(frame, true)
      }
      engine.carrierEnded()
      return
    case 'image':
      engine.imageData(t.data)
      engine.carrierEnded()
  }
}

export function logOf(outputs: readonly T30Output[]): string {
  return outputs
    .filter((o) => o.type === 'log')
    .map((o) => (o.type === 'log' ? o.message : ''))
    .join('\n')
}
