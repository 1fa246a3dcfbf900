/** A call attempt on the wire (GET …/faxes/{fax_id}/attempts), and the schema of the answer. */
import type { CallAttempt } from '../../domain/transmission.js'
import { formatUtc } from '../../shared/api-time.js'

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
  ecm: boolean | null
  resolution: string | null
  header: string | null
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
    ecm: attempt.ecm,
    resolution: attempt.resolution,
    header: attempt.header,
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
          remote_station_id: {
            type: 'string',
            nullable: true,
            description: "The remote station's identity (T.30 CSI); null when not connected",
          },
          bit_rate: {
            type: 'integer',
            nullable: true,
            description: 'The rate the pages went at, bit/s (e.g. 14400)',
          },
          coding: { type: 'string', nullable: true, description: 'mh, mr or mmr' },
          ecm: {
            type: 'boolean',
            nullable: true,
            description: 'Whether error correction (T.30 Annex A) was on',
          },
          resolution: {
            type: 'string',
            nullable: true,
            description: 'standard, fine or superfine; null when the carrier did not say',
          },
          header: {
            type: 'string',
            nullable: true,
            description:
              "The header line across the top of this call's pages, the page number aside; " +
              'null when they had none',
          },
        },
      },
    },
  },
} as const
