/**
 * OutboxRepository on SQL. An entry lives in `outbox_entries`, its history in
 * `outbox_status_changes`, one row per destination in `deliveries`, and its render job in
 * `jobs`; the child rows reference the entry with ON DELETE CASCADE, so deleting the entry row
 * removes them all in the same statement.
 */
import type { Kysely, Transaction } from 'kysely'
import type { Delivery, OutboxEntry, StatusChange } from '../../domain/outbox-entry.js'
import type { FaxRecord } from '../../domain/fax.js'
import type {
  NewJob,
  OutboxChange,
  OutboxDeletion,
  OutboxRepository,
  RenderedPages,
  Store,
} from '../../domain/ports.js'
import { outgoingFaxRecord } from '../../domain/outgoing-fax-record.js'
import { faxToRow } from './fax-rows.js'
import { attemptFromRow, parsePageList } from './transmission-rows.js'
import { newJobToRow } from './job-rows.js'
import { detachJobsInHand } from './sql-job-queue.js'
import { newId24 } from '../../shared/ids.js'
import {
  deliveryFromRow,
  deliveryToRow,
  outboxEntryFromRow,
  outboxEntryToRow,
  statusChangeFromRow,
  statusChangeToRow,
} from './outbox-rows.js'
import type { Database } from './schema.js'
import type { TransactionRunner } from './transaction-runner.js'

/**
 * Rows per multi-row INSERT. A delivery row has 5 columns, so 500 rows bind 2,500 parameters:
 * far below PostgreSQL's 65,535 and SQLite's 32,766 per statement.
 */
const ROWS_PER_INSERT = 500

export class SqlOutboxRepository implements OutboxRepository {
  readonly #db: Kysely<Database>
  readonly #transactions: TransactionRunner
  readonly #engine: Store['engine']

  constructor(db: Kysely<Database>, transactions: TransactionRunner, engine: Store['engine']) {
    this.#engine = engine
    this.#db = db
    this.#transactions = transactions
  }

  async create(entry: OutboxEntry, deliveries: readonly Delivery[], job: NewJob): Promise<void> {
    await this.#transactions.run(async (trx) => {
      await trx.insertInto('outbox_entries').values(outboxEntryToRow(entry)).execute()
      await insertStatusChanges(trx, entry.id, entry.statusChanges)
      const deliveryRows = deliveries.map((delivery, position) => deliveryToRow(delivery, position))
      for (let start = 0; start < deliveryRows.length; start += ROWS_PER_INSERT) {
        await trx
          .insertInto('deliveries')
          .values(deliveryRows.slice(start, start + ROWS_PER_INSERT))
          .execute()
      }
      await trx
        .insertInto('jobs')
        .values(newJobToRow(job, entry.id, entry.submittedAtMs))
        .execute()
    })
  }

  async get(id: string): Promise<OutboxEntry | null> {
    const row = await this.#db
      .selectFrom('outbox_entries')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst()
    if (row === undefined) {
      return null
    }
    const changes = await this.#db
      .selectFrom('outbox_status_changes')
      .selectAll()
      .where('outbox_id', '=', id)
      .orderBy('position')
      .execute()
    return outboxEntryFromRow(row, changes.map(statusChangeFromRow))
  }

  async listByUser(uid: string): Promise<OutboxEntry[]> {
    const rows = await this.#db
      .selectFrom('outbox_entries')
      .selectAll()
      .where('uid', '=', uid)
      .orderBy('submitted_at')
      .orderBy('id')
      .execute()
    const changes = await this.#db
      .selectFrom('outbox_status_changes')
      .selectAll()
      .where('outbox_id', 'in', (qb) =>
        qb.selectFrom('outbox_entries').select('id').where('uid', '=', uid),
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
    return rows.map((row) => outboxEntryFromRow(row, changesByEntry.get(row.id) ?? []))
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
   * call can start or end while its deliveries are read: a delivery that has had attempts becomes
   * its fax record (the calls were made), written in the commit that removes the entry.
   */
  async delete(id: string, atMs: number): Promise<OutboxDeletion> {
    return this.#transactions.run(async (trx) => {
      const locked = await lockEntry(trx, this.#engine, id)
      if (locked === undefined) {
        return 'not_found'
      }
      if (locked.status === 'sending') {
        return 'sending'
      }
      const records = await recordsOfAttempted(trx, id, atMs)
      await trx.deleteFrom('outbox_entries').where('id', '=', id).execute()
      for (let start = 0; start < records.length; start += ROWS_PER_INSERT) {
        await trx
          .insertInto('faxes')
          .values(records.slice(start, start + ROWS_PER_INSERT).map(faxToRow))
          .execute()
      }
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
        newJobToRow(
          {
            id: newId24(),
            kind: 'send-fax',
            payload: { deliveryId: delivery.id },
            runAtMs: Math.max(entry.send_at, atMs),
          },
          id,
          atMs,
        ),
      )
      for (let start = 0; start < jobs.length; start += ROWS_PER_INSERT) {
        await trx
          .insertInto('jobs')
          .values(jobs.slice(start, start + ROWS_PER_INSERT))
          .execute()
      }
      return true
    })
  }

  async failConverting(id: string, records: readonly FaxRecord[]): Promise<boolean> {
    return this.#transactions.run(async (trx) => {
      await detachJobsInHand(trx, id)
      const removed = await trx
        .deleteFrom('outbox_entries')
        .where('id', '=', id)
        .where('status', '<>', 'sending')
        .executeTakeFirst()
      if (removed.numDeletedRows !== 1n) {
        return false
      }
      for (let start = 0; start < records.length; start += ROWS_PER_INSERT) {
        await trx
          .insertInto('faxes')
          .values(records.slice(start, start + ROWS_PER_INSERT).map(faxToRow))
          .execute()
      }
      return true
    })
  }
}

export async function readEntry(
  trx: Transaction<Database>,
  id: string,
): Promise<OutboxEntry | null> {
  const row = await trx
    .selectFrom('outbox_entries')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst()
  if (row === undefined) {
    return null
  }
  const changes = await trx
    .selectFrom('outbox_status_changes')
    .selectAll()
    .where('outbox_id', '=', id)
    .orderBy('position')
    .execute()
  return outboxEntryFromRow(row, changes.map(statusChangeFromRow))
}

export async function appendStatusChange(
  trx: Transaction<Database>,
  outboxId: string,
  change: StatusChange,
): Promise<void> {
  const last = await trx
    .selectFrom('outbox_status_changes')
    .select((eb) => eb.fn.max('position').as('position'))
    .where('outbox_id', '=', outboxId)
    .executeTakeFirst()
  const position =
    last?.position === null || last?.position === undefined ? 0 : Number(last.position) + 1
  await trx
    .insertInto('outbox_status_changes')
    .values(statusChangeToRow(outboxId, position, change))
    .execute()
}

/** After a conditional change touched nothing: was the entry missing, or sending? */
/**
 * Reads an entry's status and, on PostgreSQL, locks its row until the transaction ends. Every
 * transaction that changes an entry's deliveries takes this lock first, so two calls of one entry
 * ending at once see each other's changes (the second finds the first's delivery gone, and
 * removes the entry with its last delivery) and a call cannot start while the entry is being
 * cancelled. SQLite's transactions are already one at a time.
 */
export async function lockEntry(
  trx: Transaction<Database>,
  engine: Store['engine'],
  id: string,
): Promise<{ status: string } | undefined> {
  return trx
    .selectFrom('outbox_entries')
    .select('status')
    .where('id', '=', id)
    .$if(engine === 'postgres', (q) => q.forUpdate())
    .executeTakeFirst()
}

/** The fax records of an entry's deliveries that have had attempts, as it is cancelled. */
async function recordsOfAttempted(
  trx: Transaction<Database>,
  outboxId: string,
  atMs: number,
): Promise<FaxRecord[]> {
  const attempted = await trx
    .selectFrom('deliveries')
    .selectAll()
    .where('outbox_id', '=', outboxId)
    .where('attempts', '>', 0)
    .orderBy('position')
    .execute()
  const entry = attempted.length === 0 ? null : await readEntry(trx, outboxId)
  if (entry === null) {
    return []
  }
  const records: FaxRecord[] = []
  for (const row of attempted) {
    const attempts = (
      await trx
        .selectFrom('fax_attempts')
        .selectAll()
        .where('fax_id', '=', row.id)
        .orderBy('attempt')
        .execute()
    ).map(attemptFromRow)
    const count = attempts.length
    const last = attempts[count - 1]
    if (last === undefined) {
      continue // Counted, but its call never ended: nothing was recorded to keep.
    }
    records.push(
      outgoingFaxRecord({
        entry,
        delivery: deliveryFromRow(row),
        attempts,
        pagesConfirmed: parsePageList(row.pages_confirmed, 'deliveries.pages_confirmed').length,
        allSent: false,
        description: `cancelled by the sender after ${count} attempt${count === 1 ? '' : 's'}; the last: ${last.description}`,
        endedAtMs: atMs,
      }),
    )
  }
  return records
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
  await trx
    .insertInto('outbox_status_changes')
    .values(changes.map((change, position) => statusChangeToRow(outboxId, position, change)))
    .execute()
}
