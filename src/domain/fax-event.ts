/**
 * The `data` of Fax.Plus's fax_sent and fax_received webhooks (its docs, /concepts/webhook):
 * `hook.id` is the fax id, and `data.id` the id of the fax session that the event reports, equal
 * to the fax id on the first attempt and different on a retry ("If hook.id is not equal to
 * data.id, the fax is being retried"). The numbers go out as `from`/`to` (the docs) and as
 * `from_number`/`to_number` (the SDK models), since receivers parse either.
 */
import { sha256Hex } from '../shared/secrets.js'
import type { FaxStatus } from './fax.js'
import type { WebhookEventInput } from './webhook-delivery.js'

export interface FaxSession {
  readonly faxId: string
  /** From 1: the attempt this session was. */
  readonly attempt: number
  readonly ownerUid: string
  readonly from: string
  readonly to: string
  readonly startedAtMs: number
  readonly status: FaxStatus
  /** Pages this session carried. */
  readonly pages: number
}

/** data.id: the fax id for the first session, a derived 24-hex id for each later one. */
export function sessionId(faxId: string, attempt: number): string {
  return attempt <= 1 ? faxId : sha256Hex(`session:${faxId}:${attempt}`).slice(0, 24)
}

export function faxEvent(
  event: 'fax_sent' | 'fax_received',
  session: FaxSession,
): WebhookEventInput {
  const digits = (event === 'fax_sent' ? session.to : session.from).replace(/\D/g, '')
  return {
    uid: session.ownerUid,
    event,
    hookIdForPayload: session.faxId,
    data: {
      id: sessionId(session.faxId, session.attempt),
      uid: session.ownerUid,
      pages: session.pages,
      from: session.from,
      to: session.to,
      from_number: session.from,
      to_number: session.to,
      start_time: new Date(session.startedAtMs).toISOString().slice(0, 19).replace('T', ' '),
      // getFile takes the fax id.
      file: session.faxId,
      file_name: event === 'fax_sent' ? `fax-to-${digits}` : `fax-from-${digits}`,
      status: session.status,
      cost: session.pages,
    },
  }
}
