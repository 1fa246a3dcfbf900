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
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely'
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
import { appendStatusChange, readEntry } from './outbox-queries.js'
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
    try {
      return await this.#transactions.run(async (trx) => {
        // The entry is locked first: the order of every transaction that takes it and a line, or
        // it and the delivery (endCall). No row when the delivery has ended.
        const toCall = this.#engine === 'postgres' ? deliveryToCallLockingEntry : deliveryToCall
        const [row] = await toCall.execute(trx, { deliveryId })
        if (row === undefined) {
          return 'gone'
        }
        if (row.calling === 1) {
          return options.takeOver === true ? this.#interrupted(trx, deliveryId, row, atMs) : 'gone'
        }
        const read = await readEntry(trx, row.outbox_id)
        if (
          read === null ||
          read.documentKey === null ||
          (read.status !== 'scheduled_for_sending' && read.status !== 'sending')
        ) {
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
        const taken = await this.#takeLines(trx, deliveryId, row, options.limits, atMs)
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
    } catch (error) {
      if (error instanceof Unstarted) {
        return error.answer // and the entry's status change rolled back
      }
      throw error
    }
  }

  /**
   * Flags the delivery calling if its destination and its sending number each have a line free,
   * and answers its row; throws Unstarted, which rolls the transaction back, when a line is busy
   * or the delivery is no longer waiting.
   *
   * The lines are the last thing the transaction takes, just before it commits: while a line is
   * held, every other call on it waits (with one sending number for every fax, every call). On
   * PostgreSQL two transactions checking the same line take turns: a transaction lock per line,
   * both taken in one statement (in the order listed, which every transaction follows), then the
   * count and the flag in the next, whose snapshot sees every call the locks waited for. SQLite
   * has one writer, so its transactions already take turns.
   */
  async #takeLines(
    trx: Transaction<Database>,
    deliveryId: string,
    wanted: { destination: string; from_number: string | null },
    limits: CallLimits,
    atMs: number,
  ): Promise<Selectable<Database['deliveries']>> {
    const lines = linesOf(wanted, limits)
    const [destination, sendingNumber] = lines
    const values = {
      deliveryId,
      atMs,
      destination: destination.value,
      destinationLimit: destination.limit,
      destinationKey: destination.key,
      sendingNumber: sendingNumber?.value,
      sendingNumberLimit: sendingNumber?.limit,
      sendingNumberKey: sendingNumber?.key,
    }
    const statements = sendingNumber === undefined ? toTheDestination : toAndFrom
    if (this.#engine === 'postgres') {
      await statements.locked.execute(trx, values)
    }
    for (;;) {
      const [taken] = await statements.flagged.execute(trx, values)
      if (taken !== undefined) {
        return taken
      }
      // Not flagged: a line was busy when the update began, or the delivery is no longer
      // waiting (another worker flagged it, or it was removed). Read again to say which. A call
      // on one of the lines may have ended in between: then the line is free and the update is
      // run again. Under the lines' locks no call on them can begin meanwhile, so each round
      // finds fewer calls in progress, and the rounds end.
      const [now] = await trx
        .selectFrom('deliveries')
        .select(() => [
          'calling' as const,
          ...lines.map((line, index) =>
            callsOnLineQuery(trx, line.column, line.value, deliveryId).as(`line_${index}`),
          ),
        ])
        .where('id', '=', deliveryId)
        .execute()
      if (now === undefined || now.calling !== 0) {
        throw new Unstarted('gone')
      }
      const counts = now as unknown as Record<string, number | string | null>
      const busy = lines.find((line, index) => Number(counts[`line_${index}`] ?? 0) >= line.limit)
      if (busy !== undefined) {
        throw new Unstarted({ lineBusy: busy.kind, line: busy.key })
      }
    }
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
        // Not held any more (its lease ran out and another worker took it): that one will find
        // the call ended.
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

interface Line {
  readonly kind: LineBusy['lineBusy']
  readonly column: 'destination' | 'from_number'
  readonly value: string
  readonly limit: number
  readonly key: string
}

type LineSlots = Slots<
  | 'deliveryId'
  | 'atMs'
  | 'destination'
  | 'destinationLimit'
  | 'destinationKey'
  | 'sendingNumber'
  | 'sendingNumberLimit'
  | 'sendingNumberKey'
>

/**
 * The statements that take a call's lines: the transaction locks of the lines, taken in one
 * statement in the order listed (the destination's, then the sending number's), and the update
 * that flags the delivery calling if each line has fewer calls than its limit.
 */
function lineStatements(withSendingNumber: boolean) {
  return {
    locked: new CompiledStatement((db, $: LineSlots) =>
      db.selectNoFrom([
        sql`pg_advisory_xact_lock(hashtext(${$.destinationKey}))`.as('destination'),
        ...(withSendingNumber
          ? [sql`pg_advisory_xact_lock(hashtext(${$.sendingNumberKey}))`.as('sending_number')]
          : []),
      ]),
    ),
    flagged: new CompiledStatement((db, $: LineSlots) =>
      db
        .updateTable('deliveries')
        .set((eb) => ({
          calling: 1,
          attempts: eb('attempts', '+', 1),
          call_pages: '[]',
          call_started_at: $.atMs,
          call_negotiated: null,
          call_fence: eb('call_fence', '+', 1),
        }))
        .where('id', '=', $.deliveryId)
        .where('calling', '=', 0)
        .where((eb) =>
          eb(
            callsOnLineQuery(db, 'destination', $.destination, $.deliveryId),
            '<',
            $.destinationLimit,
          ),
        )
        .$if(withSendingNumber, (q) =>
          q.where((eb) =>
            eb(
              callsOnLineQuery(db, 'from_number', $.sendingNumber, $.deliveryId),
              '<',
              $.sendingNumberLimit,
            ),
          ),
        )
        .returningAll(),
    ),
  }
}
const toTheDestination = lineStatements(false)
const toAndFrom = lineStatements(true)

/** Why beginCall did not start a call, thrown to roll back what its transaction wrote. */
class Unstarted extends Error {
  readonly answer: 'gone' | LineBusy

  constructor(answer: 'gone' | LineBusy) {
    super('the call was not started')
    this.answer = answer
  }
}

/** What beginCall reads of the delivery to call; on PostgreSQL its entry is locked too. */
function deliveryToCallStatement(lockEntry: boolean) {
  return new CompiledStatement((db, $: Slots<'deliveryId'>) =>
    db
      .selectFrom('deliveries')
      .innerJoin('outbox_entries', 'outbox_entries.id', 'deliveries.outbox_id')
      .select([
        'deliveries.outbox_id',
        'deliveries.destination',
        'deliveries.from_number',
        'deliveries.calling',
        'deliveries.call_pages',
        'deliveries.call_started_at',
        'deliveries.call_negotiated',
      ])
      .where('deliveries.id', '=', $.deliveryId)
      .$if(lockEntry, (q) => q.forUpdate('outbox_entries')),
  )
}
const deliveryToCall = deliveryToCallStatement(false)
const deliveryToCallLockingEntry = deliveryToCallStatement(true)

/** The lines a call to `wanted` takes: its destination's, and its sending number's if it has one. */
function linesOf(
  wanted: { destination: string; from_number: string | null },
  limits: CallLimits,
): [Line] | [Line, Line] {
  const destination = {
    kind: 'destination',
    column: 'destination',
    value: wanted.destination,
    limit: limits.perDestination,
    key: lineKey('destination', wanted.destination),
  } as const
  // no_number: no line of ours to count.
  return wanted.from_number === null
    ? [destination]
    : [
        destination,
        {
          kind: 'sending-number',
          column: 'from_number',
          value: wanted.from_number,
          limit: limits.perSendingNumber,
          key: lineKey('sending-number', wanted.from_number),
        },
      ]
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
