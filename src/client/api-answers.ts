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
  readonly is_canceled: boolean
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
  /** The header line its pages were sent with, the page number aside; null when none. */
  readonly header?: string | null
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
