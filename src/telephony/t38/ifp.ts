/**
 * IFP packets: the T.38 Internet Facsimile Protocol's one message, carried as the primary (and
 * secondary) payload of each UDPTL datagram. An IFP is either a T.30 indicator (a tone, a
 * preamble or a training sequence has started, or the line went quiet) or T.30 data (HDLC
 * octets or non-ECM image octets at some modulation, split into typed fields).
 *
 * The encoding is ASN.1 aligned PER (X.691) of T.38 Annex A:
 *
 *     IFPPacket ::= SEQUENCE { type-of-msg Type-of-msg, data-field Data-Field OPTIONAL }
 *     Type-of-msg ::= CHOICE { t30-indicator ENUMERATED {…, ...}, t30-data ENUMERATED {…, ...} }
 *     Data-Field ::= SEQUENCE OF SEQUENCE {
 *         field-type ENUMERATED {…}, field-data OCTET STRING (SIZE(1..65535)) OPTIONAL }
 *
 * so octet 0 is: data-field present, type-of-msg, the enumeration's extension bit, the 4-bit
 * value, one pad bit (`06` v21-preamble, `d0` v17-14400 data with a data field).
 *
 * Version 0 (the 1998 ASN.1, "pre-corrigendum") declares field-type without an extension
 * marker: 3 bits, so a field without data takes 4 bits and the next field starts in the middle
 * of the octet. Versions 1 to 3 (the 2002 ASN.1) add the marker and four more field types: an
 * extension bit and 3 bits, or for types 8–11 the extension bit, a "small number" bit and 6
 * bits. We pack fields bit by bit as X.691 says, which is what Wireshark decodes; spandsp's
 * decoder instead pads every version-1+ field type to an octet, which gives the same bytes
 * except when a field without data is followed by another field (no terminal sends that).
 *
 * Decoding is total: any octets either decode or throw an IfpError. As in spandsp
 * (`t38_core_rx_ifp_packet`), a packet whose parsed length differs from its length is refused.
 */
import { PerReader, PerWriter, MAX_UNFRAGMENTED_LENGTH, type PerProblem } from './aligned-per.js'

/** The negotiated T38FaxVersion (SDP). It decides how field types are coded. */
export type T38Version = 0 | 1 | 2 | 3

/**
 * T.30 indicators in code-point order (T.38 Annex A `t30-indicator`). The first 16 are the
 * enumeration's root; the rest are its extensions, which need version 1 or later.
 */
export const INDICATORS = [
  'no-signal',
  'cng',
  'ced',
  'v21-preamble',
  'v27-2400-training',
  'v27-4800-training',
  'v29-7200-training',
  'v29-9600-training',
  'v17-7200-short-training',
  'v17-7200-long-training',
  'v17-9600-short-training',
  'v17-9600-long-training',
  'v17-12000-short-training',
  'v17-12000-long-training',
  'v17-14400-short-training',
  'v17-14400-long-training',
  'v8-ansam',
  'v8-signal',
  'v34-cntl-channel-1200',
  'v34-pri-channel',
  'v34-CC-retrain',
  'v33-12000-training',
  'v33-14400-training',
] as const
export type Indicator = (typeof INDICATORS)[number]

/** T.30 data types (the modulation the octets travel at). The first 9 are the root. */
export const DATA_TYPES = [
  'v21',
  'v27-2400',
  'v27-4800',
  'v29-7200',
  'v29-9600',
  'v17-7200',
  'v17-9600',
  'v17-12000',
  'v17-14400',
  'v8',
  'v34-pri-rate',
  'v34-CC-1200',
  'v34-pri-ch',
  'v33-12000',
  'v33-14400',
] as const
export type DataType = (typeof DATA_TYPES)[number]

/** Field types. The first 8 are all version 0 has; the last 4 need version 1 or later. */
export const FIELD_TYPES = [
  'hdlc-data',
  'hdlc-sig-end',
  'hdlc-fcs-OK',
  'hdlc-fcs-BAD',
  'hdlc-fcs-OK-sig-end',
  'hdlc-fcs-BAD-sig-end',
  't4-non-ecm-data',
  't4-non-ecm-sig-end',
  'cm-message',
  'jm-message',
  'ci-message',
  'v34rate',
] as const
export type FieldType = (typeof FIELD_TYPES)[number]

const ROOT_INDICATORS = 16
const ROOT_DATA_TYPES = 9
const ROOT_FIELD_TYPES = 8

/** One element of the data field. `data` absent (or empty) means no field-data. */
export interface IfpField {
  readonly type: FieldType
  readonly data?: Uint8Array
}

export type Ifp =
  | { readonly kind: 'indicator'; readonly indicator: Indicator }
  /** `fields` empty: the packet has no data field at all. */
  | { readonly kind: 'data'; readonly dataType: DataType; readonly fields: readonly IfpField[] }

export type IfpErrorCode =
  /** The packet ends inside an element. */
  | 'truncated'
  /** Octets are left over after the packet's last element (spandsp refuses these too). */
  | 'trailing-octets'
  /** A code point no version of T.38 defines (or a "large" extension number). */
  | 'unknown-code'
  /** An extension code point (V.8, V.33, V.34, cm-message…) in a version-0 packet. */
  | 'not-in-version'
  /** Valid PER that T.38 never produces: an indicator with a data field. */
  | 'bad-structure'
  /** A data field of 16384 or more elements, which PER would send in fragments. */
  | 'fragmented'
  /** encodeIfp was given something it cannot encode (too much data, a bad field). */
  | 'bad-argument'

/** The one error the IFP codec throws. */
export class IfpError extends Error {
  override readonly name = 'IfpError'
  readonly code: IfpErrorCode

  constructor(code: IfpErrorCode, message: string) {
    super(message)
    this.code = code
  }
}

/** The largest field-data: OCTET STRING (SIZE(1..65535)). */
const MAX_FIELD_OCTETS = 65535

export function encodeIfp(ifp: Ifp, version: T38Version): Uint8Array {
  const out = new PerWriter()
  if (ifp.kind === 'indicator') {
    out.bits(0, 1) // no data field
    out.bits(0, 1) // t30-indicator
    writeEnumerated(out, codeOf(INDICATORS, ifp.indicator), ROOT_INDICATORS, 4, version)
    return out.finish()
  }
  const fields = ifp.fields
  out.bits(fields.length > 0 ? 1 : 0, 1)
  out.bits(1, 1) // t30-data
  writeEnumerated(out, codeOf(DATA_TYPES, ifp.dataType), ROOT_DATA_TYPES, 4, version)
  if (fields.length === 0) {
    return out.finish()
  }
  if (fields.length > MAX_UNFRAGMENTED_LENGTH) {
    throw new IfpError('bad-argument', `${fields.length} fields need a fragmented data field`)
  }
  out.lengthDeterminant(fields.length)
  for (const field of fields) {
    const data = field.data ?? new Uint8Array(0)
    if (data.length > MAX_FIELD_OCTETS) {
      throw new IfpError('bad-argument', `field-data of ${data.length} octets (at most 65535)`)
    }
    out.bits(data.length > 0 ? 1 : 0, 1)
    const type = codeOf(FIELD_TYPES, field.type)
    if (version === 0) {
      if (type >= ROOT_FIELD_TYPES) {
        throw new IfpError('not-in-version', `${field.type} needs T.38 version 1 or later`)
      }
      out.bits(type, 3)
    } else {
      writeEnumerated(out, type, ROOT_FIELD_TYPES, 3, version)
    }
    if (data.length > 0) {
      // SIZE(1..65535) is a constrained length below 64K: 16 aligned bits of (length − 1).
      out.align()
      out.bits(data.length - 1, 16)
      out.bytes(data)
    }
  }
  return out.finish()
}

/** Decodes one IFP packet, or throws an IfpError. */
export function decodeIfp(bytes: Uint8Array, version: T38Version): Ifp {
  const { ifp, length } = parse(bytes, version)
  if (length !== bytes.length) {
    throw new IfpError('trailing-octets', `IFP ends at octet ${length} of ${bytes.length}`)
  }
  return ifp
}

/**
 * The length of the IFP packet at the start of `bytes`, ignoring what follows it. UDPTL's FEC
 * recovers a lost IFP padded with zeros to the longest packet of its group; this finds its end.
 */
export function ifpLength(bytes: Uint8Array, version: T38Version): number {
  return parse(bytes, version).length
}

function parse(bytes: Uint8Array, version: T38Version): { ifp: Ifp; length: number } {
  const fail = (problem: PerProblem, message: string): never => {
    throw new IfpError(problem, `IFP: ${message}`)
  }
  const input = new PerReader(bytes, fail)
  const hasDataField = input.bits(1) === 1
  if (input.bits(1) === 0) {
    const indicator = nameAt(INDICATORS, readEnumerated(input, ROOT_INDICATORS, 4, version))
    if (hasDataField) {
      throw new IfpError('bad-structure', `IFP: indicator ${indicator} with a data field`)
    }
    return { ifp: { kind: 'indicator', indicator }, length: input.octetsUsed }
  }
  const dataType = nameAt(DATA_TYPES, readEnumerated(input, ROOT_DATA_TYPES, 4, version))
  const fields: IfpField[] = []
  if (hasDataField) {
    const count = input.lengthDeterminant()
    for (let i = 0; i < count; i++) {
      fields.push(readField(input, version))
    }
  }
  return { ifp: { kind: 'data', dataType, fields }, length: input.octetsUsed }
}

function readField(input: PerReader, version: T38Version): IfpField {
  const hasData = input.bits(1) === 1
  const type = nameAt(
    FIELD_TYPES,
    version === 0 ? input.bits(3) : readEnumerated(input, ROOT_FIELD_TYPES, 3, version),
  )
  if (!hasData) {
    return { type }
  }
  input.align()
  const length = input.bits(16) + 1
  return { type, data: input.bytes(length) }
}

/**
 * An extensible ENUMERATED in aligned PER: the extension bit, then a root value in `rootBits`,
 * or for an extension a "normally small non-negative whole number": a 0 bit and 6 bits.
 */
function writeEnumerated(
  out: PerWriter,
  code: number,
  rootCount: number,
  rootBits: number,
  version: T38Version,
): void {
  if (code < rootCount) {
    out.bits(0, 1)
    out.bits(code, rootBits)
    return
  }
  if (version === 0) {
    throw new IfpError('not-in-version', `code point ${code} needs T.38 version 1 or later`)
  }
  out.bits(1, 1)
  out.bits(0, 1)
  out.bits(code - rootCount, 6)
}

function readEnumerated(
  input: PerReader,
  rootCount: number,
  rootBits: number,
  version: T38Version,
): number {
  if (input.bits(1) === 0) {
    const code = input.bits(rootBits)
    if (code >= rootCount) {
      throw new IfpError('unknown-code', `IFP: root code point ${code} (${rootCount} defined)`)
    }
    return code
  }
  if (version === 0) {
    throw new IfpError('not-in-version', 'IFP: extension code point in a version-0 packet')
  }
  if (input.bits(1) === 1) {
    throw new IfpError('unknown-code', 'IFP: extension number of 64 or more')
  }
  return rootCount + input.bits(6)
}

function nameAt<T extends string>(names: readonly T[], code: number): T {
  const name = names[code]
  if (name === undefined) {
    throw new IfpError('unknown-code', `IFP: code point ${code} (${names.length} defined)`)
  }
  return name
}

function codeOf<T extends string>(names: readonly T[], name: T): number {
  const code = names.indexOf(name)
  if (code < 0) {
    throw new IfpError('bad-argument', `unknown name ${String(name)}`)
  }
  return code
}
