/**
 * WebhookDeliveryRepository on SQL: deliveries in `webhook_deliveries` (their attempts a JSON
 * list), the jobs of their attempts in `jobs`, each delivery and its next job written in one
 * transaction; signing secrets in `webhooks` (the current one, and the one the last rotation
 * replaced, with the time it stops signing). Recording an attempt is a conditional UPDATE on
 * (status pending, attempt_count), so an attempt is recorded once even when two workers made it.
 */
import type { Kysely } from 'kysely'
import type {
  AttemptOutcome,
  DeliveryAttempt,
  PlannedDelivery,
  SigningSecrets,
  WebhookDelivery,
  WebhookDeliveryRepository,
} from '../../domain/webhook-delivery.js'
import { newJobToRow } from './job-rows.js'
import type { Database } from './schema.js'
import type { SqlEngine } from './sql-engine.js'
import type { TransactionRunner } from './transaction-runner.js'
import {
  attemptsToText,
  parseAttempts,
  signingSecretsFromRow,
  webhookDeliveryFromRow,
} from './webhook-delivery-rows.js'
import { insertPlannedDeliveries } from './webhook-delivery-queries.js'

/** The columns of `webhooks` that hold a hook's signing secrets. */
const SECRET_COLUMNS = [
  'signing_secret',
  'previous_signing_secret',
  'previous_secret_valid_until',
] as const

export class SqlWebhookDeliveryRepository implements WebhookDeliveryRepository {
  readonly #db: Kysely<Database>
  readonly #transactions: TransactionRunner
  readonly #engine: SqlEngine

  constructor(db: Kysely<Database>, transactions: TransactionRunner, engine: SqlEngine) {
    this.#db = db
    this.#transactions = transactions
    this.#engine = engine
  }

  /**
   * The hooks are read first and, on PostgreSQL, locked FOR KEY SHARE until the commit, so a
   * hook deleted meanwhile is either left out here or waits for its deliveries to be written
   * (and then takes them with it); the foreign key never fails the whole event.
   */
  async create(planned: readonly PlannedDelivery[]): Promise<WebhookDelivery[]> {
    if (planned.length === 0) {
      return []
    }
    return this.#transactions.run(async (trx) =>
      insertPlannedDeliveries(trx, this.#engine, planned),
    )
  }

  async get(id: string): Promise<WebhookDelivery | null> {
    const row = await this.#db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst()
    return row === undefined ? null : webhookDeliveryFromRow(row)
  }

  async listByHook(hookId: string, limit: number): Promise<WebhookDelivery[]> {
    const rows = await this.#db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('hook_id', '=', hookId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute()
    return rows.map(webhookDeliveryFromRow)
  }

  async signingSecrets(hookId: string, candidate: string): Promise<SigningSecrets | null> {
    const known = await this.#db
      .selectFrom('webhooks')
      .select(SECRET_COLUMNS)
      .where('id', '=', hookId)
      .executeTakeFirst()
    if (known === undefined) {
      return null
    }
    const secrets = signingSecretsFromRow(known)
    if (secrets !== null) {
      return secrets
    }
    return this.#transactions.run(async (trx) => {
      await trx
        .updateTable('webhooks')
        .set({ signing_secret: candidate })
        .where('id', '=', hookId)
        .where('signing_secret', 'is', null)
        .execute()
      const stored = await trx
        .selectFrom('webhooks')
        .select(SECRET_COLUMNS)
        .where('id', '=', hookId)
        .executeTakeFirst()
      return stored === undefined ? null : signingSecretsFromRow(stored)
    })
  }

  /**
   * The secret being replaced is read and overwritten in one transaction that holds the row: on
   * PostgreSQL FOR UPDATE (a concurrent rotation waits, then reads what this one stored), on
   * SQLite the write lock its transactions begin with. No rotation's secret is lost unseen.
   */
  async rotateSigningSecret(
    hookId: string,
    secret: string,
    previousValidUntilMs: number,
  ): Promise<SigningSecrets | null> {
    return this.#transactions.run(async (trx) => {
      const known = await trx
        .selectFrom('webhooks')
        .select('signing_secret')
        .where('id', '=', hookId)
        .$if(this.#engine === 'postgres', (q) => q.forUpdate())
        .executeTakeFirst()
      if (known === undefined) {
        return null
      }
      const replaced = known.signing_secret
      await trx
        .updateTable('webhooks')
        .set({
          signing_secret: secret,
          previous_signing_secret: replaced,
          previous_secret_valid_until: replaced === null ? null : previousValidUntilMs,
        })
        .where('id', '=', hookId)
        .execute()
      return {
        current: secret,
        previous:
          replaced === null ? null : { secret: replaced, validUntilMs: previousValidUntilMs },
      }
    })
  }

  async recordAttempt(
    id: string,
    attemptNumber: number,
    attempt: DeliveryAttempt,
    outcome: AttemptOutcome,
  ): Promise<boolean> {
    const recordedBefore = attemptNumber - 1
    return this.#transactions.run(async (trx) => {
      const row = await trx
        .selectFrom('webhook_deliveries')
        .select('attempts')
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .where('attempt_count', '=', recordedBefore)
        .executeTakeFirst()
      if (row === undefined) {
        return false
      }
      const changed = await trx
        .updateTable('webhook_deliveries')
        .set({
          status: outcome.status,
          attempt_count: attemptNumber,
          attempts: attemptsToText([...parseAttempts(row.attempts), attempt]),
          next_attempt_at: outcome.status === 'pending' ? outcome.nextJob.runAtMs : null,
        })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .where('attempt_count', '=', recordedBefore)
        .executeTakeFirst()
      if (changed.numUpdatedRows !== 1n) {
        return false
      }
      if (outcome.status === 'pending') {
        await trx
          .insertInto('jobs')
          .values(newJobToRow(outcome.nextJob, null, attempt.atMs))
          .execute()
      }
      return true
    })
  }
}
