/**
 * TransmissionRepository on SQL. A call starts by flagging its delivery `calling` (which no
 * second worker can also do: the flag is set only where it was clear) and putting the entry in
 * `sending`; it ends by writing the attempt and either the next attempt's job or the fax record,
 * removing the delivery, and the entry with its last delivery.
 *
 * The fence (deliveries.call_fence, migration 0008) goes up each time a worker gets the call, a
 * take-over included; progress (what the call negotiated, the pages confirmed) and the end are
 * written only where it still has the value the writer was handed. On PostgreSQL endCall locks
 * the delivery row before checking it, so a take-over and a stale end cannot both pass:
 * whichever comes second sees the other's write.
 */
import { sql, type Kysely, type Transaction } from 'kysely'
import type { Negotiated } from '../../domain/carrier.js'
import type { SqlEngine } from './sql-engine.js'
import type { PlannedDelivery } from '../../domain/webhook-delivery.js'
import { lineKey } from '../../domain/transmission.js'
import type { AfterAttempt, CallAttempt, CallLimits, HeldJob } from '../../domain/transmission.js'
import type { DeliveryInCall, DeliveryProgress, LineBusy } from '../../domain/transmission.js'
import type { TransmissionRepository } from '../../domain/transmission.js'
import { CallNotHeldError } from '../../domain/transmission.js'
import { toJsonText } from './column-values.js'
import { faxToRow } from './fax-rows.js'
import { sendFaxJobRow } from './job-rows.js'
import { completeJob, endJobsOf, wakeFirstWaitingFor } from './job-queries.js'
import { deliveryFromRow } from './outbox-rows.js'
import { CompiledStatement, type Slots } from './compiled-statement.js'
import type { Database } from './schema.js'
import { appendStatusChange, lockEntry, readEntry } from './outbox-queries.js'
import { insertPlannedDeliveries } from './webhook-delivery-queries.js'
import { insertRows } from './insert-rows.js'
import type { TransactionRunner } from './transaction-runner.js'
import {
  attemptFromRow,
  attemptToRow,
  negotiatedFromText,
  negotiatedToText,
  parsePageList,
} from './transmission-rows.js'

export class SqlTransmissionRepository implements TransmissionRepository {
  readonly #db: Kysely<Database>
  readonly #transactions: TransactionRunner
  readonly #engine: SqlEngine

  constructor(db: Kysely<Database>, transactions: TransactionRunner, engine: SqlEngine) {
    this.#db = db
    this.#transactions = transactions
    this.#engine = engine
  }

  async beginCall(
    deliveryId: string,
    atMs: number,
    options: { readonly takeOver?: boolean; readonly limits: CallLimits },
  ): Promise<DeliveryInCall | 'gone' | LineBusy> {
    return this.#transactions.run(async (trx) => {
      const wanted = await trx
        .selectFrom('deliveries')
        .select([
          'outbox_id',
          'destination',
          'from_number',
          'calling',
          'call_pages',
          'call_started_at',
          'call_negotiated',
        ])
        .where('id', '=', deliveryId)
        .executeTakeFirst()
      if (wanted === undefined) {
        return 'gone'
      }
      if (wanted.calling === 1) {
        return options.takeOver === true ? this.#interrupted(trx, deliveryId, wanted, atMs) : 'gone'
      }
      const busy = await this.#lineBusy(trx, deliveryId, wanted, options.limits)
      if (busy !== null) {
        return busy
      }
      // After the line locks: every transaction that takes both takes them in this order.
      await lockEntry(trx, this.#engine, wanted.outbox_id)
      const taken = await trx
        .updateTable('deliveries')
        .set((eb) => ({
          calling: 1,
          attempts: eb('attempts', '+', 1),
          call_pages: '[]',
          call_started_at: atMs,
          call_negotiated: null,
          call_fence: eb('call_fence', '+', 1),
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
      const read = await readEntry(trx, taken.outbox_id)
      if (read === null) {
        return 'gone'
      }
      let entry = read
      if (read.status !== 'sending') {
        const change = { status: 'sending', atMs } as const
        await entryStatusSet.execute(trx, { outboxId: read.id, status: 'sending' })
        await appendStatusChange(trx, read.id, change)
        // As a read after these writes would answer it, without the round trip.
        entry = { ...read, status: 'sending', statusChanges: [...read.statusChanges, change] }
      }
      return {
        entry,
        delivery: deliveryFromRow(taken),
        attempt: taken.attempts,
        pagesConfirmedBefore: parsePageList(taken.pages_confirmed, 'deliveries.pages_confirmed'),
        restarts: taken.restarts,
        resumes: taken.resume === 1,
        interrupted: null,
        fence: taken.call_fence,
      }
    })
  }

  /**
   * Whether the destination or the sending number already has as many calls in progress as the
   * limits allow. On PostgreSQL two workers checking the same line take turns: a transaction
   * lock per line, both taken in one statement before the count (in the order listed, which
   * every transaction follows), and both lines counted in the next; SQLite has one writer, so
   * its transactions already do.
   *
   * The lines come first, before the entry's lock and its status change, though calls on a busy
   * line then wait through those statements too. Taken last instead (the entry's writes first,
   * then the locks, then the flag with the counts in it), the 8-worker case of bench:scale on two
   * cores did not deliver more: the waits moved from the lock's queue to the CPU's, and CPU time
   * per delivery and the claim's p99 latency went up (docs/benchmarks.md, "Workers that scale").
   */
  async #lineBusy(
    trx: Transaction<Database>,
    deliveryId: string,
    wanted: { destination: string; from_number: string | null },
    limits: CallLimits,
  ): Promise<LineBusy | null> {
    const lines = [
      {
        kind: 'destination',
        column: 'destination',
        value: wanted.destination,
        limit: limits.perDestination,
      },
      {
        kind: 'sending-number',
        column: 'from_number',
        value: wanted.from_number,
        limit: limits.perSendingNumber,
      },
    ] as const
    // no_number: no line of ours to count.
    const counted = lines.flatMap((line) =>
      line.value === null
        ? []
        : [{ ...line, value: line.value, key: lineKey(line.kind, line.value) }],
    )
    if (this.#engine === 'postgres') {
      const locks = counted.map((line) => sql`pg_advisory_xact_lock(hashtext(${line.key}))`)
      await sql`select ${sql.join(locks)}`.execute(trx)
    }
    // After the locks, in a statement of its own: its snapshot sees every call they waited for.
    const counts = await trx
      .selectNoFrom(() =>
        counted.map((line, index) =>
          callsOnLineQuery(trx, line.column, line.value, deliveryId).as(`line_${index}`),
        ),
      )
      .executeTakeFirstOrThrow()
    const row = counts as Record<string, number | string | null>
    const busy = counted.find((line, index) => Number(row[`line_${index}`] ?? 0) >= line.limit)
    return busy === undefined ? null : { lineBusy: busy.kind, line: busy.key }
  }

  /**
   * The call a dead worker left open: answered as it stood, still calling, attempt unchanged,
   * under a new fence, so that the worker that left it (if it is alive after all) can no longer
   * end it. 'gone' when that worker ended it meanwhile.
   */
  async #interrupted(
    trx: Transaction<Database>,
    deliveryId: string,
    open: { call_pages: string; call_started_at: number | null; call_negotiated: string | null },
    atMs: number,
  ): Promise<DeliveryInCall | 'gone'> {
    const row = await trx
      .updateTable('deliveries')
      .set((eb) => ({ call_fence: eb('call_fence', '+', 1) }))
      .where('id', '=', deliveryId)
      .where('calling', '=', 1)
      .returningAll()
      .executeTakeFirst()
    if (row === undefined) {
      return 'gone'
    }
    const entry = await readEntry(trx, row.outbox_id)
    if (entry === null) {
      return 'gone'
    }
    return {
      entry,
      delivery: deliveryFromRow(row),
      attempt: row.attempts,
      pagesConfirmedBefore: parsePageList(row.pages_confirmed, 'deliveries.pages_confirmed'),
      restarts: row.restarts,
      resumes: row.resume === 1,
      interrupted: {
        startedAtMs: open.call_started_at ?? atMs,
        negotiated: negotiatedFromText(open.call_negotiated),
        pagesConfirmed: parsePageList(open.call_pages, 'deliveries.call_pages'),
      },
      fence: row.call_fence,
    }
  }

  async recordProgress(
    deliveryId: string,
    pagesConfirmed: readonly number[],
    fence?: number,
    negotiated?: Negotiated,
  ): Promise<void> {
    await this.#transactions.runStatement(async (trx) => {
      await trx
        .updateTable('deliveries')
        .set({
          call_pages: toJsonText(pagesConfirmed),
          ...(negotiated === undefined ? {} : { call_negotiated: negotiatedToText(negotiated) }),
        })
        .where('id', '=', deliveryId)
        .where('calling', '=', 1)
        .$if(fence !== undefined, (q) => q.where('call_fence', '=', fence ?? 0))
        .execute()
    })
  }

  async endCall(
    attempt: CallAttempt,
    next: AfterAttempt,
    atMs: number,
    options: {
      readonly webhooks?: readonly PlannedDelivery[]
      readonly fence?: number
      readonly job?: HeldJob
    } = {},
  ): Promise<void> {
    const { webhooks = [], fence, job } = options
    await this.#transactions.run(async (trx) => {
      // The entry first, then the delivery: the order of every transaction that takes both. One
      // statement finds the delivery's entry and locks it (nothing, when the delivery is gone).
      const postgres = this.#engine === 'postgres'
      await (postgres ? entryOfDeliveryLocked : entryOfDelivery).execute(trx, {
        deliveryId: attempt.faxId,
      })
      const [delivery] = await (postgres ? deliveryLocked : deliveryRead).execute(trx, {
        deliveryId: attempt.faxId,
      })
      if (fence !== undefined && (delivery?.calling !== 1 || delivery.call_fence !== fence)) {
        const now =
          delivery === undefined
            ? null
            : { fence: delivery.call_fence, calling: delivery.calling === 1 }
        throw new CallNotHeldError(attempt.faxId, fence, now)
      }
      if (delivery === undefined) {
        throw new Error(`delivery ${attempt.faxId} ended a call it was not making`)
      }
      if (job !== undefined) {
        // Only while this worker holds it. If its lease ran out and another worker claimed it,
        // the job stays that worker's, which begins a call of its own (as before this was done
        // here: beginCall does not ask whether its job is the delivery's newest).
        await completeJob(trx, job.id, job.worker)
      }
      await insertPlannedDeliveries(trx, this.#engine, webhooks)
      await insertRows(trx, 'fax_attempts', [attemptToRow(attempt)])
      const confirmed = [
        ...new Set([
          ...parsePageList(delivery.pages_confirmed, 'deliveries.pages_confirmed'),
          ...attempt.pagesConfirmed,
        ]),
      ].sort((a, b) => a - b)
      if (next.kind !== 'final') {
        const restart = next.kind === 'restart'
        await trx
          .updateTable('deliveries')
          .set((eb) => ({
            calling: 0,
            pages_confirmed: toJsonText(confirmed),
            call_pages: '[]',
            call_negotiated: null,
            // Kept until the next attempt ends: a take-over of that attempt needs to know it.
            resume: restart ? 1 : 0,
            restarts: restart ? eb('restarts', '+', 1) : eb.ref('restarts'),
          }))
          .where('id', '=', delivery.id)
          .execute()
        const runAtMs = restart ? atMs : next.retryAtMs
        await trx
          .insertInto('jobs')
          .values(
            sendFaxJobRow(
              { id: next.jobId, deliveryId: delivery.id, runAtMs },
              delivery.outbox_id,
              atMs,
            ),
          )
          .execute()
      } else {
        await insertRows(trx, 'faxes', [faxToRow(next.record)])
        await deliveryDeleted.execute(trx, { deliveryId: delivery.id })
      }
      const freed = [lineKey('destination', delivery.destination)]
      if (delivery.from_number !== null) {
        freed.push(lineKey('sending-number', delivery.from_number))
      }
      await wakeFirstWaitingFor(trx, freed, atMs)
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

  async listProgress(outboxId: string): Promise<DeliveryProgress[]> {
    // Two reads, not one transaction: a job written between them changes only nextAttemptAtMs.
    const rows = await deliveriesOfEntry.execute(this.#db, { outboxId })
    const jobs = await deliveryJobsOfEntry.execute(this.#db, { outboxId })
    const dueAt = new Map(jobs.map((job) => [job.delivery_id, job.run_at]))
    return rows.map((row) => ({
      delivery: deliveryFromRow(row),
      attempts: row.attempts,
      pagesConfirmed: parsePageList(row.pages_confirmed, 'deliveries.pages_confirmed'),
      call:
        row.calling === 1
          ? {
              startedAtMs: row.call_started_at ?? 0,
              pagesConfirmed: parsePageList(row.call_pages, 'deliveries.call_pages'),
            }
          : null,
      nextAttemptAtMs: row.calling === 1 ? null : (dueAt.get(row.id) ?? null),
    }))
  }
}

/** The entry of a delivery, read; on PostgreSQL, locked (nothing when the delivery is gone). */
function entryOfDeliveryStatement(lock: boolean) {
  return new CompiledStatement((db, $: Slots<'deliveryId'>) =>
    db
      .selectFrom('outbox_entries')
      .select('status')
      .where('id', '=', (eb) =>
        eb.selectFrom('deliveries').select('outbox_id').where('id', '=', $.deliveryId),
      )
      .$if(lock, (q) => q.forUpdate()),
  )
}
const entryOfDelivery = entryOfDeliveryStatement(false)
const entryOfDeliveryLocked = entryOfDeliveryStatement(true)

function deliveryStatement(lock: boolean) {
  return new CompiledStatement((db, $: Slots<'deliveryId'>) =>
    db
      .selectFrom('deliveries')
      .selectAll()
      .where('id', '=', $.deliveryId)
      .$if(lock, (q) => q.forUpdate()),
  )
}
const deliveryRead = deliveryStatement(false)
const deliveryLocked = deliveryStatement(true)

const deliveryDeleted = new CompiledStatement((db, $: Slots<'deliveryId'>) =>
  db.deleteFrom('deliveries').where('id', '=', $.deliveryId),
)
const deliveriesLeft = new CompiledStatement((db, $: Slots<'outboxId'>) =>
  db
    .selectFrom('deliveries')
    .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.max('calling').as('calling')])
    .where('outbox_id', '=', $.outboxId),
)
const entryDeleted = new CompiledStatement((db, $: Slots<'outboxId'>) =>
  db.deleteFrom('outbox_entries').where('id', '=', $.outboxId),
)
const entryStatusSet = new CompiledStatement((db, $: Slots<'outboxId' | 'status'>) =>
  db.updateTable('outbox_entries').set({ status: $.status }).where('id', '=', $.outboxId),
)

/** An entry's deliveries, and when their jobs are due (GET …/outbox/{id}). */
const deliveriesOfEntry = new CompiledStatement((db, $: Slots<'outboxId'>) =>
  db.selectFrom('deliveries').selectAll().where('outbox_id', '=', $.outboxId).orderBy('position'),
)
const deliveryJobsOfEntry = new CompiledStatement((db, $: Slots<'outboxId'>) =>
  db
    .selectFrom('jobs')
    .select(['delivery_id', 'run_at'])
    .where('outbox_id', '=', $.outboxId)
    .where('delivery_id', 'is not', null),
)

/**
 * After a call: an entry with no delivery left leaves the outbox; one with no call in progress
 * is back to `scheduled_for_sending` (its retries wait in the queue).
 */
async function settleEntry(
  trx: Transaction<Database>,
  outboxId: string,
  atMs: number,
): Promise<void> {
  const [left] = await deliveriesLeft.execute(trx, { outboxId })
  if (Number(left?.count ?? 0) === 0) {
    await endJobsOf(trx, outboxId)
    await entryDeleted.execute(trx, { outboxId })
    return
  }
  if (Number(left?.calling ?? 0) === 0) {
    await entryStatusSet.execute(trx, { outboxId, status: 'scheduled_for_sending' })
    await appendStatusChange(trx, outboxId, { status: 'scheduled_for_sending', atMs })
  }
}

/**
 * How many other deliveries are in a call on this line (to this destination, or from this
 * sending number). `calling = 1` is a literal so that the planner may use the partial index of
 * the line's column (migration 0015).
 */
export function callsOnLineQuery(
  db: Kysely<Database>,
  column: 'destination' | 'from_number',
  value: string,
  deliveryId: string,
) {
  return db
    .selectFrom('deliveries')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .where(column, '=', value)
    .where('calling', '=', sql.lit(1))
    .where('id', '<>', deliveryId)
}
