/**
 * The statements on an outbox entry's rows that more than one repository runs inside its own
 * transactions: reading the entry, locking it, appending to its history. The outbox repository
 * and the transmission repository both import them from here, not from each other.
 */
import { sql, type CompiledQuery, type Kysely, type Transaction } from 'kysely'
import type { OutboxEntry, StatusChange } from '../../domain/outbox-entry.js'
import { CompiledStatement, type Slots } from './compiled-statement.js'
import { outboxEntryFromRow, statusChangeFromRow, statusChangeToRow } from './outbox-rows.js'
import type { Database } from './schema.js'
import type { SqlEngine } from './sql-engine.js'

/** An entry with its status changes, read on `db` or inside the caller's transaction. */
export async function readEntry(db: Kysely<Database>, id: string): Promise<OutboxEntry | null> {
  return entryFromRows(id, await entryWithChanges.execute(db, { id }))
}

/** readEntry's statement, to run later (statement-batch.ts); entryFromRows reads its rows. */
export function entryWithChangesQuery(db: Kysely<Database>, id: string) {
  return entryWithChanges.with(db, { id })
}

type EntryWithChangesRow = Awaited<ReturnType<typeof entryWithChanges.execute>>[number]

/** The entry `id` from the rows of entryWithChangesQuery; null when there are none. */
export function entryFromRows(
  id: string,
  rows: readonly EntryWithChangesRow[],
): OutboxEntry | null {
  // One statement, not two: the entry's row once per status change (an entry has a handful),
  // which saves a round trip on PostgreSQL for every GET …/outbox/{id} and outbox action.
  const [row] = rows
  if (row === undefined) {
    return null
  }
  const changes = rows.flatMap((change) =>
    change.change_position === null || change.change_status === null || change.change_at === null
      ? []
      : [
          statusChangeFromRow({
            outbox_id: id,
            position: change.change_position,
            status: change.change_status,
            changed_at: change.change_at,
          }),
        ],
  )
  return outboxEntryFromRow(row, changes)
}

const entryWithChanges = new CompiledStatement((db, $: Slots<'id'>) =>
  db
    .selectFrom('outbox_entries')
    .leftJoin('outbox_status_changes', 'outbox_status_changes.outbox_id', 'outbox_entries.id')
    .selectAll('outbox_entries')
    .select([
      'outbox_status_changes.position as change_position',
      'outbox_status_changes.status as change_status',
      'outbox_status_changes.changed_at as change_at',
    ])
    .where('outbox_entries.id', '=', $.id)
    .orderBy('outbox_status_changes.position'),
)

/** Adds a status change after the entry's last one. */
export async function appendStatusChange(
  trx: Transaction<Database>,
  outboxId: string,
  change: StatusChange,
): Promise<void> {
  await trx.executeQuery(statusChangeAppendedQuery(trx, outboxId, change))
}

/** appendStatusChange's statement, to run later (statement-batch.ts). */
export function statusChangeAppendedQuery(
  db: Kysely<Database>,
  outboxId: string,
  change: StatusChange,
): CompiledQuery<unknown> {
  const row = statusChangeToRow(outboxId, 0, change)
  return statusChangeAppended.with(db, {
    outboxId: row.outbox_id,
    status: row.status,
    changedAt: row.changed_at,
  })
}

// One statement: the position after the entry's last change is found where the row is written.
const statusChangeAppended = new CompiledStatement(
  (db, $: Slots<'outboxId' | 'status' | 'changedAt'>) =>
    db
      .insertInto('outbox_status_changes')
      .columns(['outbox_id', 'position', 'status', 'changed_at'])
      .expression((eb) =>
        eb
          .selectFrom('outbox_status_changes')
          // Typed, for PostgreSQL: a parameter alone in a select list would be text.
          .select((inner) => [
            sql<string>`cast(${$.outboxId} as text)`.as('outbox_id'),
            sql<number>`coalesce(max(${inner.ref('position')}) + 1, 0)`.as('position'),
            sql<string>`cast(${$.status} as text)`.as('status'),
            sql<number>`cast(${$.changedAt} as bigint)`.as('changed_at'),
          ])
          .where('outbox_id', '=', $.outboxId),
      ),
)

/**
 * Reads an entry's status and, on PostgreSQL, locks its row until the transaction ends. Every
 * transaction that changes an entry's deliveries takes this lock first, so two calls of one entry
 * ending at once see each other's changes (the second finds the first's delivery gone, and
 * removes the entry with its last delivery) and a call cannot start while the entry is being
 * cancelled. SQLite's transactions are already one at a time.
 */
export async function lockEntry(
  trx: Transaction<Database>,
  engine: SqlEngine,
  id: string,
): Promise<{ status: string } | undefined> {
  const [row] = await trx
    .executeQuery(lockEntryQuery(trx, engine, id))
    .then((result) => result.rows)
  return row
}

/** lockEntry's statement, to run later (statement-batch.ts). */
export function lockEntryQuery(
  db: Kysely<Database>,
  engine: SqlEngine,
  id: string,
): CompiledQuery<{ status: string }> {
  return (engine === 'postgres' ? entryLocked : entryStatus).with(db, { id })
}

function entryStatusStatement(lock: boolean) {
  return new CompiledStatement((db, $: Slots<'id'>) =>
    db
      .selectFrom('outbox_entries')
      .select('status')
      .where('id', '=', $.id)
      .$if(lock, (q) => q.forUpdate()),
  )
}
const entryStatus = entryStatusStatement(false)
const entryLocked = entryStatusStatement(true)
