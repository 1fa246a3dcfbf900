/**
 * The ports the use cases need from the outside world. src/storage implements the repositories
 * on SQLite and PostgreSQL (one contract suite per port, test/contracts); the clock is src/shared/clock.ts.
 */
import type { Account, AccountChanges } from './account.js'
import type { AccessToken, AuthorizationCode, OAuthClient } from './credentials.js'
import type { FaxQuery, FaxRecord } from './fax.js'
import type { E164, FaxNumber } from './fax-number.js'
import type { JobQueue, NewJob } from './job-queue.js'
import type { ListPlace } from './list-place.js'
import type { Delivery, OutboxEntry } from './outbox-entry.js'
import type { CallAttempt, TransmissionRepository } from './transmission.js'
import type { UploadedFile } from './uploaded-file.js'
import type { Webhook, WebhookEvent } from './webhook.js'
import type { PlannedDelivery, WebhookDeliveryRepository } from './webhook-delivery.js'

/** The job a repository writes with its rows; the queue that runs it is job-queue.ts. */
export type { NewJob } from './job-queue.js'

export interface AccountRepository {
  /** Fails with DomainError `email_taken` when the email is in use. */
  create(account: Account, passwordHash: string | null): Promise<void>
  get(uid: string): Promise<Account | null>
  /** The account with this (normalised) e-mail address, and its password hash. */
  findSignIn(email: string): Promise<{ account: Account; passwordHash: string | null } | null>
  setPasswordHash(uid: string, passwordHash: string): Promise<void>
  listMembers(adminUid: string): Promise<Account[]>
  /** Every account, oldest first (for the operator's `faxd accounts list`). */
  list(): Promise<Account[]>
  /** Fails with DomainError `email_taken` when a new email is in use. */
  update(uid: string, changes: AccountChanges): Promise<void>
  setMemberDetails(uid: string, details: { quota?: number; role?: string }): Promise<void>
}

export interface NumberRepository {
  /** Fails with DomainError `number_taken` when the number exists. */
  add(number: FaxNumber): Promise<void>
  get(number: E164): Promise<FaxNumber | null>
  listOwnedBy(uid: string): Promise<FaxNumber[]>
  /** Every number of this server, in number order (for the operator's `faxd numbers list`). */
  listAll(): Promise<FaxNumber[]>
  listAssignedTo(uid: string): Promise<FaxNumber[]>
  assign(numberId: string, uid: string): Promise<void>
  revoke(numberId: string, uid: string): Promise<void>
}

export interface TokenRepository {
  /** Stores the tokens together: all of them or none. */
  create(...tokens: readonly { token: AccessToken; secretHash: string }[]): Promise<void>
  findBySecretHash(secretHash: string): Promise<AccessToken | null>
  /**
   * The token and the account it belongs to, as they are now (a revoked token comes back with
   * its revocation time; the caller decides). Null when either is missing.
   */
  findBearer(secretHash: string): Promise<{ token: AccessToken; account: Account } | null>
  /**
   * Revokes `oldId` and stores the new tokens in one transaction, only if `oldId` was not yet
   * revoked; answers false (and changes nothing) when it was, so a refresh token works once.
   */
  replace(
    oldId: string,
    atMs: number,
    newTokens: readonly { token: AccessToken; secretHash: string }[],
  ): Promise<boolean>
  /** Revokes every token of the family not revoked yet; answers how many. */
  revokeFamily(familyId: string, atMs: number): Promise<number>
  /** Every token of the account, revoked and expired ones too, newest first. */
  listOf(uid: string): Promise<AccessToken[]>
  /** Revokes the token at atMs; false when there is no such token or it was revoked already. */
  revoke(id: string, atMs: number): Promise<boolean>
}

export interface OAuthRepository {
  /** Adds a client; `secretHash` is null for a public one. Refuses an id that is taken. */
  createClient(client: OAuthClient, secretHash: string | null): Promise<void>
  /**
   * Adds the client, or makes the one with its id what `client` says (all but its creation
   * time): for a client the server itself keeps up to date, the web console's.
   */
  saveClient(client: OAuthClient, secretHash: string | null): Promise<void>
  getClient(clientId: string): Promise<{ client: OAuthClient; secretHash: string | null } | null>
  createCode(codeHash: string, code: AuthorizationCode): Promise<void>
  /** The code issued to `clientId`, and whether it was used; null when there is none. */
  findCode(
    codeHash: string,
    clientId: string,
  ): Promise<{ code: AuthorizationCode; used: boolean } | null>
  /**
   * Marks the code used, once: true for the call that did, false for any later one, an unknown
   * code or another client's (which cannot use it up).
   */
  consumeCode(codeHash: string, clientId: string): Promise<boolean>
}

/**
 * Failed sign-ins, counted by key (an account's address, a network address, the pair), and the
 * addresses accounts signed in from. Only the keeping is here; what a count means is
 * domain/sign-in-throttle.ts.
 */
export interface SignInThrottleRepository {
  /** The keys' current states (absent keys have none). */
  read(keys: readonly string[]): Promise<SignInCount[]>
  /**
   * Adds one failure to each key, atomically; a count whose last failure is before
   * `forgetBeforeMs` starts again from one, and rows whose time ended before it are deleted. Each key's `untilMs` becomes what `waitUntil`
   * answers for its new count. Answers the new states.
   */
  recordFailure(
    keys: readonly string[],
    atMs: number,
    forgetBeforeMs: number,
    waitUntil: (key: string, failures: number) => number,
  ): Promise<SignInCount[]>
  /** Forgets the keys (after a successful sign-in, or a new password). */
  clear(keys: readonly string[]): Promise<void>
  /** Keeps `key` with no failures until `untilMs` (a trusted address). */
  keep(key: string, atMs: number, untilMs: number): Promise<void>
}

export interface SignInCount {
  readonly key: string
  readonly failures: number
  readonly lastFailureAtMs: number
  /** A count: no sign-in before this time. A trusted address: trusted until this time. */
  readonly untilMs: number
}

export interface UploadRepository {
  add(file: UploadedFile): Promise<void>
  get(path: string): Promise<UploadedFile | null>
}

export type OutboxDeletion = 'deleted' | 'not_found' | 'sending'
export type OutboxChange = 'changed' | 'not_found' | 'sending'

export interface OutboxRepository {
  /** Writes the entry, its deliveries and its job in one transaction. */
  create(entry: OutboxEntry, deliveries: readonly Delivery[], job: NewJob): Promise<void>
  get(id: string): Promise<OutboxEntry | null>
  /**
   * A page of a user's entries in submit order (then id), those after `after` (an entry's submit
   * time and id, exclusive), at most `limit`; `more` when entries follow the page.
   */
  listByUser(
    uid: string,
    page: { readonly limit: number; readonly after: ListPlace | null },
  ): Promise<{ entries: OutboxEntry[]; more: boolean }>
  listDeliveries(outboxId: string): Promise<Delivery[]>
  /** Changes the comment of an entry that is not sending; the check and the change are one. */
  updateComment(id: string, text: string): Promise<OutboxChange>
  /**
   * Cancels an entry that is not sending: removes it, its deliveries and its jobs. The deliveries
   * that have had attempts (cancelled between retries) are handed to `recordsOf` with the entry,
   * while no call can start or end; the fax records it answers are written in the same commit.
   */
  delete(id: string, recordsOf: RecordsOfCancelled): Promise<OutboxDeletion>
  /**
   * Marks a submitted or scheduled entry `converting` (an entry already converting, after a
   * crash, stays so) and answers it; null when it is gone or already sending.
   */
  beginConverting(id: string, atMs: number): Promise<OutboxEntry | null>
  /**
   * The pages are ready: page count and document stored, status `scheduled_for_sending`.
   * False when the entry is no longer converting (cancelled meanwhile).
   */
  finishConverting(id: string, pages: RenderedPages, atMs: number): Promise<boolean>
  /**
   * The pages could not be made: the fax records (one per destination, with the failure) are
   * written and the entry removed, in one transaction. False when the entry is already gone.
   */
  failConverting(id: string, records: readonly FaxRecord[]): Promise<boolean>
}

/** A delivery with attempts, as its entry is cancelled: what its fax record is made of. */
export interface AttemptedDelivery {
  readonly delivery: Delivery
  /** Its attempts that have ended, in order; empty when the one counted never ended. */
  readonly attempts: readonly CallAttempt[]
  /** Pages confirmed over every attempt. */
  readonly pagesConfirmed: number
}

/** The fax records that a cancelled entry's attempted deliveries become (none: not called). */
export type RecordsOfCancelled = (
  entry: OutboxEntry,
  attempted: readonly AttemptedDelivery[],
) => readonly FaxRecord[]

/** The rendered document of an outbox entry. */
export interface RenderedPages {
  readonly documentKey: string
  readonly pageCount: number
}

export interface FaxRepository {
  add(record: FaxRecord): Promise<void>
  /**
   * Files a received fax and queues the webhook deliveries that announce it, in one transaction;
   * false (and nothing queued) when a record with its id is already there.
   */
  receive(record: FaxRecord, webhooks: readonly PlannedDelivery[]): Promise<boolean>
  get(id: string): Promise<FaxRecord | null>
  list(query: FaxQuery): Promise<FaxRecord[]>
  update(id: string, changes: { comment?: string; isRead?: boolean }, atMs: number): Promise<void>
  delete(id: string): Promise<void>
}

export interface WebhookRepository {
  add(webhook: Webhook): Promise<void>
  get(id: string): Promise<Webhook | null>
  list(uid: string, event: WebhookEvent): Promise<Webhook[]>
  delete(id: string): Promise<void>
}

/** Everything the service keeps, behind one handle that owns the connection. */
export interface Store {
  readonly accounts: AccountRepository
  readonly numbers: NumberRepository
  readonly tokens: TokenRepository
  readonly oauth: OAuthRepository
  readonly signInThrottle: SignInThrottleRepository
  readonly uploads: UploadRepository
  readonly outbox: OutboxRepository
  readonly faxes: FaxRepository
  readonly webhooks: WebhookRepository
  /** Webhook events on their way to the hooks' targets, with every attempt. */
  readonly webhookDeliveries: WebhookDeliveryRepository
  readonly jobs: JobQueue
  readonly transmissions: TransmissionRepository
  /**
   * Answers once the database has answered a trivial query; fails as the store would (with
   * StoreUnavailableError when it cannot be reached). For health checks.
   */
  ping(): Promise<void>
  /** The schema's migrations against this code's (for readiness checks). */
  schemaStatus(): Promise<SchemaStatus>
  close(): Promise<void>
}

export interface SchemaStatus {
  /** Migrations this code has that the database has not had: it needs migrating. */
  readonly missing: readonly string[]
  /** Migrations the database has had that this code does not know: a newer faxd ran them. */
  readonly unknown: readonly string[]
}

/** Document bytes, written whole or not at all (temp name, fsync, rename). */
export interface FileStore {
  /** Stores the stream under a new key; fails with `files_too_large` past `maxBytes`. */
  put(
    key: string,
    source: AsyncIterable<Uint8Array>,
    maxBytes: number,
  ): Promise<{ sizeBytes: number }>
  get(key: string): AsyncIterable<Uint8Array>
  delete(key: string): Promise<void>
}

/** Every byte of a stream of chunks (a FileStore's `get`), in one array. */
export async function readAllBytes(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = []
  let length = 0
  for await (const chunk of source) {
    chunks.push(chunk)
    length += chunk.length
  }
  const bytes = new Uint8Array(length)
  let at = 0
  for (const chunk of chunks) {
    bytes.set(chunk, at)
    at += chunk.length
  }
  return bytes
}
