/**
 * TransmissionRepository on SQL. A call starts by flagging its delivery `calling` (which no
 * second worker can also do: the flag is set only where it was clear) and putting the entry in
 * `sending`; it ends by writing the attempt and either the next attempt's job or the fax record,
 * removing the delivery, and the entry with its last delivery.
 */
import { sql, type Kysely, type Transaction } from 'kysely'
import type { Store } from '../../domain/ports.js'
import type { PlannedDelivery } from '../../domain/webhook-delivery.js'
import type { AfterAttempt, CallAttempt, DeliveryInCall } from '../../domain/transmission.js'
import type { TransmissionRepository } from '../../domain/transmission.js'
import { toJsonText } from './column-values.js'
import { faxToRow } from './fax-rows.js'
import { newJobToRow } from './job-rows.js'
import { deliveryFromRow } from './outbox-rows.js'
import type { Database } from './schema.js'
import { appendStatusChange, readEntry } from './sql-outbox-repository.js'
import { insertPlannedDeliveries } from './sql-webhook-delivery-repository.js'
import type { TransactionRunner } from './transaction-runner.js'
import { attemptFromRow, attemptToRow, parsePageList } from './transmission-rows.js'

export class SqlTransmissionRepository implements TransmissionRepository {
  readonly #db: Kysely<Database>
  readonly #transactions: TransactionRunner
  readonly #engine: Store['engine']

  constructor(db: Kysely<Database>, transactions: TransactionRunner, engine: Store['engine']) {
    this.#db = db
    this.#transactions = transactions
    this.#engine = engine
  }

  async beginCall(
    deliveryId: string,
    atMs: number,
    options: { readonly takeOver?: boolean } = {},
  ): Promise<DeliveryInCall | 'gone' | 'destination-busy'> {
    return this.#transactions.run(async (trx) => {
      const wanted = await trx
        .selectFrom('deliveries')
        .select(['destination', 'calling', 'call_pages', 'call_started_at'])
        .where('id', '=', deliveryId)
        .executeTakeFirst()
      if (wanted === undefined) {
        return 'gone'
      }
      if (wanted.calling === 1) {
        return options.takeOver === true ? this.#interrupted(trx, deliveryId, wanted, atMs) : 'gone'
      }
      if (this.#engine === 'postgres') {
        // Two workers checking the same destination at once take turns here (SQLite has one
        // writer, so its transactions already do).
        await sql`select pg_advisory_xact_lock(hashtext(${`destination:${wanted.destination}`}))`.execute(
          trx,
        )
      }
      const other = await trx
        .selectFrom('deliveries')
        .select('id')
        .where('destination', '=', wanted.destination)
        .where('calling', '=', 1)
        .where('id', '<>', deliveryId)
        .executeTakeFirst()
      if (other !== undefined) {
        return 'destination-busy'
      }
      const taken = await trx
        .updateTable('deliveries')
        .set((eb) => ({
          calling: 1,
          attempts: eb('attempts', '+', 1),
          call_pages: '[]',
          call_started_at: atMs,
        }))
        .where('id', '=', deliveryId)
        .where('calling', '=', 0)
        .where('outbox_id', 'in', (eb) =>
          eb
            .selectFrom('outbox_entries')
            .select('id')
            .where('document_key', 'is not', null)
            .where('status', 'in', ['scheduled_for_sending', 'sending']),
        )
        .returningAll()
        .executeTakeFirst()
      if (taken === undefined) {
        return 'gone'
      }
      const entry = await readEntry(trx, taken.outbox_id)
      if (entry === null) {
        return 'gone'
      }
      if (entry.status !== 'sending') {
        await trx
          .updateTable('outbox_entries')
          .set({ status: 'sending' })
          .where('id', '=', entry.id)
          .execute()
        await appendStatusChange(trx, entry.id, { status: 'sending', atMs })
      }
      return {
        entry: (await readEntry(trx, entry.id)) ?? entry,
        delivery: deliveryFromRow(taken),
        attempt: taken.attempts,
        pagesConfirmedBefore: parsePageList(taken.pages_confirmed, 'deliveries.pages_confirmed'),
        interrupted: null,
      }
    })
  }

  /** The call a dead worker left open: answered as it stood, still calling, attempt unchanged. */
  async #interrupted(
    trx: Transaction<Database>,
    deliveryId: string,
    open: { call_pages: string; call_started_at: number | null },
    atMs: number,
  ): Promise<DeliveryInCall | 'gone'> {
    const row = await trx
      .selectFrom('deliveries')
      .selectAll()
      .where('id', '=', deliveryId)
      .executeTakeFirstOrThrow()
    const entry = await readEntry(trx, row.outbox_id)
    if (entry === null) {
      return 'gone'
    }
    return {
      entry,
      delivery: deliveryFromRow(row),
      attempt: row.attempts,
      pagesConfirmedBefore: parsePageList(row.pages_confirmed, 'deliveries.pages_confirmed'),
      interrupted: {
        startedAtMs: open.call_started_at ?? atMs,
        pagesConfirmed: parsePageList(open.call_pages, 'deliveries.call_pages'),
      },
    }
  }

  async recordProgress(deliveryId: string, pagesConfirmed: readonly number[]): Promise<void> {
    await this.#transactions.run(async (trx) => {
      await trx
        .updateTable('deliveries')
        .set({ call_pages: toJsonText(pagesConfirmed) })
        .where('id', '=', deliveryId)
        .where('calling', '=', 1)
        .execute()
    })
  }

  async endCall(
    attempt: CallAttempt,
    next: AfterAttempt,
    atMs: number,
    webhooks: readonly PlannedDelivery[] = [],
  ): Promise<void> {
    await this.#transactions.run(async (trx) => {
      await insertPlannedDeliveries(trx, this.#engine, webhooks)
      const delivery = await trx
        .selectFrom('deliveries')
        .selectAll()
        .where('id', '=', attempt.faxId)
        .executeTakeFirst()
      if (delivery === undefined) {
        throw new Error(`delivery ${attempt.faxId} ended a call it was not making`)
      }
      await trx.insertInto('fax_attempts').values(attemptToRow(attempt)).execute()
      const confirmed = [
        ...new Set([
          ...parsePageList(delivery.pages_confirmed, 'deliveries.pages_confirmed'),
          ...attempt.pagesConfirmed,
        ]),
      ].sort((a, b) => a - b)
      if (next.kind === 'retry') {
        await trx
          .updateTable('deliveries')
          .set({ calling: 0, pages_confirmed: toJsonText(confirmed), call_pages: '[]' })
          .where('id', '=', delivery.id)
          .execute()
        await trx
          .insertInto('jobs')
          .values(
            newJobToRow(
              {
                id: next.jobId,
                kind: 'send-fax',
                payload: { deliveryId: delivery.id },
                runAtMs: next.retryAtMs,
              },
              delivery.outbox_id,
              atMs,
            ),
          )
          .execute()
      } else {
        await trx.insertInto('faxes').values(faxToRow(next.record)).execute()
        await trx.deleteFrom('deliveries').where('id', '=', delivery.id).execute()
      }
      await settleEntry(trx, delivery.outbox_id, atMs)
    })
  }

  async listAttempts(faxId: string): Promise<CallAttempt[]> {
    const rows = await this.#db
      .selectFrom('fax_attempts')
      .selectAll()
      .where('fax_id', '=', faxId)
      .orderBy('attempt')
      .execute()
    return rows.map(attemptFromRow)
  }
}

/**
 * After a call: an entry with no delivery left leaves the outbox; one with no call in progress
 * is back to `scheduled_for_sending` (its retries wait in the queue).
 */
async function settleEntry(
  trx: Transaction<Database>,
  outboxId: string,
  atMs: number,
): Promise<void> {
  const left = await trx
    .selectFrom('deliveries')
    .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.max('calling').as('calling')])
    .where('outbox_id', '=', outboxId)
    .executeTakeFirst()
  if (Number(left?.count ?? 0) === 0) {
    await trx.deleteFrom('outbox_entries').where('id', '=', outboxId).execute()
    return
  }
  if (Number(left?.calling ?? 0) === 0) {
    await trx
      .updateTable('outbox_entries')
      .set({ status: 'scheduled_for_sending' })
      .where('id', '=', outboxId)
      .execute()
    await appendStatusChange(trx, outboxId, { status: 'scheduled_for_sending', atMs })
  }
}
