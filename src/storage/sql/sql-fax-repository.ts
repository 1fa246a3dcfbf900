/**
 * FaxRepository on SQL: fax records in `faxes`. Lists are newest first (started_at, then id),
 * with exclusive time bounds; inbox holds incoming faxes not marked spam, sent the outgoing
 * ones, spam those marked spam. A received fax and its webhook deliveries are one commit.
 */
import type { Kysely, Updateable } from 'kysely'
import type { FaxQuery, FaxRecord } from '../../domain/fax.js'
import type { FaxRepository } from '../../domain/ports.js'
import type { PlannedDelivery } from '../../domain/webhook-delivery.js'
import { toFlag } from './column-values.js'
import { runFaxList } from './fax-queries.js'
import { faxFromRow, faxToRow } from './fax-rows.js'
import type { Database, FaxesTable } from './schema.js'
import type { SqlEngine } from './sql-engine.js'
import type { TransactionRunner } from './transaction-runner.js'
import { insertPlannedDeliveries } from './webhook-delivery-queries.js'

export class SqlFaxRepository implements FaxRepository {
  readonly #db: Kysely<Database>
  readonly #transactions: TransactionRunner
  readonly #engine: SqlEngine

  constructor(db: Kysely<Database>, transactions: TransactionRunner, engine: SqlEngine) {
    this.#db = db
    this.#transactions = transactions
    this.#engine = engine
  }

  async receive(record: FaxRecord, webhooks: readonly PlannedDelivery[]): Promise<boolean> {
    return this.#transactions.run(async (trx) => {
      const filed = await trx
        .selectFrom('faxes')
        .select('id')
        .where('id', '=', record.id)
        .executeTakeFirst()
      if (filed !== undefined) {
        return false
      }
      await trx.insertInto('faxes').values(faxToRow(record)).execute()
      await insertPlannedDeliveries(trx, this.#engine, webhooks)
      return true
    })
  }

  async add(record: FaxRecord): Promise<void> {
    await this.#db.insertInto('faxes').values(faxToRow(record)).execute()
  }

  async get(id: string): Promise<FaxRecord | null> {
    const row = await this.#db
      .selectFrom('faxes')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst()
    return row === undefined ? null : faxFromRow(row)
  }

  async list(query: FaxQuery): Promise<FaxRecord[]> {
    const rows = await runFaxList(this.#db, query)
    return rows.map(faxFromRow)
  }

  async update(
    id: string,
    changes: { comment?: string; isRead?: boolean },
    atMs: number,
  ): Promise<void> {
    const row: Updateable<FaxesTable> = {
      comment: changes.comment,
      is_read: changes.isRead === undefined ? undefined : toFlag(changes.isRead),
      updated_at: atMs,
    }
    await this.#db.updateTable('faxes').set(row).where('id', '=', id).execute()
  }

  async delete(id: string): Promise<void> {
    await this.#db.deleteFrom('faxes').where('id', '=', id).execute()
  }
}
