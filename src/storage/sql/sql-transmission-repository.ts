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
import { sql, type CompiledQuery, type Kysely, type Selectable, type Transaction } from 'kysely'
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
import { completeJobQuery, endJobsOfQueries, wakeFirstWaitingForQuery } from './job-queries.js'
import { deliveryFromRow } from './outbox-rows.js'
import { CompiledStatement, insertQuery, type Slots } from './compiled-statement.js'
import type { Database } from './schema.js'
import {
  entryFromRows,
  entryWithChangesQuery,
  lockEntryQuery,
  readEntry,
  statusChangeAppendedQuery,
} from './outbox-queries.js'
import { executeTogether } from './statement-batch.js'
import { insertPlannedDeliveries } from './webhook-delivery-queries.js'
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
      // On PostgreSQL the read takes the lines' locks too (lockingLines).
      const [wanted] = await (
        this.#engine === 'postgres' ? deliveryToCallLockingLines : deliveryToCall
      ).execute(trx, toCallValues(deliveryId))
      if (wanted === undefined) {
        return 'gone'
      }
      if (wanted.calling === 1) {
        return options.takeOver === true ? this.#interrupted(trx, deliveryId, wanted, atMs) : 'gone'
      }
      const lines = linesOf(wanted, options.limits)
      // One round trip, while the lines are held: after their locks the entry's (every
      // transaction that takes both takes them in this order); the flag, if the lines have a call
      // free and the entry is still to be sent (the first statement after the locks that reads
      // the lines, so its snapshot sees every call they waited for); the entry `sending`, with
      // its status change, where the flag was set and it was not; and the entry as it now stands.
      const entryOfCall = { outboxId: wanted.outbox_id, deliveryId }
      for (;;) {
        const [, [taken], , , read] = await executeTogether(trx, this.#engine, [
          lockEntryQuery(trx, this.#engine, wanted.outbox_id),
          flagQuery(trx, deliveryId, lines, atMs),
          entrySendingIfCalling.with(trx, entryOfCall),
          sendingChangeIfNew.with(trx, { ...entryOfCall, changedAt: atMs }),
          entryWithChangesQuery(trx, wanted.outbox_id),
        ])
        if (taken !== undefined) {
          return inCall(wanted.outbox_id, taken, read)
        }
        // Not flagged: a line was busy, or the delivery is no longer to be called. A call on
        // one of the lines may have ended since (ending takes no line lock): then the flag is
        // tried again. Under the lines' locks no call on them begins meanwhile, so each round
        // finds fewer calls in progress, and the rounds end.
        const why = await whyNotFlagged(trx, deliveryId, lines)
        if (why !== 'line freed') {
          return why
        }
      }
    })
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
    const postgres = this.#engine === 'postgres'
    await this.#transactions.run(async (trx) => {
      // The entry first, then the delivery: the order of every transaction that takes both. The
      // first statement finds the delivery's entry and locks it (nothing, when the delivery is
      // gone); both go in one round trip.
      const [, [delivery]] = await executeTogether(trx, this.#engine, [
        (postgres ? entryOfDeliveryLocked : entryOfDelivery).with(trx, {
          deliveryId: attempt.faxId,
        }),
        (postgres ? deliveryLocked : deliveryRead).with(trx, { deliveryId: attempt.faxId }),
      ])
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
      // Reads what the webhooks' rows need first (their hooks, still there); the rest are writes.
      await insertPlannedDeliveries(trx, this.#engine, webhooks)
      const confirmed = [
        ...new Set([
          ...parsePageList(delivery.pages_confirmed, 'deliveries.pages_confirmed'),
          ...attempt.pagesConfirmed,
        ]),
      ].sort((a, b) => a - b)
      const freed = [lineKey('destination', delivery.destination)]
      if (delivery.from_number !== null) {
        freed.push(lineKey('sending-number', delivery.from_number))
      }
      const ids = { deliveryId: delivery.id, outboxId: delivery.outbox_id }
      // Every write of the call's end, in one round trip; the last statement counts what is
      // left of the entry, for settleEntry.
      const answers = await executeTogether(trx, this.#engine, [
        // Only while this worker holds it. If its lease ran out and another worker claimed it,
        // the job stays that worker's, which begins a call of its own (as before this was done
        // here: beginCall does not ask whether its job is the delivery's newest).
        ...(job === undefined ? [] : [completeJobQuery(trx, job.id, job.worker)]),
        insertQuery(trx, 'fax_attempts', [attemptToRow(attempt)]),
        ...(next.kind === 'final'
          ? [insertQuery(trx, 'faxes', [faxToRow(next.record)]), deliveryDeleted.with(trx, ids)]
          : this.#nextAttemptQueries(trx, delivery, confirmed, next, atMs)),
        wakeFirstWaitingForQuery(trx, freed, atMs),
        deliveriesLeft.with(trx, ids),
      ])
      const [left] = answers[answers.length - 1] as { count: number | string; calling: unknown }[]
      await settleEntry(trx, this.#engine, delivery.outbox_id, left, atMs)
    })
  }

  /** The writes that queue a delivery's next attempt: its row, and the attempt's job. */
  #nextAttemptQueries(
    trx: Transaction<Database>,
    delivery: { id: string; outbox_id: string },
    confirmed: readonly number[],
    next: Exclude<AfterAttempt, { kind: 'final' }>,
    atMs: number,
  ): CompiledQuery<unknown>[] {
    const restart = next.kind === 'restart'
    const runAtMs = restart ? atMs : next.retryAtMs
    return [
      trx
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
        .compile(),
      insertQuery(trx, 'jobs', [
        sendFaxJobRow(
          { id: next.jobId, deliveryId: delivery.id, runAtMs },
          delivery.outbox_id,
          atMs,
        ),
      ]),
    ]
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

/** A line a call takes: its destination's, or its sending number's, with its limit. */
interface Line {
  readonly kind: LineBusy['lineBusy']
  readonly column: 'destination' | 'from_number'
  readonly value: string
  readonly limit: number
  /** The lock's and the waiting jobs' name for it (lineKey). */
  readonly key: string
}

/** The lines of a call: its destination's, then its sending number's (none with no_number). */
function linesOf(
  wanted: { destination: string; from_number: string | null },
  limits: CallLimits,
): Line[] {
  const destination: Line = {
    kind: 'destination',
    column: 'destination',
    value: wanted.destination,
    limit: limits.perDestination,
    key: lineKey('destination', wanted.destination),
  }
  if (wanted.from_number === null) {
    return [destination]
  }
  return [
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

/**
 * Flags the delivery calling (a new attempt, under a new fence) where it is not, its entry is
 * still to be sent, and each of its lines has fewer calls in progress than its limit; answers
 * its row, or nothing.
 */
function flagQuery(
  db: Kysely<Database>,
  deliveryId: string,
  lines: readonly Line[],
  atMs: number,
): CompiledQuery<Selectable<Database['deliveries']>> {
  const [destination, sendingNumber] = lines
  if (destination === undefined) {
    throw new RangeError('a call has a destination')
  }
  const values = {
    deliveryId,
    atMs,
    destination: destination.value,
    destinationLimit: destination.limit,
  }
  return sendingNumber === undefined
    ? flaggedToDestination.with(db, values)
    : flaggedToAndFrom.with(db, {
        ...values,
        sendingNumber: sendingNumber.value,
        sendingNumberLimit: sendingNumber.limit,
      })
}

type FlagSlots = Slots<'deliveryId' | 'atMs' | 'destination' | 'destinationLimit'>

function flagged(db: Kysely<Database>, $: FlagSlots) {
  return db
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
    .where('outbox_id', 'in', (eb) =>
      eb
        .selectFrom('outbox_entries')
        .select('id')
        .where('document_key', 'is not', null)
        .where('status', 'in', ['scheduled_for_sending', 'sending']),
    )
    .where((eb) =>
      eb(callsOnLineQuery(db, 'destination', $.destination, $.deliveryId), '<', $.destinationLimit),
    )
}

const flaggedToDestination = new CompiledStatement((db, $: FlagSlots) =>
  flagged(db, $).returningAll(),
)
const flaggedToAndFrom = new CompiledStatement(
  (db, $: FlagSlots & Slots<'sendingNumber' | 'sendingNumberLimit'>) =>
    flagged(db, $)
      .where((eb) =>
        eb(
          callsOnLineQuery(db, 'from_number', $.sendingNumber, $.deliveryId),
          '<',
          $.sendingNumberLimit,
        ),
      )
      .returningAll(),
)

/**
 * Why beginCall's flag was not set, read after it: the delivery is no longer to be called
 * ('gone': removed, flagged by another worker, or its entry is no longer to be sent), a line has
 * as many calls in progress as its limit allows, or neither: a call on a line has ended since.
 */
async function whyNotFlagged(
  trx: Transaction<Database>,
  deliveryId: string,
  lines: readonly Line[],
): Promise<'gone' | LineBusy | 'line freed'> {
  const row = await trx
    .selectFrom('deliveries')
    .select((eb) => [
      'calling',
      eb
        .exists(
          eb
            .selectFrom('outbox_entries')
            .select('id')
            .whereRef('outbox_entries.id', '=', 'deliveries.outbox_id')
            .where('document_key', 'is not', null)
            .where('status', 'in', ['scheduled_for_sending', 'sending']),
        )
        .as('to_send'),
      ...lines.map((line, index) =>
        callsOnLineQuery(trx, line.column, line.value, deliveryId).as(`line_${index}`),
      ),
    ])
    .where('id', '=', deliveryId)
    .executeTakeFirst()
  if (row === undefined || row.calling !== 0 || !row.to_send) {
    return 'gone'
  }
  const counts = row as Record<string, unknown>
  const busy = lines.find((line, index) => Number(counts[`line_${index}`] ?? 0) >= line.limit)
  return busy === undefined ? 'line freed' : { lineBusy: busy.kind, line: busy.key }
}

/** The call beginCall's flag began: the delivery's row as flagged, the entry as read after. */
function inCall(
  outboxId: string,
  taken: Selectable<Database['deliveries']>,
  read: Parameters<typeof entryFromRows>[1],
): DeliveryInCall | 'gone' {
  const entry = entryFromRows(outboxId, read)
  if (entry === null) {
    return 'gone' // not while the flag holds: the entry's row is locked, and the flag needs it
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
}

/** The values of beginCall's first read: the delivery, and how its lines' keys begin. */
function toCallValues(deliveryId: string) {
  return {
    deliveryId,
    destinationLine: lineKey('destination', ''),
    sendingNumberLine: lineKey('sending-number', ''),
  }
}

type ToCallSlots = Slots<'deliveryId' | 'destinationLine' | 'sendingNumberLine'>

/** What beginCall reads of a delivery first. */
function deliveryToCallStatement(lockingLines: boolean) {
  return new CompiledStatement((db, $: ToCallSlots) =>
    db
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
      .$if(lockingLines, (q) =>
        q.select([
          // The key of each line (lineKey: its kind's prefix and the number), in this order,
          // which every transaction that takes both follows; none for no sending number (the
          // function is strict: hashtext(null) is null, and so is the lock of null).
          sql<null>`pg_advisory_xact_lock(hashtext(${$.destinationLine} || destination))`.as(
            'destination_line_locked',
          ),
          sql<null>`pg_advisory_xact_lock(hashtext(${$.sendingNumberLine} || from_number))`.as(
            'sending_number_line_locked',
          ),
        ]),
      )
      .where('id', '=', $.deliveryId),
  )
}
const deliveryToCall = deliveryToCallStatement(false)
/**
 * On PostgreSQL the calls on a line take turns: the read of the delivery takes a transaction
 * lock per line (SQLite has one writer, so its transactions already take turns). The lines come
 * first, before the entry's lock and its status change; taken last instead, the 8-worker case
 * of bench:scale did not deliver more (docs/benchmarks.md, "Workers that scale").
 */
const deliveryToCallLockingLines = deliveryToCallStatement(true)

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
/**
 * beginCall's status change, written in the same round trip as the flag and so conditioned on
 * it: the entry goes from `scheduled_for_sending` to `sending` where the delivery is now calling
 * (nothing, when the flag was not set: the delivery was not calling before it).
 */
const entrySendingIfCalling = new CompiledStatement((db, $: Slots<'outboxId' | 'deliveryId'>) =>
  db
    .updateTable('outbox_entries')
    .set({ status: 'sending' })
    .where('id', '=', $.outboxId)
    .where('status', '=', 'scheduled_for_sending')
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('deliveries')
          .select('id')
          .where('id', '=', $.deliveryId)
          .where('calling', '=', 1),
      ),
    ),
)

/**
 * The status change that goes with entrySendingIfCalling: `sending` appended where the entry is
 * now `sending` and its last change is not (an entry's last change is its status: every status
 * written is appended too), so only where the statement before changed it.
 */
const sendingChangeIfNew = new CompiledStatement((db, $: Slots<'outboxId' | 'changedAt'>) =>
  db
    .insertInto('outbox_status_changes')
    .columns(['outbox_id', 'position', 'status', 'changed_at'])
    .expression((eb) =>
      eb
        .selectFrom('outbox_entries')
        .select((entry) => [
          'outbox_entries.id',
          entry
            .selectFrom('outbox_status_changes')
            .select(sql<number>`coalesce(max(position) + 1, 0)`.as('position'))
            .where('outbox_id', '=', $.outboxId)
            .as('position'),
          'outbox_entries.status',
          // Typed, for PostgreSQL: a parameter alone in a select list would be text.
          sql<number>`cast(${$.changedAt} as bigint)`.as('changed_at'),
        ])
        .where('outbox_entries.id', '=', $.outboxId)
        .where('outbox_entries.status', '=', 'sending')
        .where((entry) =>
          entry(
            entry.fn.coalesce(
              entry
                .selectFrom('outbox_status_changes as last')
                .select('last.status')
                .where('last.outbox_id', '=', $.outboxId)
                .orderBy('last.position', 'desc')
                .limit(1),
              sql<string>`''`,
            ),
            '<>',
            'sending',
          ),
        ),
    ),
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
 * After a call, from what is `left` of the entry's deliveries: an entry with none leaves the
 * outbox; one with no call in progress is back to `scheduled_for_sending` (its retries wait in
 * the queue). Either is one round trip.
 */
async function settleEntry(
  trx: Transaction<Database>,
  engine: SqlEngine,
  outboxId: string,
  left: { count: number | string; calling: unknown } | undefined,
  atMs: number,
): Promise<void> {
  if (Number(left?.count ?? 0) === 0) {
    await executeTogether(trx, engine, [
      ...endJobsOfQueries(trx, outboxId),
      entryDeleted.with(trx, { outboxId }),
    ])
    return
  }
  if (Number(left?.calling ?? 0) === 0) {
    await executeTogether(trx, engine, [
      entryStatusSet.with(trx, { outboxId, status: 'scheduled_for_sending' }),
      statusChangeAppendedQuery(trx, outboxId, { status: 'scheduled_for_sending', atMs }),
    ])
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
