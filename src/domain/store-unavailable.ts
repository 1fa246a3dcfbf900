/**
 * The store cannot answer now: its database is unreachable or restarting, too busy, or out of
 * space, or its file store's disk is full. Storage implementations turn their drivers' errors
 * of that kind into this one error, so the API can answer 503 with Retry-After (docs/errors.md)
 * and background loops can tell an outage from a fault, without knowing any driver.
 */
export type StoreUnavailableReason =
  /** The database cannot be reached or is restarting: retry in a few seconds. */
  | 'unreachable'
  /** The database stayed locked by other writers past its wait (SQLite's busy timeout). */
  | 'busy'
  /**
   * The disk of the database or of the file store is full (or its quota used up): an operator
   * must make room; retrying later may succeed.
   */
  | 'full'

export class StoreUnavailableError extends Error {
  readonly reason: StoreUnavailableReason
  constructor(reason: StoreUnavailableReason, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'StoreUnavailableError'
    this.reason = reason
  }
}
