/**
 * Choosing the DCS: the sender picks, from what the receiver's DIS offers and what it can do
 * itself, the settings of the pages to come (T.30 §5.3.6.2.3: "the DCS ... shall not select
 * any capability not indicated in the DIS").
 */
import type { Capabilities, ModemSet, Selection } from './capability-bits.js'
import { modemSetHas } from './capability-bits.js'
import { FALLBACK_SEQUENCE, type FastModem, sameModem } from './modems.js'
import {
  type Coding,
  type VerticalResolution,
  PAGE_WIDTH,
  minScanLineMsForPage,
} from './page-format.js'

/** What this station can do, the same for sending and receiving. */
export interface LocalCapabilities {
  readonly modems: ModemSet
  /** The fastest rate to use, e.g. to keep to a trunk's T38MaxBitRate. */
  readonly maxBitRate: number
  readonly codings: readonly Coding[]
  readonly resolutions: readonly VerticalResolution[]
  readonly ecm: boolean
  readonly ecmFrameSize: 256 | 64
  /** Receiving: the minimum scan-line time this station needs without ECM (0: none). */
  readonly minScanLineMs: number
}

export const DEFAULT_CAPABILITIES: LocalCapabilities = {
  modems: 'v27ter+v29+v17',
  maxBitRate: 14400,
  codings: ['mh', 'mr', 'mmr'],
  resolutions: ['standard', 'fine', 'superfine'],
  ecm: true,
  ecmFrameSize: 256,
  minScanLineMs: 0,
}

/** The rates both stations have, fastest first, in the order a sender falls back through. */
export function commonModems(local: LocalCapabilities, remote: Capabilities): FastModem[] {
  return FALLBACK_SEQUENCE.filter(
    (modem) =>
      modem.bitRate <= local.maxBitRate &&
      modemSetHas(local.modems, modem) &&
      modemSetHas(remote.modems, modem),
  )
}

/** The next slower rate both have after `current`, or null at the bottom. */
export function slowerModem(
  local: LocalCapabilities,
  remote: Capabilities,
  current: FastModem,
): FastModem | null {
  const modems = commonModems(local, remote)
  const index = modems.findIndex((modem) => sameModem(modem, current))
  return modems[index + 1] ?? null
}

const RESOLUTION_ORDER: readonly VerticalResolution[] = ['superfine', 'fine', 'standard']

/** The page resolution to send: the page's own, or the nearest lower one the receiver has. */
export function sendingResolution(
  local: LocalCapabilities,
  remote: Capabilities,
  page: VerticalResolution,
): VerticalResolution {
  const from = RESOLUTION_ORDER.indexOf(page)
  return (
    RESOLUTION_ORDER.slice(from).find(
      (r) => remote.resolutions.includes(r) && local.resolutions.includes(r),
    ) ?? 'standard'
  )
}

export type Negotiation =
  | { readonly ok: true; readonly selection: Selection }
  | { readonly ok: false; readonly reason: string }

/** The DCS for pages of `resolution` at `modem`, or why there is none. */
export function chooseSelection(
  local: LocalCapabilities,
  remote: Capabilities,
  resolution: VerticalResolution,
  modem: FastModem | null,
): Negotiation {
  if (!remote.readyToReceive) {
    return { ok: false, reason: 'the remote station is not ready to receive' }
  }
  const chosen = modem ?? commonModems(local, remote)[0]
  if (chosen === undefined) {
    return { ok: false, reason: 'no modem in common' }
  }
  const ecm = local.ecm && remote.ecm
  const coding: Coding =
    ecm && local.codings.includes('mmr') && remote.codings.includes('mmr')
      ? 'mmr'
      : local.codings.includes('mr') && remote.codings.includes('mr')
        ? 'mr'
        : 'mh'
  const sendAt = sendingResolution(local, remote, resolution)
  return {
    ok: true,
    selection: {
      modem: chosen,
      resolution: sendAt,
      coding,
      ecm,
      ecmFrame64: ecm && local.ecmFrameSize === 64,
      minScanLineMs: minScanLineMsForPage({
        coding,
        resolution: sendAt,
        ecm,
        minScanLineMs: remote.minScanLineMs,
        halfMinScanAtFine: remote.halfMinScanAtFine,
        bitRate: chosen.bitRate,
        width: PAGE_WIDTH,
      }),
    },
  }
}
