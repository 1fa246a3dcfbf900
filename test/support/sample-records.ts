/**
 * Domain values for storage tests: each builder fills every field with a distinctive value
 * (fresh ids, so records never collide) and takes overrides for the fields a test is about.
 */
import type { Account } from '../../src/domain/account.js'
import type { AccessToken, AuthorizationCode, OAuthClient } from '../../src/domain/credentials.js'
import type { FaxRecord } from '../../src/domain/fax.js'
import { asDialString, asE164, type FaxNumber } from '../../src/domain/fax-number.js'
import type { Delivery, OutboxEntry } from '../../src/domain/outbox-entry.js'
import type { NewJob } from '../../src/domain/ports.js'
import type { UploadedFile } from '../../src/domain/uploaded-file.js'
import type { Webhook } from '../../src/domain/webhook.js'
import type { SendFaxRequest } from '../../src/use-cases/send-fax.js'
import { newId24, newId32 } from '../../src/shared/ids.js'

const JAN_2026 = Date.UTC(2026, 0, 1)

export function anAccount(overrides: Partial<Account> = {}): Account {
  const uid = overrides.uid ?? newId32()
  return {
    uid,
    email: `${uid}@example.test`,
    accountType: 'individual',
    adminUid: null,
    status: 'active',
    name: 'Ada',
    lastname: 'Lovelace',
    phone: '+4915112345678',
    profileImage: 'https://example.test/ada.png',
    createdAtMs: JAN_2026,
    accountData: { company_name: 'Analytical', default_file_type: 'pdf', nested: { a: [1, 2] } },
    settings: { send_fax: { retry: { count: 2, delay: 15 } }, caller_id_name: 'Ada' },
    notifications: { black_list: { uids: [] }, settings: { email: { low_credit: true } } },
    memberQuota: null,
    memberRole: null,
    ...overrides,
  }
}

let nextNumber = 10_000_000

export function aFaxNumber(ownerUid: string, overrides: Partial<FaxNumber> = {}): FaxNumber {
  nextNumber += 1
  return {
    id: newId32(),
    number: asE164(`+1555${nextNumber}`),
    ownerUid,
    status: 'active',
    assignedTo: [],
    acquiredAtMs: JAN_2026,
    expiresAtMs: JAN_2026 + 365 * 86_400_000,
    isCanceled: false,
    ...overrides,
  }
}

export function aToken(uid: string, overrides: Partial<AccessToken> = {}): AccessToken {
  return {
    id: newId24(),
    kind: 'personal',
    uid,
    clientId: null,
    scopes: ['fax:fax:read', 'fax:user:edit'],
    expiresAtMs: null,
    revokedAtMs: null,
    createdAtMs: JAN_2026,
    familyId: null,
    ...overrides,
  }
}

export function anOAuthClient(uid: string, overrides: Partial<OAuthClient> = {}): OAuthClient {
  return {
    clientId: newId32(),
    type: 'confidential',
    uid,
    name: 'Sample app',
    homepage: null,
    redirectUris: ['https://app.example.test/callback'],
    createdAtMs: JAN_2026,
    ...overrides,
  }
}

export function anAuthorizationCode(
  client: OAuthClient,
  uid: string,
  overrides: Partial<AuthorizationCode> = {},
): AuthorizationCode {
  return {
    clientId: client.clientId,
    uid,
    redirectUri: client.redirectUris[0] ?? '',
    scope: 'all',
    expiresAtMs: JAN_2026 + 60_000,
    familyId: newId24(),
    codeChallenge: null,
    redirectUriGiven: true,
    ...overrides,
  }
}

export function anUpload(uid: string, overrides: Partial<UploadedFile> = {}): UploadedFile {
  const path = `/${uid}/${newId32()}.pdf`
  return {
    path,
    uid,
    fileName: 'contract draft.pdf',
    mimeType: 'application/pdf',
    sizeBytes: 123_456_789,
    storageKey: `uploads/${newId32()}`,
    createdAtMs: JAN_2026,
    ...overrides,
  }
}

export function anOutboxEntry(uid: string, overrides: Partial<OutboxEntry> = {}): OutboxEntry {
  return {
    id: newId32(),
    uid,
    status: 'submitted',
    from: '+15550000001,+15550000002',
    to: ['+4930123456', '+4930654321'],
    files: [`/${uid}/a.pdf`, `/${uid}/b.tiff`],
    fromFax: { faxId: newId24(), ownerUid: uid },
    commentText: 'quarterly report',
    commentTags: ['finance', 'q1'],
    enhancement: true,
    retry: { count: 2, delaySeconds: 30 },
    partiallySentRetry: true,
    resolution: 'superfine',
    coverPage: {
      nameTo: 'Bob',
      nameFrom: 'Ada',
      subject: 'Numbers',
      flags: ['urgent', 'confidential'],
      message: 'see attached',
      includeCompanyLogo: true,
    },
    sendAtMs: JAN_2026 + 3_600_000,
    submittedAtMs: JAN_2026,
    statusChanges: [
      { status: 'submitted', atMs: JAN_2026 },
      { status: 'converting', atMs: JAN_2026 + 1_000 },
    ],
    pageCount: 7,
    clientIp: '203.0.113.9',
    documentKey: null,
    headerLine: null,
    ...overrides,
  }
}

/** One delivery per destination of `entry`, alternating between two sending numbers. */
export function deliveriesOf(entry: OutboxEntry): Delivery[] {
  return entry.to.map((destination, index) => ({
    id: newId24(),
    outboxId: entry.id,
    destination: asDialString(destination),
    fromNumber: index % 2 === 0 ? asE164('+15550000001') : null,
  }))
}

export function destinations(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `+4930${String(index).padStart(6, '0')}`)
}

export function aRenderJob(entry: OutboxEntry): NewJob {
  return {
    id: newId24(),
    kind: 'render-fax',
    payload: { outboxId: entry.id },
    runAtMs: entry.sendAtMs,
  }
}

export function aFaxRecord(ownerUid: string, overrides: Partial<FaxRecord> = {}): FaxRecord {
  return {
    id: newId24(),
    ownerUid,
    direction: 'outgoing',
    from: '+15550000001',
    to: '+4930123456',
    status: 'success',
    pages: 3,
    durationSeconds: 95,
    comment: 'signed',
    isRead: false,
    isSpam: false,
    startedAtMs: JAN_2026,
    submittedAtMs: JAN_2026 - 5_000,
    updatedAtMs: JAN_2026 + 95_000,
    maxRetry: 2,
    retryDelaySeconds: 30,
    documentKey: null,
    description: 'OK',
    header: null,
    ...overrides,
  }
}

export function aWebhook(uid: string, overrides: Partial<Webhook> = {}): Webhook {
  return {
    id: newId24(),
    uid,
    target: 'https://hooks.example.test/fax',
    event: 'fax_received',
    createdAtMs: JAN_2026,
    ...overrides,
  }
}

/** A sendFax request as the API passes it on: one destination, no options. */
export function aSendFaxRequest(overrides: Partial<SendFaxRequest> = {}): SendFaxRequest {
  return {
    userId: 'self',
    from: '+15555550150',
    to: ['+15555550100'],
    files: [],
    fromFax: null,
    commentText: '',
    commentTags: [],
    enhancement: true,
    retry: null,
    partiallySentRetry: false,
    sendTime: null,
    returnIds: true,
    resolution: 'fine',
    coverPage: null,
    ...overrides,
  }
}
