/**
 * OutboxRepository on SQL. An entry lives in `outbox_entries`, its history in
 * `outbox_status_changes`, one row per destination in `deliveries`, and its render job in
 * `jobs`; the child rows reference the entry with ON DELETE CASCADE, so deleting the entry row
 * removes them all in the same statement.
 */
import type { Kysely, Transaction } from 'kysely'
import type { FaxRecord } from '../../domain/fax.js'
import type { ListPlace } from '../../domain/list-place.js'
import type { Delivery, OutboxEntry, StatusChange } from '../../domain/outbox-entry.js'
import type {
  AttemptedDelivery,
  NewJob,
  OutboxChange,
  OutboxDeletion,
  OutboxRepository,
  RecordsOfCancelled,
  RenderedPages,
} from '../../domain/ports.js'
import { newId24 } from '../../shared/ids.js'
import { faxToRow } from './fax-rows.js'
import { insertRows } from './insert-rows.js'
import { newJobToRow, sendFaxJobRow } from './job-rows.js'
import { appendStatusChange, lockEntry, readEntry } from './outbox-queries.js'
import {
  deliveryFromRow,
  deliveryToRow,
  outboxEntryFromRow,
  outboxEntryToRow,
  statusChangeFromRow,
  statusChangeToRow,
} from './outbox-rows.js'
import type { Database } from './schema.js'
import type { SqlEngine } from './sql-engine.js'
import { endJobsOf } from './job-queries.js'
import type { TransactionRunner } from './transaction-runner.js'
import { attemptFromRow, parsePageList } from './transmission-rows.js'

export class SqlOutboxRepository implements OutboxRepository {
  readonly #db: Kysely<Database>
  readonly #transactions: TransactionRunner
  readonly #engine: SqlEngine

  constructor(db: Kysely<Database>, transactions: TransactionRunner, engine: SqlEngine) {
    this.#engine = engine
    this.#db = db
    this.#transactions = transactions
  }

  async create(entry: OutboxEntry, deliveries: readonly Delivery[], job: NewJob): Promise<void> {
    await this.#transactions.run(async (trx) => {
      await insertRows(trx, 'outbox_entries', [outboxEntryToRow(entry)])
      await insertStatusChanges(trx, entry.id, entry.statusChanges)
      await insertRows(
        trx,
        'deliveries',
        deliveries.map((delivery, position) => deliveryToRow(delivery, position)),
      )
      await insertRows(trx, 'jobs', [newJobToRow(job, entry.id, entry.submittedAtMs)])
    })
  }

  async get(id: string): Promise<OutboxEntry | null> {
    return readEntry(this.#db, id)
  }

  /**
   * Keyset paging on (uid, submitted_at, id), the index outbox_entries_uid_submitted_at_idx: the
   * page starts where the last one ended however many entries come before it, and one row past
   * the limit says whether more follow. Status changes are read for the page's entries only.
   */
  async listByUser(
    uid: string,
    page: { readonly limit: number; readonly after: ListPlace | null },
  ): Promise<{ entries: OutboxEntry[]; more: boolean }> {
    const { after } = page
    const found = await this.#db
      .selectFrom('outbox_entries')
      .selectAll()
      .where('uid', '=', uid)
      .$if(after !== null, (qb) =>
        qb.where((eb) =>
          eb.or([
            eb('submitted_at', '>', after?.atMs ?? 0),
            eb.and([eb('submitted_at', '=', after?.atMs ?? 0), eb('id', '>', after?.id ?? '')]),
          ]),
        ),
      )
      .orderBy('submitted_at')
      .orderBy('id')
      .limit(page.limit + 1)
      .execute()
    const rows = found.slice(0, page.limit)
    const changes =
      rows.length === 0
        ? []
        : await this.#db
            .selectFrom('outbox_status_changes')
            .selectAll()
            .where(
              'outbox_id',
              'in',
              rows.map((row) => row.id),
            )
            .orderBy('outbox_id')
            .orderBy('position')
            .execute()
    const changesByEntry = new Map<string, StatusChange[]>()
    for (const change of changes) {
      const list = changesByEntry.get(change.outbox_id) ?? []
      list.push(statusChangeFromRow(change))
      changesByEntry.set(change.outbox_id, list)
    }
    return {
      entries: rows.map((row) => outboxEntryFromRow(row, changesByEntry.get(row.id) ?? [])),
      more: found.length > page.limit,
    }
  }

  async listDeliveries(outboxId: string): Promise<Delivery[]> {
    const rows = await this.#db
      .selectFrom('deliveries')
      .selectAll()
      .where('outbox_id', '=', outboxId)
      .orderBy('position')
      .execute()
    return rows.map(deliveryFromRow)
  }

  async updateComment(id: string, text: string): Promise<OutboxChange> {
    return this.#transactions.run(async (trx) => {
      const changed = await trx
        .updateTable('outbox_entries')
        .set({ comment_text: text })
        .where('id', '=', id)
        .where('status', '<>', 'sending')
        .executeTakeFirst()
      return changed.numUpdatedRows === 1n ? 'changed' : whyNot(trx, id)
    })
  }

  /**
   * The entry's row is locked first (PostgreSQL; SQLite's writer is already alone), so that no
   * call can start or end while its deliveries are read: the records `recordsOf` makes of the
   * deliveries that have had attempts are written in the commit that removes the entry.
   */
  async delete(id: string, recordsOf: RecordsOfCancelled): Promise<OutboxDeletion> {
    return this.#transactions.run(async (trx) => {
      const locked = await lockEntry(trx, this.#engine, id)
      if (locked === undefined) {
        return 'not_found'
      }
      if (locked.status === 'sending') {
        return 'sending'
      }
      const attempted = await attemptedDeliveries(trx, id)
      const entry = attempted.length === 0 ? null : await readEntry(trx, id)
      const records = entry === null ? [] : recordsOf(entry, attempted)
      await endJobsOf(trx, id)
      await trx.deleteFrom('outbox_entries').where('id', '=', id).execute()
      await insertRows(trx, 'faxes', records.map(faxToRow))
      return 'deleted'
    })
  }

  async beginConverting(id: string, atMs: number): Promise<OutboxEntry | null> {
    return this.#transactions.run(async (trx) => {
      const row = await trx
        .selectFrom('outbox_entries')
        .select('status')
        .where('id', '=', id)
        .executeTakeFirst()
      if (row === undefined || row.status === 'sending') {
        return null
      }
      if (row.status !== 'converting') {
        await trx
          .updateTable('outbox_entries')
          .set({ status: 'converting' })
          .where('id', '=', id)
          .execute()
        await appendStatusChange(trx, id, { status: 'converting', atMs })
      }
      return readEntry(trx, id)
    })
  }

  async finishConverting(id: string, pages: RenderedPages, atMs: number): Promise<boolean> {
    return this.#transactions.run(async (trx) => {
      const changed = await trx
        .updateTable('outbox_entries')
        .set({
          status: 'scheduled_for_sending',
          page_count: pages.pageCount,
          document_key: pages.documentKey,
        })
        .where('id', '=', id)
        .where('status', '=', 'converting')
        .executeTakeFirst()
      if (changed.numUpdatedRows !== 1n) {
        return false
      }
      await appendStatusChange(trx, id, { status: 'scheduled_for_sending', atMs })
      // One send-fax job per destination, due at the entry's send time.
      const entry = await trx
        .selectFrom('outbox_entries')
        .select('send_at')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
      const deliveries = await trx
        .selectFrom('deliveries')
        .select('id')
        .where('outbox_id', '=', id)
        .orderBy('position')
        .execute()
      const jobs = deliveries.map((delivery) =>
        sendFaxJobRow(
          { id: newId24(), deliveryId: delivery.id, runAtMs: Math.max(entry.send_at, atMs) },
          id,
          atMs,
        ),
      )
      await insertRows(trx, 'jobs', jobs)
      return true
    })
  }

  async failConverting(id: string, records: readonly FaxRecord[]): Promise<boolean> {
    return this.#transactions.run(async (trx) => {
      const locked = await lockEntry(trx, this.#engine, id)
      if (locked === undefined || locked.status === 'sending') {
        return false
      }
      await endJobsOf(trx, id)
      await trx.deleteFrom('outbox_entries').where('id', '=', id).execute()
      await insertRows(trx, 'faxes', records.map(faxToRow))
      return true
    })
  }
}

/** The deliveries of an entry that have had attempts, with the attempts that have ended. */
async function attemptedDeliveries(
  trx: Transaction<Database>,
  outboxId: string,
): Promise<AttemptedDelivery[]> {
  const rows = await trx
    .selectFrom('deliveries')
    .selectAll()
    .where('outbox_id', '=', outboxId)
    .where('attempts', '>', 0)
    .orderBy('position')
    .execute()
  const attempted: AttemptedDelivery[] = []
  for (const row of rows) {
    const attempts = await trx
      .selectFrom('fax_attempts')
      .selectAll()
      .where('fax_id', '=', row.id)
      .orderBy('attempt')
      .execute()
    attempted.push({
      delivery: deliveryFromRow(row),
      attempts: attempts.map(attemptFromRow),
      pagesConfirmed: parsePageList(row.pages_confirmed, 'deliveries.pages_confirmed').length,
    })
  }
  return attempted
}

async function whyNot(trx: Transaction<Database>, id: string): Promise<'not_found' | 'sending'> {
  const left = await trx
    .selectFrom('outbox_entries')
    .select('status')
    .where('id', '=', id)
    .executeTakeFirst()
  return left === undefined ? 'not_found' : 'sending'
}

async function insertStatusChanges(
  trx: Transaction<Database>,
  outboxId: string,
  changes: readonly StatusChange[],
): Promise<void> {
  if (changes.length === 0) {
    return
  }
  await insertRows(
    trx,
    'outbox_status_changes',
    changes.map((change, position) => statusChangeToRow(outboxId, position, change)),
  )
}
