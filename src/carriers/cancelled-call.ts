/**
 * How a modelled call ends when its signal aborts. The carrier cannot tell why (the sender
 * cancelled, or the worker is stopping); the caller that aborted knows, and decides what the
 * attempt becomes. The carrier answers what happened on the line: the call was cut off by its
 * own side, not by the network or the receiver, so the status is `failed_to_send`, not
 * `failed_normal_clearing` (a clearing the network reports); and it is not retryable, since
 * whoever aborted did so on purpose and is the one to decide on another attempt. The pages
 * confirmed before the abort stay confirmed.
 */
import type { CallResult, Negotiated } from '../domain/carrier.js'

export function cancelledCall(
  pagesConfirmed: readonly number[],
  negotiated: Negotiated | null,
  durationMs: number,
): CallResult {
  return {
    status: 'failed_to_send',
    pagesConfirmed: [...pagesConfirmed],
    durationMs,
    negotiated,
    retryable: false,
    description: 'the call was cancelled',
  }
}
