/**
 * The parts of the API's answers the client commands read, as docs/openapi and
 * `GET /v3/openapi.json` describe them. Written out here rather than imported from the server:
 * the client speaks to a faxd over HTTP like any other client, and may speak to an older one.
 */

export interface AccountAnswer {
  readonly uid: string
  readonly email: string
  readonly name: string
  readonly lastname: string
}

export interface NumberAnswer {
  readonly number: string
  readonly status: string
}

/** One destination of an outbox entry (getOutboxFax only; beyond Fax.Plus). */
export interface OutboxDestinationAnswer {
  readonly to: string
  readonly id: string
  readonly state: 'waiting' | 'calling'
  readonly attempts: number
  readonly pages_confirmed: readonly number[]
  readonly call: { readonly started_at: string; readonly pages_confirmed: readonly number[] } | null
  readonly next_attempt_time: string | null
}

export interface OutboxAnswer {
  readonly id: string
  readonly status: 'submitted' | 'converting' | 'scheduled_for_sending' | 'sending'
  readonly to: readonly string[]
  readonly send_time: string
  readonly page_count: number | null
  readonly ids?: Readonly<Record<string, string>>
  readonly destinations?: readonly OutboxDestinationAnswer[]
}

export interface FaxAnswer {
  readonly id: string
  readonly direction: 'outgoing' | 'incoming'
  readonly from: string
  readonly to: string
  readonly status: string
  readonly description: string
  readonly pages: number
  readonly start_time: string
  readonly last_update: string
  readonly is_read?: boolean
}

export interface AttemptAnswer {
  readonly attempt: number
  readonly started_at: string
  readonly ended_at: string
  readonly status: string
  readonly description: string
  readonly pages: readonly number[]
  readonly remote_station_id: string | null
  readonly bit_rate: number | null
}

/**
 * An instant as the API writes it: "YYYY-MM-DD HH:mm:ss" in UTC, with or without " +0000"
 * (or another offset) after it.
 */
export function parseApiTime(text: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?: ([+-])(\d{2})(\d{2}))?$/.exec(
    text,
  )
  if (!match) {
    return Number.NaN
  }
  const [year = 0, month = 1, day = 1, hours = 0, minutes = 0, seconds = 0] = match
    .slice(1, 7)
    .map(Number)
  const sign = match[7] === '-' ? -1 : 1
  const offsetMinutes =
    match[7] === undefined ? 0 : sign * (Number(match[8]) * 60 + Number(match[9]))
  return Date.UTC(year, month - 1, day, hours, minutes, seconds) - offsetMinutes * 60_000
}
