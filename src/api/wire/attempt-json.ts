/** A call attempt on the wire (GET …/faxes/{fax_id}/attempts), and the schema of the answer. */
import type { CallAttempt } from '../../domain/transmission.js'
import { formatUtc } from './time-format.js'

export interface AttemptJson {
  attempt: number
  started_at: string
  ended_at: string
  status: string
  description: string
  /** The pages this call got confirmed, numbered in the document. */
  pages: number[]
  carrier: string
  remote_station_id: string | null
  bit_rate: number | null
  coding: string | null
}

export function toAttemptJson(attempt: CallAttempt): AttemptJson {
  return {
    attempt: attempt.attempt,
    started_at: formatUtc(attempt.startedAtMs),
    ended_at: formatUtc(attempt.endedAtMs),
    status: attempt.status,
    description: attempt.description,
    pages: [...attempt.pagesConfirmed],
    carrier: attempt.carrier,
    remote_station_id: attempt.remoteStationId,
    bit_rate: attempt.bitRate,
    coding: attempt.coding,
  }
}

export const FAX_ATTEMPTS_SCHEMA = {
  type: 'object',
  required: ['records'],
  properties: {
    records: {
      type: 'array',
      items: {
        type: 'object',
        required: [
          'attempt',
          'started_at',
          'ended_at',
          'status',
          'description',
          'pages',
          'carrier',
        ],
        properties: {
          attempt: { type: 'integer', minimum: 1 },
          started_at: { type: 'string', description: 'YYYY-MM-DD HH:mm:ss (UTC)' },
          ended_at: { type: 'string', description: 'YYYY-MM-DD HH:mm:ss (UTC)' },
          status: { type: 'string', description: 'The Fax.Plus status this call ended with' },
          description: { type: 'string' },
          pages: { type: 'array', items: { type: 'integer', minimum: 1 } },
          carrier: { type: 'string', description: 'loopback, simulated, or interrupted' },
          remote_station_id: { type: 'string', nullable: true },
          bit_rate: { type: 'integer', nullable: true },
          coding: { type: 'string', nullable: true },
        },
      },
    },
  },
} as const
