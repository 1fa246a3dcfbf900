/**
 * The one error of the SIP message layer (messages, header fields, URIs). Parsing is total:
 * any octets either parse or throw a SipParseError, and so do the typed header readers and the
 * URI parser on any string. Builders and the serializer throw it too, with code 'bad-argument',
 * when given something that cannot go on the wire (a CR or LF in a header value, say), so that
 * text from outside never injects a header.
 *
 * RFC 3261 §18.1.2 and §18.2.1 decide who hears of a fault: a malformed response is discarded
 * in silence, a malformed request is answered when it can be (400 Bad Request, §8.2 and §16.3
 * step 1; 505 for another SIP version, §8.2.2; 513 for a message too large, §21.5.14). That
 * answer is `statusForReply`, set only when the start line showed a request.
 */

export type SipParseErrorCode =
  /** The first line is neither `Method SP Request-URI SP SIP/2.0` nor a status line. */
  | 'bad-start-line'
  /** The start line names a SIP version other than 2.0 (a request gets 505). */
  | 'unsupported-version'
  /** A header line, or the value of a header a reader was asked for, is malformed. */
  | 'bad-header'
  /** Content-Length is not a number, is given twice with two values, or exceeds the datagram. */
  | 'bad-content-length'
  /** The message, a line or the number of headers is over the limits this parser keeps. */
  | 'too-large'
  /** The header section does not end with an empty line. */
  | 'truncated'
  /** A header RFC 3261 §8.1.1 requires is absent (checkMandatoryHeaders). */
  | 'missing-header'
  /** A URI is malformed (sip:, sips: or tel:, or the shape of any other absolute URI). */
  | 'bad-uri'
  /** A builder or the serializer was given something that cannot be sent. */
  | 'bad-argument'

/** What could be read of a malformed request: enough, with luck, to build the reply. */
export interface PartialSipRequest {
  readonly method: string
  readonly uri: string
  /** The header lines read before the fault, as name/value pairs in order. */
  readonly headers: readonly (readonly [name: string, value: string])[]
}

export class SipParseError extends Error {
  override readonly name = 'SipParseError'
  readonly code: SipParseErrorCode
  /** The response a UAS should send, when the message was a request; otherwise undefined. */
  readonly statusForReply: number | undefined
  /** The start line and headers of the request read before the fault, for that reply. */
  readonly request: PartialSipRequest | undefined

  constructor(
    code: SipParseErrorCode,
    message: string,
    options: { statusForReply?: number; request?: PartialSipRequest; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.statusForReply = options.statusForReply
    this.request = options.request
  }
}
