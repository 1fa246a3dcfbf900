/**
 * Row types of the SQL tables, named and shaped as the database has them (snake_case). Times are
 * integer milliseconds, booleans are 0/1 integers and JSON values are TEXT, in both engines.
 * Only the *-rows.ts files turn these rows into domain values and back.
 */
import type { Generated } from 'kysely'

export interface AccountsTable {
  uid: string
  email: string
  account_type: string
  admin_uid: string | null
  status: string
  name: string
  lastname: string
  phone: string | null
  profile_image: string
  created_at: number
  /** JSON object. */
  account_data: string
  /** JSON object. */
  settings: string
  /** JSON object or null. */
  notifications: string | null
  member_quota: number | null
  member_role: string | null
  password_hash: string | null
}

export interface NumbersTable {
  id: string
  number: string
  owner_uid: string
  status: string
  acquired_at: number
  expires_at: number | null
  is_canceled: number
}

export interface NumberAssignmentsTable {
  number_id: string
  uid: string
}

export interface AccessTokensTable {
  id: string
  kind: string
  uid: string
  client_id: string | null
  /** JSON array of strings. */
  scopes: string
  expires_at: number | null
  revoked_at: number | null
  created_at: number
  secret_hash: string
  /** The sign-in an OAuth2 token descends from (its code's family); null for personal tokens. */
  family_id: string | null
}

export interface OAuthClientsTable {
  client_id: string
  /** null for the web console's own client. */
  uid: string | null
  /** `confidential` or `public` (RFC 6749 §2.1). */
  client_type: string
  name: string
  homepage: string | null
  /** JSON array of strings, the first being the default. */
  redirect_uris: string
  /** null exactly for a public client (a CHECK holds it so). */
  secret_hash: string | null
  created_at: number
}

export interface OAuthCodesTable {
  code_hash: string
  client_id: string
  uid: string
  redirect_uri: string
  scope: string
  expires_at: number
  is_used: number
  family_id: string | null
  /** RFC 7636 S256 challenge, or null when the client sent none. */
  code_challenge: string | null
  /** 1 when the authorization request named the redirect URI. */
  redirect_uri_given: number
}

/**
 * Failed sign-ins by key (`account:<email>`, `address:<ip>`, `pair:<email> <ip>`), and the
 * addresses accounts signed in from (`trusted:<email> <ip>`, no failures).
 */
export interface SignInThrottleTable {
  key: string
  failures: number
  last_failure_at: number
  /** A count: no sign-in before this time. A trusted address: trusted until this time. */
  until_at: number
}

/** A file of the database file store (migration 0016): its key, and the id of its chunks. */
export interface StoredFilesTable {
  key: string
  file_id: string
  size_bytes: number
  chunks: number
  stored_at: number
}

export interface StoredFileChunksTable {
  file_id: string
  position: number
  data: Uint8Array
}

export interface UploadedFilesTable {
  path: string
  uid: string
  file_name: string
  mime_type: string
  size_bytes: number
  storage_key: string
  created_at: number
}

export interface OutboxEntriesTable {
  id: string
  uid: string
  status: string
  /** The `from` field as the caller wrote it. */
  from_text: string
  /** JSON array of destination numbers. */
  to_numbers: string
  /** JSON array of upload paths. */
  files: string
  from_fax_id: string | null
  from_fax_owner_uid: string | null
  comment_text: string
  /** JSON array of strings. */
  comment_tags: string
  enhancement: number
  retry_count: number
  retry_delay_seconds: number
  partially_sent_retry: number
  resolution: string
  /** JSON object or null. */
  cover_page: string | null
  send_at: number
  submitted_at: number
  page_count: number
  client_ip: string
  /** FileStore key of the rendered TIFF-F, once the pages are ready. */
  document_key: string | null
  /** JSON {template, timeZone, name}; null: no header line (0020). */
  header_line: string | null
}

export interface OutboxStatusChangesTable {
  outbox_id: string
  /** Order of the change within its entry, from 0. */
  position: number
  status: string
  changed_at: number
}

export interface DeliveriesTable {
  id: string
  outbox_id: string
  /** Order of the destination within its entry, from 0. */
  position: number
  destination: string
  from_number: string | null
  /** 1 while an attempt is calling. */
  calling: Generated<number>
  attempts: Generated<number>
  /** JSON array of the page numbers confirmed by earlier attempts. */
  pages_confirmed: Generated<string>
  /** JSON array of the pages the call in progress has had confirmed so far. */
  call_pages: Generated<string>
  call_started_at: number | null
  /** Goes up each time a worker gets the call (a new attempt or a take-over): the call's fence. */
  call_fence: Generated<number>
  /**
   * JSON object of what the call in progress negotiated (remote station, rate, coding, ECM,
   * resolution), kept with its first confirmed page; null until then (migration 0010).
   */
  call_negotiated: string | null
  /**
   * Attempts of this fax cut short by a crash of ours and made again at once, not counted against
   * `options.retry` (migration 0017).
   */
  restarts: Generated<number>
  /** 1 while the next attempt is such a restart: it sends only the pages not yet confirmed. */
  resume: Generated<number>
}

export interface FaxAttemptsTable {
  fax_id: string
  attempt: number
  carrier: string
  started_at: number
  ended_at: number
  status: string
  /** JSON array of page numbers. */
  pages_confirmed: string
  description: string
  remote_station_id: string | null
  bit_rate: number | null
  coding: string | null
  /** 0/1; null when the call never negotiated, or for attempts before migration 0010 not coded MMR. */
  ecm: number | null
  /** 'standard', 'fine' or 'superfine'; null when not known (migration 0010). */
  resolution: string | null
  /** The header line's text on the attempt's pages; null: none (0020). */
  header: string | null
}

export interface JobsTable {
  id: string
  kind: string
  /** JSON object. */
  payload: string
  run_at: number
  locked_until: number | null
  locked_by: string | null
  attempts: Generated<number>
  created_at: number
  /** The outbox entry the job serves, so cancelling the entry removes it. */
  outbox_id: string | null
  /** What the job waits for (a line), set when it was given back for it; null otherwise. */
  waiting_for: Generated<string | null>
  /** The delivery a send-fax job calls; null for the other kinds. */
  delivery_id: Generated<string | null>
}

export interface WebhooksTable {
  id: string
  uid: string
  target: string
  event: string
  created_at: number
  /** The key that signs its deliveries; set when first needed (webhook-deliveries). */
  signing_secret: string | null
  /** The key the last rotation replaced; null before any (migration 0012). */
  previous_signing_secret: string | null
  /** When `previous_signing_secret` stops signing; null with it. */
  previous_secret_valid_until: number | null
}

export interface WebhookDeliveriesTable {
  /** `evt_<24 hex>`, the X-Faxd-Delivery header. */
  id: string
  hook_id: string
  event: string
  target: string
  /** The JSON text POSTed on every attempt. */
  body: string
  status: string
  /** How many attempts `attempts` holds; the check of a conditional update. */
  attempt_count: number
  /** JSON array of attempts, oldest first. */
  attempts: string
  next_attempt_at: number | null
  created_at: number
}

export interface FaxesTable {
  id: string
  owner_uid: string
  direction: string
  from_number: string
  to_number: string
  status: string
  pages: number
  duration_seconds: number
  comment: string
  is_read: number
  is_spam: number
  started_at: number
  submitted_at: number | null
  updated_at: number
  max_retry: number | null
  retry_delay_seconds: number | null
  /** FileStore key of the pages as sent or received; null when there are none. */
  document_key: string | null
  description: Generated<string>
  /** The header line's text of the record's last attempt; null: none (0020). */
  header: string | null
}

/** One row (id 1): raised by triggers with every change to the credential tables (0014). */
export interface CredentialVersionTable {
  id: number
  version: number
}

export interface Database {
  credential_version: CredentialVersionTable
  accounts: AccountsTable
  numbers: NumbersTable
  number_assignments: NumberAssignmentsTable
  access_tokens: AccessTokensTable
  oauth_clients: OAuthClientsTable
  oauth_codes: OAuthCodesTable
  sign_in_throttle: SignInThrottleTable
  uploaded_files: UploadedFilesTable
  outbox_entries: OutboxEntriesTable
  outbox_status_changes: OutboxStatusChangesTable
  deliveries: DeliveriesTable
  jobs: JobsTable
  webhooks: WebhooksTable
  webhook_deliveries: WebhookDeliveriesTable
  faxes: FaxesTable
  fax_attempts: FaxAttemptsTable
  stored_files: StoredFilesTable
  stored_file_chunks: StoredFileChunksTable
}
