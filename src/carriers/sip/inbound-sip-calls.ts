/**
 * Calls from the trunk to the numbers of this server. The called number is the user part of
 * the To URI (or of the header FAXD_SIP_NUMBER_HEADER names); a number nobody owns is refused
 * 404, and a call beyond FAXD_SIP_CHANNELS 486. Otherwise the call is answered, the sender's
 * pages are received by our T.30 engine over T.38 in real time, and the fax is filed in the
 * owner's inbox through the InboundFaxes port (the record, its pages and the `fax_received`
 * webhook in one commit). A call that drops after some pages is filed `partially_received`
 * with the pages that came; a call with no page files nothing. The SIP Call-ID is the fax's
 * duplicate guard: a call filed twice is one fax.
 */
import type { E164 } from '../../domain/fax-number.js'
import { parseE164 } from '../../domain/fax-number.js'
import type { InboundFaxes, LocalNumbers } from '../../domain/inbound-fax.js'
import type { FileStore } from '../../domain/ports.js'
import type { Clock } from '../../shared/clock.js'
import { newId24 } from '../../shared/ids.js'
import { parseNameAddr } from '../../telephony/sip/sip-headers.js'
import type { SipRequest } from '../../telephony/sip/sip-message.js'
import type { CallMedia, SipCall, SipCallEvent } from '../../telephony/sip/sip-call.js'
import { parseUri } from '../../telephony/sip/sip-uri.js'
import type { UdpEndpoint } from '../../telephony/net/udp-endpoint.js'
import { receivedPagesToTiff, type ReceivedPage } from '../../telephony/t30/received-page.js'
import { T38FaxSession } from '../../telephony/t38/t38-fax-session.js'
import { oneChunk } from '../document-pages.js'
import { runUdptlCall } from '../udptl-call.js'
import type { IncomingCallHandler, SipTrunk, SipTrunkLog } from './sip-trunk.js'

/** Received pages of one fax are stored like an outbox document: at most this large. */
const MAX_RECEIVED_BYTES = 512 * 1024 * 1024

export interface InboundSipCallsOptions {
  readonly trunk: SipTrunk
  readonly numbers: LocalNumbers
  readonly inbound: InboundFaxes
  readonly files: FileStore
  readonly clock: Clock
  readonly log: SipTrunkLog
}

export function inboundSipCalls(options: InboundSipCallsOptions): IncomingCallHandler {
  return (call, { invite }) => {
    void answer(options, call, invite).catch((error: unknown) => {
      options.log('error', 'inbound SIP call failed', {
        callId: call.callId,
        err: error instanceof Error ? error.message : String(error),
      })
      options.trunk.act(() => call.hangUp())
    })
  }
}

async function answer(
  options: InboundSipCallsOptions,
  call: SipCall,
  invite: SipRequest,
): Promise<void> {
  const { trunk } = options
  const called = calledNumber(invite, trunk.settings.numberHeader)
  const owner = called === null ? null : await options.numbers.ownerOf(called)
  if (called === null || owner === null) {
    trunk.act(() => call.reject(404, 'Not Found'))
    return
  }
  if (!trunk.takeChannel()) {
    trunk.act(() => call.reject(486, 'Busy Here'))
    return
  }
  let endpoint: UdpEndpoint | null = null
  try {
    endpoint = await trunk.openMedia()
    const startedAt = performance.now()
    const received = await receive(trunk, call, endpoint, trunk.settings.stationId ?? called)
    if (received.pages.length === 0) {
      options.log('warn', 'inbound SIP call ended with no page', {
        callId: call.callId,
        to: called,
        reason: received.description,
      })
      return
    }
    const documentKey = `inbound/${owner.uid}/${newId24()}.tif`
    const tiff = receivedPagesToTiff(received.pages, {
      remoteId: received.remoteId,
      receivedAt: new Date(options.clock.now()),
      software: 'faxd',
    })
    await options.files.put(documentKey, oneChunk(tiff), MAX_RECEIVED_BYTES)
    await options.inbound.receive({
      to: called,
      from: callerNumber(invite),
      ownerUid: owner.uid,
      documentKey,
      pages: received.pages.map((_, i) => i + 1),
      status: received.complete ? 'success' : 'partially_received',
      remoteStationId: received.remoteId,
      durationMs: Math.round(performance.now() - startedAt),
      description: received.description,
      receivedAtMs: options.clock.now(),
      callKey: `sip:${call.callId}`,
    })
  } finally {
    endpoint?.close()
    trunk.releaseChannel()
  }
}

interface Reception {
  readonly pages: readonly ReceivedPage[]
  readonly complete: boolean
  readonly remoteId: string
  readonly description: string
}

/** Answers the call and receives the fax on `endpoint`; resolves when the call is over. */
function receive(
  trunk: SipTrunk,
  call: SipCall,
  endpoint: UdpEndpoint,
  stationId: string,
): Promise<Reception> {
  return new Promise((resolve) => {
    const pages: ReceivedPage[] = []
    let session: T38FaxSession | null = null
    const startFax = (media: CallMedia): void => {
      endpoint.connect({ host: media.remote.address, port: media.remote.port })
      if (session !== null) {
        return
      }
      session = new T38FaxSession({
        version: media.t38.version,
        maxDatagram: media.t38.farMaxDatagramOctets,
        t30: {
          role: 'answering',
          localId: stationId,
          capabilities: { ecm: trunk.settings.ecm, maxBitRate: media.t38.maxBitRateBps },
        },
      })
      void runUdptlCall(session, endpoint, {
        onEvent: (event) => {
          if (event.type === 'page-received') {
            pages.push(event.page)
          }
        },
      }).then(({ result }) => {
        trunk.act(() => call.hangUp())
        resolve({
          pages,
          complete: result.code === 'ok',
          remoteId: result.remoteId,
          description: result.description,
        })
      })
    }
    trunk.listen(call, (event: SipCallEvent) => {
      if (event.type === 'media') {
        startFax(event.media)
      } else if (event.type === 'ended') {
        if (session === null) {
          resolve({
            pages,
            complete: false,
            remoteId: '',
            description: `the call ended (${event.end.reason})`,
          })
        } else if (!session.done) {
          session.hangUp(`the caller hung up (${event.end.reason})`)
        }
      }
    })
    trunk.act(() => call.accept(endpoint.local.port))
  })
}

/** The called number: the user part of the To URI, or of the header the operator named. */
function calledNumber(invite: SipRequest, header: string): E164 | null {
  const value = invite.headers.get(header)
  return value === undefined ? null : numberOf(value)
}

/** The caller's number, from the From URI; null for an anonymous or non-numeric caller. */
function callerNumber(invite: SipRequest): E164 | null {
  const value = invite.headers.get('From')
  return value === undefined ? null : numberOf(value)
}

/** A SIP or tel URI's user part as E.164: `+` added when the digits come without it. */
function numberOf(nameAddr: string): E164 | null {
  try {
    const uri = parseUri(parseNameAddr(nameAddr).uri)
    const user = uri.scheme === 'tel' ? uri.number : (uri.user ?? '')
    const digits = user.replace(/[-.() ]/g, '')
    return parseE164(digits.startsWith('+') ? digits : `+${digits}`)
  } catch {
    return null
  }
}
