/**
 * What a T.30 call's result means for the fax record: the Carrier port's CallResult, with the
 * pages numbered as in the document, the Fax.Plus status and whether another attempt may fare
 * better. Shared by every carrier that runs our T.30 engine (loopback now, SIP next).
 */
import type { CallResult, Negotiated } from '../domain/carrier.js'
import type { FaxStatus } from '../domain/fax.js'
import type { CompletionCode } from '../telephony/t30/completion-code.js'
import type { T30Negotiated, T30Result } from '../telephony/t30/t30-engine.js'

/** The Carrier port's account of what two machines agreed on. */
export function negotiatedOf(negotiated: T30Negotiated): Negotiated {
  return {
    remoteStationId: negotiated.remoteId,
    bitRate: negotiated.selection.modem.bitRate,
    coding: negotiated.selection.coding,
    ecm: negotiated.selection.ecm,
    resolution: negotiated.selection.resolution,
  }
}

/**
 * Completion codes after which the same call may go through another time: the line or the far
 * machine faltered. The others are settled by the machines themselves (incompatible settings, a
 * receiver that keeps refusing pages) and fail the same way again.
 */
const RETRYABLE: ReadonlySet<CompletionCode> = new Set<CompletionCode>([
  'tx-no-dis',
  'tx-no-response',
  'tx-cannot-train',
  'tx-ecm-block-failed',
  'remote-disconnected',
  'call-dropped',
  'protocol-error',
])

/**
 * The CallResult of a sending T.30 call. `pages` maps the engine's page indexes to the
 * document's page numbers (an attempt may carry only some pages).
 */
export function callResultOf(
  result: T30Result,
  pages: readonly number[],
  durationMs: number,
): CallResult {
  const pagesConfirmed = result.pagesConfirmed.map((index) => pages[index]!)
  const status: FaxStatus =
    result.code === 'ok'
      ? 'success'
      : pagesConfirmed.length > 0
        ? 'partially_sent'
        : 'failed_to_send'
  return {
    status,
    pagesConfirmed,
    durationMs,
    negotiated: result.negotiated === null ? null : negotiatedOf(result.negotiated),
    retryable: result.code !== 'ok' && RETRYABLE.has(result.code),
    description: result.description,
  }
}
