/**
 * The Store on an open SQL database: one repository per port, sharing the Kysely handle and
 * the way transactions run (group commit on SQLite, see transaction-runner.ts).
 */
import { sql, type Kysely } from 'kysely'
import type { Store } from '../../domain/ports.js'
import { CredentialCache } from './credential-cache.js'
import type { Database } from './schema.js'
import type { SqlEngine } from './sql-engine.js'
import { SqlAccountRepository } from './sql-account-repository.js'
import { SqlFaxRepository } from './sql-fax-repository.js'
import { SqlJobQueue } from './sql-job-queue.js'
import { SqlTransmissionRepository } from './sql-transmission-repository.js'
import { SqlNumberRepository } from './sql-number-repository.js'
import { SqlOAuthRepository } from './sql-oauth-repository.js'
import { SqlOutboxRepository } from './sql-outbox-repository.js'
import { SqlSignInThrottleRepository } from './sql-sign-in-throttle-repository.js'
import { SqlTokenRepository } from './sql-token-repository.js'
import { SqlUploadRepository } from './sql-upload-repository.js'
import { SqlWebhookDeliveryRepository } from './sql-webhook-delivery-repository.js'
import { SqlWebhookRepository } from './sql-webhook-repository.js'
import { GroupCommit, OwnTransactions } from './transaction-runner.js'
import { schemaStatus } from './migrate.js'

export function createSqlStore(db: Kysely<Database>, engine: SqlEngine): Store {
  const transactions = engine === 'sqlite' ? new GroupCommit(db) : new OwnTransactions(db)
  const credentials = new CredentialCache(db)
  return {
    accounts: new SqlAccountRepository(db),
    numbers: new SqlNumberRepository(db, credentials),
    tokens: new SqlTokenRepository(db, transactions, credentials),
    oauth: new SqlOAuthRepository(db),
    signInThrottle: new SqlSignInThrottleRepository(db, transactions),
    uploads: new SqlUploadRepository(db, transactions),
    outbox: new SqlOutboxRepository(db, transactions, engine),
    faxes: new SqlFaxRepository(db, transactions, engine),
    webhooks: new SqlWebhookRepository(db),
    webhookDeliveries: new SqlWebhookDeliveryRepository(db, transactions, engine),
    jobs: new SqlJobQueue(engine, transactions),
    transmissions: new SqlTransmissionRepository(db, transactions, engine),
    ping: async () => {
      await sql`select 1`.execute(db)
    },
    schemaStatus: () => schemaStatus(db),
    close: async () => {
      await transactions.drain()
      await db.destroy()
    },
  }
}
