/**
 * What every use case receives: the ports it may use, and who is asking. The API builds an
 * Actor from the bearer token; the CLI acts as the operator and needs none.
 */
import type { Account } from '../domain/account.js'
import type { AccessToken } from '../domain/credentials.js'
import type { DocumentKind } from '../domain/document-kind.js'
import type { FaxDocuments } from '../domain/fax-documents.js'
import type { PageRenderer } from '../domain/page-renderer.js'
import type { WebhookTargetPolicy } from '../domain/webhook.js'
import type { FileStore, Store } from '../domain/ports.js'
import type { Clock } from '../shared/clock.js'
import type { PasswordHashing } from '../shared/secrets.js'

export interface Services {
  readonly store: Store
  readonly files: FileStore
  readonly clock: Clock
  /** The kinds of document this server can render (Office only where LibreOffice is installed). */
  readonly documentKinds: ReadonlySet<DocumentKind>
  /** Renders documents into fax pages, and draws previews of rendered pages. */
  readonly pages: PageRenderer
  /** Makes the files faxes are downloaded as: their pages as a PDF, confirmation reports. */
  readonly documents: FaxDocuments
  /** Hashes and checks account passwords. */
  readonly passwords: PasswordHashing
  /** Whether a webhook target may be called (private addresses, FAXD_WEBHOOK_ALLOW_PRIVATE). */
  readonly webhookTargets: WebhookTargetPolicy
}

export interface Actor {
  readonly account: Account
  readonly token: AccessToken
  /** The address the request came from, recorded on outbox entries. */
  readonly ip: string
}

/**
 * What an operator command (`faxd accounts|numbers|tokens|clients …`) receives. There is no
 * actor: the operator is trusted, but the same rules hold.
 */
export type OperatorServices = Pick<Services, 'store' | 'clock' | 'passwords'>
