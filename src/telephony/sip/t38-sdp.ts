/**
 * The T.38 stream of an SDP body: reading the `m=image <port> udptl t38` section's attributes
 * (ITU-T T.38 Annex D, the image/t38 media type of RFC 3362 and RFC 6466), writing ours, and
 * the rules by which we answer a far end's T.38 offer and settle what both sides use.
 *
 *     m=image 40000 udptl t38
 *     a=T38FaxVersion:0
 *     a=T38MaxBitRate:14400
 *     a=T38FaxRateManagement:transferredTCF
 *     a=T38FaxMaxBuffer:2000
 *     a=T38FaxMaxDatagram:400
 *     a=T38FaxUdpEC:t38UDPRedundancy
 *
 * Peers differ in how they write these (3GPP TS 29.163 Table K.2.1; the SIP Forum FoIP task
 * group's problem statement), so reading is forgiving: names in any case, the older spellings
 * `T38FaxMaxRate` and `T38MaxDatagram`, the flags bare or as `:0`/`:1` (Cisco writes `:0`).
 * A value we cannot read counts as absent: one malformed attribute should not fail a call the
 * rest of the offer allows. When a name appears twice the first one counts. The version 4
 * attributes (T38FaxMaxIFP, T38FaxUdpECDepth, T38FaxUdpFECMaxSpan, T38ModemType) are ignored.
 *
 * A refusal is a value ({ refused, detail }), not an exception: the SIP layer answers it with
 * 488 Not Acceptable Here (RFC 3261 §21.4.26), and the carrier records it as its own failure.
 */
import {
  mediaConnection,
  type SdpConnection,
  type SdpMedia,
  type SessionDescription,
} from './sdp.js'

/** T38FaxVersion as negotiated: the IFP encoding (ifp.ts) depends on it. */
export type T38Version = 0 | 1 | 2 | 3

/**
 * T38FaxRateManagement. T.38 has two data rate management methods: in method 1 (localTCF) each
 * gateway makes and checks the training check (TCF) itself, and it is meant for TCP; in method 2
 * (transferredTCF) the TCF travels over the network, and it is the one for UDP. UDPTL is UDP.
 */
export type T38RateManagement = 'transferredTCF' | 'localTCF'

/** T38FaxUdpEC; `none` is the attribute's absence. */
export type T38ErrorCorrection = 't38UDPRedundancy' | 't38UDPFEC' | 'none'

/** What one side's image section says. Optional fields are absent when it did not say them. */
export interface T38Params {
  /** T38FaxVersion; absent means 0. Kept as offered (4 exists), so it may exceed 3. */
  readonly version: number
  /** T38MaxBitRate (or T38FaxMaxRate), bit/s: 2400 … 14400, 33600 with V.34. */
  readonly maxBitRateBps?: number
  readonly rateManagement?: T38RateManagement
  /** T38FaxMaxBuffer: the sender of it's receive buffer, octets. */
  readonly maxBufferOctets?: number
  /** T38FaxMaxDatagram (or T38MaxDatagram): the largest UDPTL datagram its sender accepts. */
  readonly maxDatagramOctets?: number
  readonly errorCorrection: T38ErrorCorrection
  /** T38FaxFillBitRemoval, T38FaxTranscodingMMR, T38FaxTranscodingJBIG: gateway features. */
  readonly fillBitRemoval: boolean
  readonly transcodingMmr: boolean
  readonly transcodingJbig: boolean
}

/** What faxd can do, from its configuration. */
export interface T38Capabilities {
  /** The highest T38FaxVersion we speak (FAXD_T38_VERSION). */
  readonly highestVersion: T38Version
  readonly maxBitRateBps: number
  /** The receive buffer we announce (octets). */
  readonly maxBufferOctets: number
  /** The largest UDPTL datagram we accept, as we announce it (octets). */
  readonly maxDatagramOctets: number
  /** The error correction schemes our UDPTL sender uses, the preferred one first. */
  readonly errorCorrection: readonly ('t38UDPRedundancy' | 't38UDPFEC')[]
}

/**
 * Our defaults. They give the offer measured against SIPp (transmission.md §5): version 0
 * (spandsp's default, and the one every peer speaks), 14,400 bit/s (V.17), buffer 2000,
 * datagram 400, redundancy (the scheme nearly every peer uses; FEC is rare).
 */
export const DEFAULT_T38_CAPABILITIES: T38Capabilities = {
  highestVersion: 0,
  maxBitRateBps: 14_400,
  maxBufferOctets: 2000,
  maxDatagramOctets: 400,
  errorCorrection: ['t38UDPRedundancy'],
}

export type T38RefusalReason =
  /** No `m=image` line at all (an audio-only re-offer to a T.38 call, for instance). */
  | 'no-image-stream'
  /** Every image line has port 0: the stream is declined (RFC 3264 §6). */
  | 'declined'
  /** An image stream, but not over UDPTL (T.38 over RTP or TCP, which we do not do). */
  | 'unsupported-transport'
  /** An image stream over UDPTL whose format is not t38. */
  | 'unsupported-format'
  /** T38FaxRateManagement:localTCF, which T.38 means for TCP, not for UDPTL. */
  | 'local-tcf'
  /** The two sides' highest rates leave nothing at or above 2400 bit/s. */
  | 'bit-rate'

export interface T38Refusal {
  readonly refused: T38RefusalReason
  readonly detail: string
}

/** The T.38 stream found in a description. */
export interface T38Stream {
  /** Its m line's position (an answer must keep the offer's m lines in order, RFC 3264 §6). */
  readonly index: number
  readonly port: number
  readonly connection: SdpConnection
  readonly params: T38Params
}

/** What both sides use once offer and answer are known. */
export interface NegotiatedT38 {
  readonly version: T38Version
  readonly maxBitRateBps: number
  readonly errorCorrection: T38ErrorCorrection
  /** The largest datagram we send to the far end (see farMaxDatagramOctets). */
  readonly farMaxDatagramOctets: number
}

export function isT38Refusal(value: object): value is T38Refusal {
  return 'refused' in value
}

/** The lowest rate of T.30's modems (V.27ter 2400). */
const LOWEST_BIT_RATE_BPS = 2400

/** The attributes we read, by lower-cased name (Annex D's names, and older spellings). */
const NAMES = {
  version: ['t38faxversion'],
  maxBitRate: ['t38maxbitrate', 't38faxmaxrate'],
  rateManagement: ['t38faxratemanagement'],
  maxBuffer: ['t38faxmaxbuffer'],
  maxDatagram: ['t38faxmaxdatagram', 't38maxdatagram'],
  errorCorrection: ['t38faxudpec'],
  fillBitRemoval: ['t38faxfillbitremoval'],
  transcodingMmr: ['t38faxtranscodingmmr'],
  transcodingJbig: ['t38faxtranscodingjbig'],
} as const

/** Reads the T.38 attributes of one media section. Never throws. */
export function readT38Params(media: SdpMedia): T38Params {
  const find = (names: readonly string[]): { value?: string } | undefined =>
    media.attributes.find((a) => names.includes(a.name.toLowerCase()))
  const value = (names: readonly string[]): string | undefined => find(names)?.value?.trim()
  const flag = (names: readonly string[]): boolean => {
    const attribute = find(names)
    return attribute !== undefined && attribute.value?.trim() !== '0'
  }
  const rate = value(NAMES.rateManagement)?.toLowerCase()
  const ec = value(NAMES.errorCorrection)?.toLowerCase()
  const maxBitRateBps = count(value(NAMES.maxBitRate))
  const maxBufferOctets = count(value(NAMES.maxBuffer))
  const maxDatagramOctets = count(value(NAMES.maxDatagram))
  const rateManagement =
    rate === 'transferredtcf' ? 'transferredTCF' : rate === 'localtcf' ? 'localTCF' : undefined
  return {
    version: count(value(NAMES.version)) ?? 0,
    // AudioCodes writes T38MaxBitRate=0 for "not limited"; 0 says nothing, like absence.
    ...(maxBitRateBps !== undefined && maxBitRateBps > 0 && { maxBitRateBps }),
    ...(rateManagement !== undefined && { rateManagement }),
    ...(maxBufferOctets !== undefined && { maxBufferOctets }),
    ...(maxDatagramOctets !== undefined && { maxDatagramOctets }),
    errorCorrection:
      ec === 't38udpredundancy' ? 't38UDPRedundancy' : ec === 't38udpfec' ? 't38UDPFEC' : 'none',
    fillBitRemoval: flag(NAMES.fillBitRemoval),
    transcodingMmr: flag(NAMES.transcodingMmr),
    transcodingJbig: flag(NAMES.transcodingJbig),
  }
}

/** A whole number of up to 9 digits, or undefined. */
function count(text: string | undefined): number | undefined {
  return text !== undefined && /^[0-9]{1,9}$/.test(text) ? Number(text) : undefined
}

/**
 * Finds the T.38 stream of a description: the first `m=image <port> udptl t38` line whose
 * port is not 0. Protocol and format are compared without case (peers write `UDPTL`).
 */
export function readT38Stream(sd: SessionDescription): T38Stream | T38Refusal {
  const images = sd.media
    .map((media, index) => ({ media, index }))
    .filter(({ media }) => media.media.toLowerCase() === 'image')
  if (images.length === 0) {
    return { refused: 'no-image-stream', detail: 'the description has no m=image line' }
  }
  const open = images.filter(({ media }) => media.port !== 0)
  if (open.length === 0) {
    return { refused: 'declined', detail: 'the m=image line has port 0' }
  }
  const udptl = open.filter(({ media }) => media.proto.toLowerCase() === 'udptl')
  const first = udptl[0]
  if (first === undefined) {
    const protos = open.map(({ media }) => media.proto).join(', ')
    return { refused: 'unsupported-transport', detail: `T.38 over ${protos}, not udptl` }
  }
  const t38 = udptl.find(({ media }) => media.formats.some((f) => f.toLowerCase() === 't38'))
  if (t38 === undefined) {
    const formats = first.media.formats.join(' ')
    return { refused: 'unsupported-format', detail: `m=image udptl with format ${formats}` }
  }
  // parseSdp makes sure a stream with a port has a c line of its own or of the session.
  const connection = mediaConnection(sd, t38.media) as SdpConnection
  return {
    index: t38.index,
    port: t38.media.port,
    connection,
    params: readT38Params(t38.media),
  }
}

/** What we offer when we start T.38 (a re-INVITE of our own, or T.38 in the first INVITE). */
export function t38Offer(ours: T38Capabilities): T38Params {
  return {
    version: ours.highestVersion,
    maxBitRateBps: ours.maxBitRateBps,
    rateManagement: 'transferredTCF',
    maxBufferOctets: ours.maxBufferOctets,
    maxDatagramOctets: ours.maxDatagramOctets,
    errorCorrection: ours.errorCorrection[0] ?? 'none',
    fillBitRemoval: false,
    transcodingMmr: false,
    transcodingJbig: false,
  }
}

/**
 * Our answer to a far end's T.38 offer, or why we refuse it.
 *
 * 1. Rate management: localTCF is refused. T.38 keeps local TCF for TCP; over UDPTL our
 *    terminal sends and checks TCF end to end, and a peer that generates TCF locally would
 *    never pass ours on, so the call would fail at training anyway. A missing attribute is
 *    taken as transferredTCF, the only method UDPTL has. We answer transferredTCF.
 * 2. Version: the lower of the offer's and our highest (an answer must not be above the
 *    offer, transmission.md §5); a missing T38FaxVersion is 0.
 * 3. Max bit rate: the lower of the offer's and ours; an offer that says none (or 0) gets
 *    ours. Below 2400 bit/s no T.30 modem is left, so we refuse.
 * 4. Max buffer and max datagram: ours. Each side announces what it receives; what the far
 *    end announced limits our sending (farMaxDatagramOctets), not our answer.
 * 5. Error correction: we keep what was offered or step down, never up (a peer that offered
 *    redundancy may have no FEC decoder). Offered FEC, we answer FEC only if we list it before
 *    redundancy, and otherwise redundancy: the scheme nearly every peer implements, and so the
 *    safest one to ask an FEC peer for (transmission.md §5). Offered redundancy, we answer
 *    redundancy if we do it. Offered none, or nothing we do: none.
 * 6. T38FaxFillBitRemoval, T38FaxTranscodingMMR, T38FaxTranscodingJBIG: never on. They are
 *    gateway features that rewrite the image data; a terminal like ours does not use them.
 */
export function answerT38(offer: T38Params, ours: T38Capabilities): T38Params | T38Refusal {
  if (offer.rateManagement === 'localTCF') {
    return { refused: 'local-tcf', detail: 'T38FaxRateManagement:localTCF over udptl' }
  }
  const maxBitRateBps = Math.min(offer.maxBitRateBps ?? ours.maxBitRateBps, ours.maxBitRateBps)
  if (maxBitRateBps < LOWEST_BIT_RATE_BPS) {
    return { refused: 'bit-rate', detail: `highest common rate ${maxBitRateBps} bit/s` }
  }
  return {
    version: Math.min(offer.version, ours.highestVersion),
    maxBitRateBps,
    rateManagement: 'transferredTCF',
    maxBufferOctets: ours.maxBufferOctets,
    maxDatagramOctets: ours.maxDatagramOctets,
    errorCorrection: answerErrorCorrection(offer.errorCorrection, ours.errorCorrection),
    fillBitRemoval: false,
    transcodingMmr: false,
    transcodingJbig: false,
  }
}

function answerErrorCorrection(
  offered: T38ErrorCorrection,
  ours: T38Capabilities['errorCorrection'],
): T38ErrorCorrection {
  const redundancy = ours.indexOf('t38UDPRedundancy')
  const fec = ours.indexOf('t38UDPFEC')
  if (offered === 't38UDPFEC' && fec >= 0 && (redundancy < 0 || fec < redundancy)) {
    return 't38UDPFEC'
  }
  return offered !== 'none' && redundancy >= 0 ? 't38UDPRedundancy' : 'none'
}

/** Error correction schemes from none to the strongest. */
const EC_ORDER: readonly T38ErrorCorrection[] = ['none', 't38UDPRedundancy', 't38UDPFEC']

/**
 * What both sides use, from our side's params and the far end's (our offer and their answer,
 * or their offer and our answer). The lower version, rate and error correction of the two:
 * a far end that answers higher than we offered is held to our offer rather than refused.
 * Refused only for localTCF on either side or no rate from 2400 bit/s.
 */
export function negotiateT38(local: T38Params, remote: T38Params): NegotiatedT38 | T38Refusal {
  if (local.rateManagement === 'localTCF' || remote.rateManagement === 'localTCF') {
    return { refused: 'local-tcf', detail: 'T38FaxRateManagement:localTCF over udptl' }
  }
  const rates = [local.maxBitRateBps, remote.maxBitRateBps].filter((r) => r !== undefined)
  const maxBitRateBps = rates.length === 0 ? 14_400 : Math.min(...rates)
  if (maxBitRateBps < LOWEST_BIT_RATE_BPS) {
    return { refused: 'bit-rate', detail: `highest common rate ${maxBitRateBps} bit/s` }
  }
  const ec = Math.min(
    EC_ORDER.indexOf(local.errorCorrection),
    EC_ORDER.indexOf(remote.errorCorrection),
  )
  return {
    version: Math.max(0, Math.min(local.version, remote.version, 3)) as T38Version,
    maxBitRateBps,
    errorCorrection: EC_ORDER[ec] ?? 'none',
    farMaxDatagramOctets: farMaxDatagramOctets(remote),
  }
}

/** Used for a far end that gives no T38FaxMaxDatagram, 0, or more than FAR_MAX_DATAGRAM_LIMIT. */
export const FAR_MAX_DATAGRAM_DEFAULT = 400
/** Above this a far end's T38FaxMaxDatagram is not believed. */
export const FAR_MAX_DATAGRAM_LIMIT = 1400

/**
 * The largest UDPTL datagram we send to the far end. Its T38FaxMaxDatagram as announced, except
 * that a missing one, 0, or one over 1400 octets gives 400. That is Asterisk's rule, and the
 * conservative one the brief asks for: some peers mean the IFP size rather than the datagram,
 * and a claim beyond an Ethernet frame is more likely a placeholder than a buffer. 400 costs
 * us nothing in the usual case, since a 30 ms IFP at 14,400 bit/s is 54 data octets and three
 * redundant copies fit. Small values (Cisco announces 72) are kept: the UDPTL sender then
 * drops secondaries to fit and always sends the primary IFP.
 */
export function farMaxDatagramOctets(remote: T38Params): number {
  const announced = remote.maxDatagramOctets
  return announced === undefined || announced === 0 || announced > FAR_MAX_DATAGRAM_LIMIT
    ? FAR_MAX_DATAGRAM_DEFAULT
    : announced
}

/**
 * Our `m=image <port> udptl t38` section, attributes in the order Asterisk and the brief's
 * example use. Absent params are left out (T38FaxUdpEC too, for none); flags that are on are
 * written bare, which every reader understands.
 */
export function buildT38Media(params: T38Params, port: number): SdpMedia {
  const attributes: { name: string; value?: string }[] = [
    { name: 'T38FaxVersion', value: String(params.version) },
  ]
  const add = (name: string, value: number | string | undefined): void => {
    if (value !== undefined) {
      attributes.push({ name, value: String(value) })
    }
  }
  add('T38MaxBitRate', params.maxBitRateBps)
  add('T38FaxRateManagement', params.rateManagement)
  add('T38FaxMaxBuffer', params.maxBufferOctets)
  add('T38FaxMaxDatagram', params.maxDatagramOctets)
  add('T38FaxUdpEC', params.errorCorrection === 'none' ? undefined : params.errorCorrection)
  if (params.fillBitRemoval) {
    attributes.push({ name: 'T38FaxFillBitRemoval' })
  }
  if (params.transcodingMmr) {
    attributes.push({ name: 'T38FaxTranscodingMMR' })
  }
  if (params.transcodingJbig) {
    attributes.push({ name: 'T38FaxTranscodingJBIG' })
  }
  return {
    media: 'image',
    port,
    proto: 'udptl',
    formats: ['t38'],
    bandwidths: [],
    attributes,
  }
}
