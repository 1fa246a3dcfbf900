/**
 * The simulated carrier: each of the seven test numbers ends as docs/test-numbers.md says, with
 * its progress in order and a duration that is the sum of the modelled waits (recorded through
 * the injected Wait, never measured); an answered call's waits are the line model's
 * (line-time.ts) for typical pages, or for the pages of the document in its FileStore; the time
 * scale scales every wait; an abort ends the call at once.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { SimulatedCarrier } from '../../src/carriers/simulated-carrier.js'
import { timerWait, type Wait } from '../../src/carriers/wait.js'
import { blankBitmap } from '../../src/codec/bitmap.js'
import { encodeTiffPage, writeEncodedTiffF } from '../../src/codec/tiff-write.js'
import type { CallResult, Negotiated, OutgoingCall } from '../../src/domain/carrier.js'
import { asE164 } from '../../src/domain/fax-number.js'
import type { Resolution } from '../../src/domain/outbox-entry.js'
import { FsFileStore } from '../../src/storage/files/fs-file-store.js'
import { pageMs, preMessageMs } from '../../src/telephony/t30/line-time.js'
import { typedPage } from '../codec/pages.js'
import {
  anOutgoingCall,
  type ProgressEvent,
  RecordedWaits,
  recordedProgress,
} from './call-recording.js'

const TEST_NUMBERS = [
  '+15555550100',
  '+15555550101',
  '+15555550102',
  '+15555550103',
  '+15555550104',
  '+15555550105',
  '+15555550106',
]

/**
 * The parts of a call at time scale 1 (docs/test-numbers.md): phase A, then the line model's
 * phase B, pages and DCN with typical pages (25,000 octets at fine, 36,000 at superfine).
 */
const ANSWER = 4_000
const TRAINING = 11_600
const HANG_UP = 1_200
const PAGE = { fine: 17_300, superfine: 23_600 }
const SLOW_PAGE = { fine: 31_700, superfine: 44_200 }

function station(number: string, bitRate = 14400, resolution: Resolution = 'fine'): Negotiated {
  return {
    remoteStationId: `FAXD SIMULATED ${number.slice(-4)}`,
    bitRate,
    coding: 'mmr',
    ecm: true,
    resolution,
  }
}

interface Observed {
  result: CallResult
  events: ProgressEvent[]
  waits: number[]
}

async function place(
  call: OutgoingCall,
  options: {
    timeScale?: number
    onPage?: (page: number) => void
    signal?: AbortSignal
    files?: FsFileStore
  } = {},
): Promise<Observed> {
  const recorded = new RecordedWaits()
  const carrier = new SimulatedCarrier({
    timeScale: options.timeScale,
    wait: recorded.wait,
    files: options.files,
  })
  const { events, progress } = recordedProgress(options.onPage)
  const signal = options.signal ?? new AbortController().signal
  const result = await carrier.call(call, progress, signal)
  assert.equal(result.durationMs, recorded.totalMs, 'the duration is the sum of the waits')
  return { result, events, waits: recorded.waits }
}

describe('the simulated carrier', () => {
  it('+15555550100 answers and takes every page', async () => {
    const { result, events, waits } = await place(anOutgoingCall('+15555550100'))
    assert.deepEqual(waits, [ANSWER, TRAINING, PAGE.fine, PAGE.fine, HANG_UP])
    assert.deepEqual(result, {
      status: 'success',
      pagesConfirmed: [1, 2],
      durationMs: 51_400,
      negotiated: station('+15555550100'),
      retryable: false,
      description: 'OK',
    })
    assert.deepEqual(events, [{ connected: station('+15555550100') }, { page: 1 }, { page: 2 }])
  })

  it('+15555550101 is busy, retryable', async () => {
    const { result, events, waits } = await place(anOutgoingCall('+15555550101'))
    assert.deepEqual(waits, [2_000])
    assert.deepEqual(result, {
      status: 'failed_user_busy',
      pagesConfirmed: [],
      durationMs: 2_000,
      negotiated: null,
      retryable: true,
      description: 'the line was busy',
    })
    assert.deepEqual(events, [])
  })

  it('+15555550102 rings for 45 s and no one answers, retryable', async () => {
    const { result, events, waits } = await place(anOutgoingCall('+15555550102'))
    assert.deepEqual(waits, [45_000])
    assert.deepEqual(result, {
      status: 'failed_no_answer',
      pagesConfirmed: [],
      durationMs: 45_000,
      negotiated: null,
      retryable: true,
      description: 'no one answered',
    })
    assert.deepEqual(events, [])
  })

  it('+15555550103 is not allocated, not retryable', async () => {
    const { result, events, waits } = await place(anOutgoingCall('+15555550103'))
    assert.deepEqual(waits, [3_000])
    assert.deepEqual(result, {
      status: 'failed_unallocated_number',
      pagesConfirmed: [],
      durationMs: 3_000,
      negotiated: null,
      retryable: false,
      description: 'the number is not allocated',
    })
    assert.deepEqual(events, [])
  })

  it('+15555550104 drops the call after the first page, retryable', async () => {
    const { result, events, waits } = await place(anOutgoingCall('+15555550104'))
    assert.deepEqual(waits, [ANSWER, TRAINING, PAGE.fine])
    assert.deepEqual(result, {
      status: 'partially_sent',
      pagesConfirmed: [1],
      durationMs: 32_900,
      negotiated: station('+15555550104'),
      retryable: true,
      description: 'the call dropped after page 1',
    })
    assert.deepEqual(events, [{ connected: station('+15555550104') }, { page: 1 }])
  })

  it('+15555550104 confirms the first page of the attempt, numbered in the document', async () => {
    const { result, events } = await place(anOutgoingCall('+15555550104', { pages: [3, 4, 5] }))
    assert.equal(result.status, 'partially_sent')
    assert.deepEqual(result.pagesConfirmed, [3])
    assert.equal(result.description, 'the call dropped after page 3')
    assert.deepEqual(events, [{ connected: station('+15555550104') }, { page: 3 }])
  })

  it('+15555550104 gets the last page through when it is the only one left', async () => {
    const { result, waits } = await place(anOutgoingCall('+15555550104', { pages: [5] }))
    assert.deepEqual(waits, [ANSWER, TRAINING, PAGE.fine, HANG_UP])
    assert.equal(result.status, 'success')
    assert.deepEqual(result.pagesConfirmed, [5])
    assert.equal(result.description, 'OK')
  })

  it('+15555550105 is busy on the first attempt and succeeds on the second', async () => {
    const first = await place(anOutgoingCall('+15555550105', { attempt: 1 }))
    assert.deepEqual(first.waits, [2_000])
    assert.equal(first.result.status, 'failed_user_busy')
    assert.equal(first.result.retryable, true)
    assert.equal(first.result.description, 'the line was busy')
    assert.deepEqual(first.events, [])

    const second = await place(anOutgoingCall('+15555550105', { attempt: 2 }))
    assert.deepEqual(second.waits, [ANSWER, TRAINING, PAGE.fine, PAGE.fine, HANG_UP])
    assert.deepEqual(second.result, {
      status: 'success',
      pagesConfirmed: [1, 2],
      durationMs: 51_400,
      negotiated: station('+15555550105'),
      retryable: false,
      description: 'OK',
    })
    assert.deepEqual(second.events, [
      { connected: station('+15555550105') },
      { page: 1 },
      { page: 2 },
    ])
  })

  it('+15555550106 is a slow line: 7200 bit/s, 31.7 s a typical page, then success', async () => {
    const { result, events, waits } = await place(anOutgoingCall('+15555550106'))
    assert.deepEqual(waits, [ANSWER, TRAINING, SLOW_PAGE.fine, SLOW_PAGE.fine, HANG_UP])
    assert.deepEqual(result, {
      status: 'success',
      pagesConfirmed: [1, 2],
      durationMs: 80_200,
      negotiated: station('+15555550106', 7200),
      retryable: false,
      description: 'OK',
    })
    assert.deepEqual(events, [
      { connected: station('+15555550106', 7200) },
      { page: 1 },
      { page: 2 },
    ])
  })

  it('takes longer a typical page at superfine, and says the pages went at superfine', async () => {
    const fast = await place(anOutgoingCall('+15555550100', { resolution: 'superfine' }))
    assert.deepEqual(fast.waits, [ANSWER, TRAINING, PAGE.superfine, PAGE.superfine, HANG_UP])
    assert.deepEqual(fast.result.negotiated, station('+15555550100', 14400, 'superfine'))
    const slow = await place(anOutgoingCall('+15555550106', { resolution: 'superfine' }))
    assert.deepEqual(slow.waits, [
      ANSWER,
      TRAINING,
      SLOW_PAGE.superfine,
      SLOW_PAGE.superfine,
      HANG_UP,
    ])
  })

  it('times typical pages and the call as the line model does, to a tenth of a second', () => {
    const tenths = (ms: number) => Math.round(ms / 100) * 100
    assert.equal(TRAINING, tenths(preMessageMs(14_400, true)))
    assert.equal(TRAINING, tenths(preMessageMs(7_200, true)), 'V.17 trains alike at 7200')
    for (const [resolution, octets] of [
      ['fine', 25_000],
      ['superfine', 36_000],
    ] as const) {
      assert.equal(PAGE[resolution], tenths(pageMs(14_400, true, octets)), resolution)
      assert.equal(SLOW_PAGE[resolution], tenths(pageMs(7_200, true, octets)), resolution)
    }
  })

  it('times each page by its coded size when it can read the document', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'faxd-simulated-'))
    try {
      const files = new FsFileStore(folder)
      // Three MMR pages of fine resolution, as a render job stores them: two typed, one blank.
      const pages = [typedPage(1), blankBitmap(1728, 2292), typedPage(2)].map((bitmap) =>
        encodeTiffPage({ bitmap, compression: 'mmr', xDpi: 204, yDpi: 196 }),
      )
      const documentKey = 'outbox/simulated-pages.tiff'
      await files.put(
        documentKey,
        (async function* () {
          yield writeEncodedTiffF(pages)
        })(),
        10_000_000,
      )
      const octets = pages.map((page) => page.data.length)
      assert.ok(
        (octets[0] ?? 0) > 20 * (octets[1] ?? 0),
        `typed and blank pages: ${octets.join(', ')}`,
      )
      const pageWait = (index: number, bitRate: number) =>
        Math.round(pageMs(bitRate, true, octets[index] ?? -1) / 100) * 100
      // A retry with partially_sent_retry: the document's pages 1 and 3 and 2, in that order.
      const call = anOutgoingCall('+15555550100', { documentKey, pages: [1, 3, 2] })
      const { result, waits } = await place(call, { files })
      assert.deepEqual(waits, [
        ANSWER,
        TRAINING,
        pageWait(0, 14_400),
        pageWait(2, 14_400),
        pageWait(1, 14_400),
        HANG_UP,
      ])
      assert.deepEqual(result.pagesConfirmed, [1, 3, 2])
      const slow = await place({ ...call, to: asE164('+15555550106') }, { files })
      assert.deepEqual(slow.waits.slice(2, 5), [
        pageWait(0, 7_200),
        pageWait(2, 7_200),
        pageWait(1, 7_200),
      ])
      // A page the document does not have is the carrier's own fault: it throws, as for a
      // document that is not there.
      await assert.rejects(place({ ...call, pages: [4] }, { files }), /page 4 is not in/)
      await assert.rejects(place({ ...call, documentKey: 'outbox/gone.tiff' }, { files }))
      // At time scale 0 no time passes: the document is not read at all.
      const instant = await place(
        { ...call, documentKey: 'outbox/gone.tiff' },
        {
          files,
          timeScale: 0,
        },
      )
      assert.equal(instant.result.status, 'success')
    } finally {
      await rm(folder, { recursive: true, force: true })
    }
  })

  it('ignores post-dial digits', async () => {
    const { result, waits } = await place(
      anOutgoingCall('+15555550100', { postDialDigits: '1234' }),
    )
    assert.equal(result.status, 'success')
    assert.deepEqual(waits, [ANSWER, TRAINING, PAGE.fine, PAGE.fine, HANG_UP])
  })

  it('halves every wait at time scale 0.5, and waits 0 at time scale 0', async () => {
    for (const number of TEST_NUMBERS) {
      const realistic = await place(anOutgoingCall(number, { pages: [1, 2, 3] }))
      const half = await place(anOutgoingCall(number, { pages: [1, 2, 3] }), { timeScale: 0.5 })
      const instant = await place(anOutgoingCall(number, { pages: [1, 2, 3] }), { timeScale: 0 })
      assert.ok(realistic.result.durationMs > 0, number)
      assert.deepEqual(
        half.waits,
        realistic.waits.map((ms) => ms / 2),
        number,
      )
      assert.equal(half.result.durationMs, realistic.result.durationMs / 2, number)
      assert.deepEqual(
        instant.waits,
        realistic.waits.map(() => 0),
        number,
      )
      assert.equal(instant.result.durationMs, 0, number)
      for (const scaled of [half, instant]) {
        assert.deepEqual(
          { ...scaled.result, durationMs: 0 },
          { ...realistic.result, durationMs: 0 },
          number,
        )
        assert.deepEqual(scaled.events, realistic.events, number)
      }
    }
  })

  it('refuses a time scale that is negative or not finite', () => {
    for (const timeScale of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => new SimulatedCarrier({ timeScale }), RangeError)
    }
  })

  it('ends a call aborted after page 1 at once: that page confirmed, no further wait', async () => {
    const controller = new AbortController()
    const { result, events, waits } = await place(
      anOutgoingCall('+15555550106', { pages: [1, 2, 3] }),
      { signal: controller.signal, onPage: () => controller.abort() },
    )
    assert.deepEqual(waits, [ANSWER, TRAINING, SLOW_PAGE.fine])
    assert.deepEqual(result, {
      status: 'failed_to_send',
      pagesConfirmed: [1],
      durationMs: 47_300,
      negotiated: station('+15555550106', 7200),
      retryable: false,
      description: 'the call was cancelled',
    })
    assert.deepEqual(events, [{ connected: station('+15555550106', 7200) }, { page: 1 }])
  })

  it('makes no call at all on a signal that has already aborted', async () => {
    for (const number of TEST_NUMBERS) {
      const { result, events, waits } = await place(anOutgoingCall(number), {
        signal: AbortSignal.abort(),
      })
      assert.deepEqual(waits, [], number)
      assert.deepEqual(events, [], number)
      assert.deepEqual(
        result,
        {
          status: 'failed_to_send',
          pagesConfirmed: [],
          durationMs: 0,
          negotiated: null,
          retryable: false,
          description: 'the call was cancelled',
        },
        number,
      )
    }
  })

  it(
    'stops a real timer wait when the call is aborted during it',
    { timeout: 60_000 },
    async () => {
      // Every part passes at once but the first page, which waits on a real timer for hours
      // and is aborted as soon as it has started: the timer's wait must end by rejecting.
      const controller = new AbortController()
      let pageWaitEnded: unknown = 'still waiting'
      let waits = 0
      const wait: Wait = async (ms, signal) => {
        waits += 1
        if (waits !== 3) {
          return
        }
        assert.equal(ms, SLOW_PAGE.fine * 300, 'the first page')
        setImmediate(() => controller.abort())
        try {
          await timerWait(ms, signal)
          pageWaitEnded = 'resolved'
        } catch (error) {
          pageWaitEnded = error
          throw error
        }
      }
      // A time scale that makes the slow line's 31.7 s page two hours and a half.
      const carrier = new SimulatedCarrier({ timeScale: 300, wait })
      const { events, progress } = recordedProgress()
      const result = await carrier.call(anOutgoingCall('+15555550106'), progress, controller.signal)
      assert.equal((pageWaitEnded as Error).name, 'AbortError')
      assert.equal(result.status, 'failed_to_send')
      assert.deepEqual(result.pagesConfirmed, [])
      assert.equal(result.durationMs, (ANSWER + TRAINING) * 300, 'the aborted page is not counted')
      assert.deepEqual(events, [{ connected: station('+15555550106', 7200) }])
    },
  )

  it('handles the seven test numbers and no other', async () => {
    const carrier = new SimulatedCarrier({ timeScale: 0 })
    for (const number of TEST_NUMBERS) {
      assert.equal(await carrier.handles(asE164(number)), true, number)
    }
    for (const number of ['+15555550107', '+15555550199', '+15555550150', '+4930123456']) {
      assert.equal(await carrier.handles(asE164(number)), false, number)
    }
  })

  it('refuses to call a number it does not handle', async () => {
    const carrier = new SimulatedCarrier({ timeScale: 0 })
    await assert.rejects(
      carrier.call(anOutgoingCall('+15555550107'), {}, new AbortController().signal),
      /not a test number/,
    )
  })
})
