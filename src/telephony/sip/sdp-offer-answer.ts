/**
 * The SDP offer/answer of a fax call (RFC 3264), apart from T.38's own attributes
 * (t38-sdp.ts): the G.711 audio stream a call starts with, reading the far end's audio stream,
 * answering one, and our whole session descriptions across a call, with the o line versioned
 * as RFC 3264 §8 asks.
 *
 * An outbound fax starts as a phone call: we offer PCMU and PCMA with telephone-event (RFC 4733,
 * for post-dial digits), and carry CNG over it until one side re-INVITEs to T.38. That
 * re-INVITE changes the one audio m line into an image m line in place, as RFC 3264 §8.3.3
 * recommends when the same logical stream changes format (its own example is voiceband fax
 * becoming T.38), and as Cisco and Asterisk do.
 */
import {
  SdpError,
  mediaConnection,
  type SdpAttribute,
  type SdpConnection,
  type SdpMedia,
  type SessionDescription,
} from './sdp.js'

export type G711Codec = 'PCMU' | 'PCMA'
/** telephone-event: RFC 4733 named telephone events (DTMF digits) in RTP. */
export type AudioCodec = G711Codec | 'telephone-event'

/** RTP payload types: PCMU and PCMA are static (RFC 3551 table 4); 101 is the usual dynamic one. */
export const AUDIO_PAYLOAD_TYPES: Readonly<Record<AudioCodec, number>> = {
  PCMU: 0,
  PCMA: 8,
  'telephone-event': 101,
}
export const DEFAULT_AUDIO_CODECS: readonly AudioCodec[] = ['PCMU', 'PCMA', 'telephone-event']
/** 20 ms of G.711 per RTP packet: 160 samples at 8000 Hz. */
export const AUDIO_PTIME_MS = 20
/**
 * The events we send and take: RFC 4733 §3.2 numbers the DTMF digits 0–9 as 0–9, `*` 10,
 * `#` 11 and A–D 12–15, and §2.4.1 lists the supported ones in fmtp ("a=fmtp:96 0-15").
 */
const DTMF_EVENTS = '0-15'

/** a=sendrecv / sendonly / recvonly / inactive (RFC 3264 §5.1; absent means sendrecv). */
export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive'
const DIRECTIONS: readonly string[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive']

/**
 * Our audio m line for the first INVITE:
 *
 *     m=audio <port> RTP/AVP 0 8 101
 *     a=rtpmap:0 PCMU/8000
 *     a=rtpmap:8 PCMA/8000
 *     a=rtpmap:101 telephone-event/8000
 *     a=fmtp:101 0-15
 *     a=ptime:20
 *     a=sendrecv
 *
 * `codecs` in order of preference; at least one G.711 codec.
 */
export function audioOffer(
  port: number,
  codecs: readonly AudioCodec[] = DEFAULT_AUDIO_CODECS,
): SdpMedia {
  if (!codecs.some((codec) => codec !== 'telephone-event')) {
    throw new SdpError('bad-argument', 'SDP: an audio offer needs PCMU or PCMA')
  }
  return audioMedia(
    port,
    [...new Set(codecs)].map((codec) => ({ codec, payloadType: AUDIO_PAYLOAD_TYPES[codec] })),
    'sendrecv',
  )
}

function audioMedia(
  port: number,
  codecs: readonly { codec: AudioCodec; payloadType: number }[],
  direction: MediaDirection,
): SdpMedia {
  const attributes: SdpAttribute[] = codecs.map(({ codec, payloadType }) => ({
    name: 'rtpmap',
    value: `${payloadType} ${codec}/8000`,
  }))
  for (const { codec, payloadType } of codecs) {
    if (codec === 'telephone-event') {
      attributes.push({ name: 'fmtp', value: `${payloadType} ${DTMF_EVENTS}` })
    }
  }
  attributes.push({ name: 'ptime', value: String(AUDIO_PTIME_MS) }, { name: direction })
  return {
    media: 'audio',
    port,
    proto: 'RTP/AVP',
    formats: codecs.map(({ payloadType }) => String(payloadType)),
    bandwidths: [],
    attributes,
  }
}

/** The far end's audio stream, as far as we use it. */
export interface AudioStream {
  /** Its m line's position. */
  readonly index: number
  readonly port: number
  readonly connection: SdpConnection
  /** The first G.711 codec in its list that we accept (an answer lists one, usually). */
  readonly codec: G711Codec
  readonly payloadType: number
  /** The payload type it gives telephone-event/8000, when it lists it. */
  readonly telephoneEventPayloadType?: number
  readonly direction: MediaDirection
  /** a=ptime, when given. */
  readonly ptimeMs?: number
}

export type AudioRefusalReason =
  | 'no-audio-stream'
  /** Every audio line has port 0. */
  | 'declined'
  /** Audio, but not plain RTP (SRTP's RTP/SAVP, for instance). */
  | 'unsupported-transport'
  /** No PCMU or PCMA among its formats. */
  | 'no-common-codec'

export interface AudioRefusal {
  readonly refused: AudioRefusalReason
  readonly detail: string
}

export function isAudioRefusal(value: object): value is AudioRefusal {
  return 'refused' in value
}

/**
 * Reads the audio stream of an answer (or of an offer we are about to answer): the first
 * `m=audio` line with a port, over RTP/AVP (or RTP/AVPF), and in it the first format that is
 * one of `accept`. A format is named by its `a=rtpmap` line, or for 0 and 8 without one by
 * the static table of RFC 3551. Encoding names are compared without case (media subtype
 * names are case-insensitive).
 */
export function readAudioStream(
  sd: SessionDescription,
  accept: readonly G711Codec[] = ['PCMU', 'PCMA'],
): AudioStream | AudioRefusal {
  const audio = sd.media
    .map((media, index) => ({ media, index }))
    .filter(({ media }) => media.media.toLowerCase() === 'audio')
  if (audio.length === 0) {
    return { refused: 'no-audio-stream', detail: 'the description has no m=audio line' }
  }
  const open = audio.filter(({ media }) => media.port !== 0)
  if (open.length === 0) {
    return { refused: 'declined', detail: 'the m=audio line has port 0' }
  }
  const rtp = open.find(({ media }) => /^RTP\/AVPF?$/i.test(media.proto))
  if (rtp === undefined) {
    const protos = open.map(({ media }) => media.proto).join(', ')
    return { refused: 'unsupported-transport', detail: `audio over ${protos}, not RTP/AVP` }
  }
  const { media, index } = rtp
  const encodings = rtpmaps(media)
  const encodingOf = (format: string): string | undefined =>
    encodings.get(format) ??
    (format === '0' ? 'pcmu/8000' : format === '8' ? 'pcma/8000' : undefined)
  const chosen = media.formats.find((format) =>
    accept.some((codec) => encodingOf(format) === `${codec.toLowerCase()}/8000`),
  )
  const event = media.formats.find((format) => encodingOf(format) === 'telephone-event/8000')
  if (chosen === undefined) {
    return { refused: 'no-common-codec', detail: `formats ${media.formats.join(' ')}` }
  }
  const ptime = attributeValue(media.attributes, 'ptime')
  return {
    index,
    port: media.port,
    // parseSdp makes sure a stream with a port has a c line of its own or of the session.
    connection: mediaConnection(sd, media) as SdpConnection,
    codec: encodingOf(chosen) === 'pcmu/8000' ? 'PCMU' : 'PCMA',
    payloadType: Number(chosen),
    ...(event !== undefined &&
      /^[0-9]{1,3}$/.test(event) && {
        telephoneEventPayloadType: Number(event),
      }),
    direction: directionOf(media.attributes) ?? directionOf(sd.attributes) ?? 'sendrecv',
    ...(ptime !== undefined && /^[0-9]{1,4}$/.test(ptime) && { ptimeMs: Number(ptime) }),
  }
}

/** a=rtpmap:<payload type> <encoding name>/<clock rate>[/<parameters>], lower-cased, by type. */
function rtpmaps(media: SdpMedia): Map<string, string> {
  const map = new Map<string, string>()
  for (const a of media.attributes) {
    const match =
      a.name.toLowerCase() === 'rtpmap' ? /^\s*(\S+)\s+([^/\s]+)\/(\d+)/.exec(a.value ?? '') : null
    if (match?.[1] !== undefined && !map.has(match[1])) {
      map.set(match[1], `${match[2]}/${match[3]}`.toLowerCase())
    }
  }
  return map
}

function attributeValue(attributes: readonly SdpAttribute[], name: string): string | undefined {
  return attributes.find((a) => a.name.toLowerCase() === name)?.value?.trim()
}

function directionOf(attributes: readonly SdpAttribute[]): MediaDirection | undefined {
  const found = attributes.find((a) => a.value === undefined && DIRECTIONS.includes(a.name))
  return found?.name as MediaDirection | undefined
}

/**
 * Our answer to an offered audio stream: its chosen codec and its telephone-event, under the
 * offer's payload type numbers (RFC 3264 §6.1: "that same payload type number SHOULD be used
 * for that codec in the answer"), and the direction §6.1 allows: recvonly to sendonly,
 * sendonly to recvonly, inactive to inactive, sendrecv to sendrecv.
 */
export function audioAnswer(offered: AudioStream, port: number): SdpMedia {
  const codecs: { codec: AudioCodec; payloadType: number }[] = [
    { codec: offered.codec, payloadType: offered.payloadType },
  ]
  if (offered.telephoneEventPayloadType !== undefined) {
    codecs.push({ codec: 'telephone-event', payloadType: offered.telephoneEventPayloadType })
  }
  const direction: MediaDirection =
    offered.direction === 'sendonly'
      ? 'recvonly'
      : offered.direction === 'recvonly'
        ? 'sendonly'
        : offered.direction
  return audioMedia(port, codecs, direction)
}

/**
 * A stream refused in an answer. RFC 3264 §6: "To reject an offered stream, the port number
 * in the corresponding stream in the answer MUST be set to zero. Any media formats listed are
 * ignored. At least one MUST be present, as specified by SDP."
 */
export function declinedMedia(offered: SdpMedia): SdpMedia {
  return {
    media: offered.media,
    port: 0,
    proto: offered.proto,
    formats: offered.formats,
    bandwidths: [],
    attributes: [],
  }
}

/**
 * The m lines of an answer that accepts one offered stream (at `index`) as `accepted` and
 * declines the others. RFC 3264 §6: "The answer MUST contain exactly the same number of "m="
 * lines as the offer", in the same order. With T.38 in the first INVITE (audio and image), we
 * accept the image stream and decline the audio.
 */
export function answerMedia(
  offer: SessionDescription,
  index: number,
  accepted: SdpMedia,
): SdpMedia[] {
  if (!Number.isInteger(index) || index < 0 || index >= offer.media.length) {
    throw new SdpError('bad-argument', `SDP: the offer has no stream ${index}`)
  }
  return offer.media.map((m, i) => (i === index ? accepted : declinedMedia(m)))
}

/**
 * Our side's description across one call (as offerer or answerer). RFC 4566 §5.2: the o line's
 * <sess-id> with the username, network and address "forms a globally unique identifier for
 * the session", and <sess-version> "is increased when a modification is made to the session
 * data".
 */
export interface LocalDescription {
  readonly sessionId: string
  readonly version: bigint
  /** Our media address (the c line, and the o line's address). */
  readonly connection: SdpConnection
  readonly media: readonly SdpMedia[]
}

/** o=<username>: RFC 4566 §5.2 allows "-" for a host without user ids. */
const ORIGIN_USERNAME = '-'
const SESSION_NAME = 'faxd'

/**
 * Our first description of a call. `sessionId` is the caller's to choose (RFC 4566 suggests an
 * NTP timestamp; a random number is as good); the version starts equal to it, as is common.
 */
export function createLocalDescription(options: {
  readonly sessionId: bigint
  readonly connection: SdpConnection
  readonly media: readonly SdpMedia[]
}): LocalDescription {
  if (options.sessionId < 0n) {
    throw new SdpError('bad-argument', 'SDP: a negative session id')
  }
  return {
    sessionId: options.sessionId.toString(),
    version: options.sessionId,
    connection: options.connection,
    media: options.media,
  }
}

/**
 * Our next description of the same call: a re-offer (a re-INVITE to T.38, a session refresh)
 * or an answer to the far end's re-offer. RFC 3264 §8: "the "o=" line of the new SDP MUST be
 * identical to that in the previous SDP, except that the version in the origin field MUST
 * increment by one from the previous SDP. If the version in the origin line does not
 * increment, the SDP MUST be identical to the SDP with that version number." So the version
 * goes up by one when the media change, and stays when they do not (a session-timer refresh
 * repeats the same SDP). §8 also forbids dropping m lines: there must be at least as many as
 * before (replace one in place, audio to image, or decline it with port 0).
 */
export function updateLocalDescription(
  previous: LocalDescription,
  media: readonly SdpMedia[],
): LocalDescription {
  if (media.length < previous.media.length) {
    throw new SdpError(
      'bad-argument',
      `SDP: ${media.length} m lines after ${previous.media.length} (RFC 3264 §8 keeps them all)`,
    )
  }
  const changed = JSON.stringify(media) !== JSON.stringify(previous.media)
  return { ...previous, version: changed ? previous.version + 1n : previous.version, media }
}

/** The SessionDescription to send (formatSdp it): o, s, c, `t=0 0`, and the m lines. */
export function localSessionDescription(local: LocalDescription): SessionDescription {
  return {
    origin: {
      username: ORIGIN_USERNAME,
      sessionId: local.sessionId,
      sessionVersion: local.version.toString(),
      netType: 'IN',
      addressType: local.connection.addressType,
      address: local.connection.address,
    },
    sessionName: SESSION_NAME,
    emails: [],
    phones: [],
    connection: local.connection,
    bandwidths: [],
    // RFC 4566 §5.9: "If the <stop-time> is set to zero, then the session is not bounded…
    // If the <start-time> is also zero, the session is regarded as permanent."
    times: [{ start: 0, stop: 0, repeats: [] }],
    attributes: [],
    media: local.media,
  }
}
