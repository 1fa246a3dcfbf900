/**
 * A fax that reached a number of this server (over the loopback carrier now, over SIP later)
 * becomes an incoming fax record in the owner's inbox. Its id is derived from the sending
 * delivery, so a call delivered twice (the sender's worker died after filing, before recording
 * the call) files one fax, not two. Its `fax_received` hooks are told in a second commit: a crash
 * between the two loses that event (the record is there); to be closed with the SIP carrier's
 * inbound path.
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
      const id = inboundFaxId(fax.deliveryId)
      const record: FaxRecord = {
        id,
        ownerUid: fax.ownerUid,
        direction: 'incoming',
        from: fax.from ?? '',
        to: fax.to,
        status: 'success',
        pages: fax.pages.length,
        durationSeconds: 0,
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
        description: 'OK',
      }
      const event = faxEvent('fax_received', {
        faxId: id,
        attempt: 1,
        ownerUid: fax.ownerUid,
        from: record.from,
        to: record.to,
        startedAtMs: fax.receivedAtMs,
        status: 'success',
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

/** The incoming record's id for a sending delivery: 24 hex digits, like every fax id. */
export function inboundFaxId(deliveryId: string): string {
  return sha256Hex(`inbound:${deliveryId}`).slice(0, 24)
}
