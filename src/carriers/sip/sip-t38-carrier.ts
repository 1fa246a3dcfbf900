/**
 * The sip-t38 carrier: a fax to a number that is neither a test number nor one of this
 * server's goes out through the SIP trunk. It takes a channel of the trunk, opens a UDP port
 * for the T.38 stream, places the call (sip-trunk.ts), dials the post-dial digits once it is
 * answered, and when the two sides have agreed on T.38 runs our T.30 engine over it in real
 * time (udptl-call.ts). Pages are reported as the receiver confirms them; the way the call
 * ended becomes a Fax.Plus status by one table (sip-outcomes.ts).
 *
 * Hang-ups: when the fax is done, we send BYE. When the far end hangs up first, the fax
 * session stops at once, and the pages it confirmed stand (`partially_sent`). When the signal
 * aborts (the fax was cancelled, the worker stops), the fax session sends DCN, then we BYE; a
 * call still ringing is CANCELled.
 */
import type { CallProgress, CallResult, Carrier, OutgoingCall } from '../../domain/carrier.js'
import type { E164 } from '../../domain/fax-number.js'
import type { FileStore } from '../../domain/ports.js'
import type { ErrorCorrection } from '../../telephony/t38/udptl.js'
import { T38FaxSession } from '../../telephony/t38/t38-fax-session.js'
import type { CallEnd, CallMedia, SipCall, SipCallEvent } from '../../telephony/sip/sip-call.js'
import type { UdpEndpoint } from '../../telephony/net/udp-endpoint.js'
import { cancelledCall } from '../cancelled-call.js'
import { pagesToSend } from '../document-pages.js'
import { callResultOf, negotiatedOf } from '../t30-call-result.js'
import { runUdptlCall } from '../udptl-call.js'
import { resultBeforeFax } from './sip-outcomes.js'
import type { SipTrunk } from './sip-trunk.js'

export interface SipT38CarrierOptions {
  readonly trunk: SipTrunk
  readonly files: FileStore
}

export class SipT38Carrier implements Carrier {
  readonly name = 'sip'
  readonly #trunk: SipTrunk
  readonly #files: FileStore

  constructor(options: SipT38CarrierOptions) {
    this.#trunk = options.trunk
    this.#files = options.files
  }

  /** Every number: the router asks the loopback and simulated carriers first. */
  handles(_destination: E164): Promise<boolean> {
    return Promise.resolve(true)
  }

  async call(call: OutgoingCall, progress: CallProgress, signal: AbortSignal): Promise<CallResult> {
    const started = performance.now()
    const elapsed = (): number => Math.round(performance.now() - started)
    if (signal.aborted) {
      return cancelledCall([], null, 0)
    }
    if (!this.#trunk.takeChannel()) {
      return {
        status: 'failed_normal_temporary_failure',
        pagesConfirmed: [],
        durationMs: 0,
        negotiated: null,
        retryable: true,
        description: `every channel of the SIP trunk is in use (FAXD_SIP_CHANNELS=${this.#trunk.settings.channels})`,
      }
    }
    let media: UdpEndpoint | null = null
    try {
      const pages = await pagesToSend(this.#files, call)
      media = await this.#trunk.openMedia()
      return await this.#run(call, pages, media, progress, signal, elapsed)
    } finally {
      media?.close()
      this.#trunk.releaseChannel()
    }
  }

  #run(
    call: OutgoingCall,
    pages: Awaited<ReturnType<typeof pagesToSend>>,
    endpoint: UdpEndpoint,
    progress: CallProgress,
    signal: AbortSignal,
    elapsed: () => number,
  ): Promise<CallResult> {
    const settings = this.#trunk.settings
    const trunk = this.#trunk
    const caller = settings.callerId === 'sender' ? (call.from ?? '') : settings.callerId
    const domain = settings.domain
    const dialled = call.to.replace(/^\+/, '')
    return new Promise<CallResult>((resolve) => {
      let sipCall: SipCall | null = null
      let session: T38FaxSession | null = null
      let ended: CallEnd | null = null
      let faxRun: Promise<void> | null = null
      let settled = false
      const settle = (result: CallResult): void => {
        if (!settled) {
          settled = true
          signal.removeEventListener('abort', onAbort)
          resolve(result)
        }
      }
      const onAbort = (): void => {
        if (session === null) {
          trunk.act(() => sipCall?.hangUp())
        }
        // With a fax session running, runUdptlCall hears the signal: DCN first, then BYE.
      }
      const startFax = (agreed: CallMedia): void => {
        if (session !== null) {
          endpoint.connect({ host: agreed.remote.address, port: agreed.remote.port })
          return
        }
        endpoint.connect({ host: agreed.remote.address, port: agreed.remote.port })
        session = new T38FaxSession({
          version: agreed.t38.version,
          maxDatagram: agreed.t38.farMaxDatagramOctets,
          errorCorrection: errorCorrectionOf(agreed.t38.errorCorrection),
          t30: {
            role: 'calling',
            pages,
            localId: settings.stationId ?? call.from ?? '',
            capabilities: { ecm: settings.ecm, maxBitRate: agreed.t38.maxBitRateBps },
          },
        })
        const fax = session
        faxRun = runUdptlCall(fax, endpoint, {
          signal,
          onEvent: (event) => {
            if (event.type === 'negotiated') {
              progress.onConnected?.(negotiatedOf(event.negotiated))
            } else if (event.type === 'page-confirmed') {
              progress.onPageConfirmed?.(call.pages[event.page]!)
            }
          },
        }).then(({ result }) => {
          // How the call stood when the fax stopped: our own BYE below is not the far end's.
          const endedByFarEnd =
            ended !== null &&
            (ended.reason === 'remote-hangup' || ended.reason === 'session-expired')
              ? ended
              : null
          trunk.act(() => sipCall?.hangUp())
          const outcome = callResultOf(result, call.pages, elapsed())
          if (signal.aborted && result.code !== 'ok') {
            settle(cancelledCall(outcome.pagesConfirmed, outcome.negotiated, elapsed()))
            return
          }
          if (endedByFarEnd !== null && result.code !== 'ok') {
            const why =
              endedByFarEnd.reason === 'session-expired'
                ? 'the SIP session expired'
                : 'the far end hung up (SIP BYE)'
            settle({ ...outcome, retryable: true, description: `${why}: ${outcome.description}` })
            return
          }
          settle(outcome)
        })
      }
      const onEvent = (event: SipCallEvent): void => {
        switch (event.type) {
          case 'answered':
            if (call.postDialDigits !== '') {
              sipCall?.sendDigits(call.postDialDigits.replace(/[^0-9*#A-Da-d]/g, ''))
            }
            return
          case 'media':
            startFax(event.media)
            return
          case 'ended':
            ended = event.end
            if (session !== null) {
              // The fax stops where it is; runUdptlCall's next tick settles the result.
              if (!session.done) {
                session.hangUp(`the call ended (${event.end.reason})`)
              }
              return
            }
            if (faxRun === null) {
              settle(
                signal.aborted && event.end.reason !== 'rejected'
                  ? cancelledCall([], null, elapsed())
                  : resultBeforeFax(event.end, elapsed()),
              )
            }
            return
          default:
            return
        }
      }
      signal.addEventListener('abort', onAbort, { once: true })
      trunk.act(() => {
        sipCall = trunk.placeCall(
          {
            requestUri: `sip:${dialled}@${domain}`,
            to: `sip:${dialled}@${domain}`,
            from: `sip:${caller.replace(/^\+/, '') || 'anonymous'}@${domain}`,
          },
          endpoint.local.port,
          onEvent,
        )
      })
    })
  }
}

/**
 * Our UDPTL sender's scheme for what SDP agreed: redundancy with 3 earlier IFPs (what most
 * gateways send), FEC with Asterisk's span and entries, or none.
 */
function errorCorrectionOf(agreed: 't38UDPRedundancy' | 't38UDPFEC' | 'none'): ErrorCorrection {
  switch (agreed) {
    case 't38UDPRedundancy':
      return { kind: 'redundancy', depth: 3 }
    case 't38UDPFEC':
      return { kind: 'fec', span: 3, entries: 3 }
    case 'none':
      return { kind: 'none' }
  }
}
