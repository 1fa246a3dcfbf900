/**
 * A fax that reached a number of this server (over the loopback carrier now, from a SIP trunk
 * next) becomes an incoming fax record in the owner's inbox, with the status, duration and pages
 * of the call as it was received: `success`, or `partially_received` when the call ended before
 * the sender's last page (the pages that came are kept). Its id is derived from the call's key,
 * so a call delivered twice (the sender's worker died after filing, before recording the call)
 * files one fax, not two. The record and the deliveries of its `fax_received` hooks are written
 * in one transaction (FaxRepository.receive): the event is queued if and only if the fax is
 * filed, and a duplicate queues nothing.
 *
 * The record has no field for the sending fax's identity (its TSI), nor does Fax.Plus's Fax
 * (`header` is the header line of sent faxes); it goes into the description, after the call's
 * own sentence.
 */
import type { FaxRecord } from '../domain/fax.js'
import { faxEvent } from '../domain/fax-event.js'
import { planWebhookDeliveries } from '../domain/webhook-delivery.js'
import type { InboundFax, InboundFaxes } from '../domain/inbound-fax.js'
import { sha256Hex } from '../shared/secrets.js'
import type { Services } from './context.js'

export function inboundFaxes(services: Pick<Services, 'store'>): InboundFaxes {
  return {
    receive: async (fax: InboundFax): Promise<void> => {
      const record = inboundFaxRecord(fax)
      const event = faxEvent('fax_received', {
        faxId: record.id,
        attempt: 1,
        ownerUid: fax.ownerUid,
        from: record.from,
        to: record.to,
        startedAtMs: record.startedAtMs,
        status: record.status,
        pages: record.pages,
      })
      const hooks = await services.store.webhooks.list(fax.ownerUid, 'fax_received')
      await services.store.faxes.receive(
        record,
        planWebhookDeliveries(hooks, event, fax.receivedAtMs),
      )
    },
  }
}

/** The incoming fax record of a received call. */
export function inboundFaxRecord(fax: InboundFax): FaxRecord {
  return {
    id: inboundFaxId(fax.callKey),
    ownerUid: fax.ownerUid,
    direction: 'incoming',
    from: fax.from ?? '',
    to: fax.to,
    status: fax.status,
    pages: fax.pages.length,
    // Whole seconds, rounded as outgoing records round theirs (outgoing-fax-record.ts).
    durationSeconds: Math.round(fax.durationMs / 1000),
    comment: '',
    isRead: false,
    isSpam: false,
    startedAtMs: fax.receivedAtMs,
    submittedAtMs: null,
    updatedAtMs: fax.receivedAtMs,
    maxRetry: null,
    retryDelaySeconds: null,
    // The pages as the receiving machine stored them.
    documentKey: fax.documentKey,
    description:
      fax.remoteStationId === ''
        ? fax.description
        : `${fax.description} (the sending fax identified itself as "${fax.remoteStationId}")`,
    // What the sender printed at the top of each page is in the pages, not known as text.
    header: null,
  }
}

/**
 * The incoming record's id for a call: 24 hex digits, like every fax id. For a loopback call the
 * key is the sending delivery's id, as it always was, so records filed before keep their ids.
 */
export function inboundFaxId(callKey: string): string {
  return sha256Hex(`inbound:${callKey}`).slice(0, 24)
}
