/**
 * Authentication and authorization of every /v3 endpoint. The table below lists each endpoint
 * with its permitted scopes (as the Fax.Plus docs give them) and a way to prepare one call that
 * succeeds for a corporate admin; every case of refusal is checked on every endpoint, with the
 * exact status, the exact error code, the bare Error shape and an unchanged database. The last
 * describe checks that the table covers every route the app registers, so a new route without
 * auth tests fails here.
 */
import assert from 'node:assert/strict'
import { Readable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { blankBitmap } from '../../src/codec/bitmap.js'
import { writeTiffF } from '../../src/codec/tiff-write.js'
import { SCOPES, type Scope } from '../../src/domain/scopes.js'
import { newId32 } from '../../src/shared/ids.js'
import { addNumber } from '../../src/use-cases/add-number.js'
import {
  type OAuthTokens,
  type RegisteredClient,
  obtainOAuthTokens,
  registerClient,
} from '../support/oauth-client.js'
import {
  aFaxRecord,
  anOutboxEntry,
  anUpload,
  aRenderJob,
  aWebhook,
  deliveriesOf,
} from '../support/sample-records.js'
import { readDocument } from '../support/fixtures.js'
import { type TestApp, type TestUser, openTestApp } from '../support/test-app.js'
import { CHALLENGE_OF } from './www-authenticate-values.js'

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE'

/** The path parameters and body of one call. */
interface Call {
  readonly params: Readonly<Record<string, string>>
  /** The query of this call, in place of the endpoint's. */
  readonly query?: string
  readonly body?: unknown
}

interface Endpoint {
  readonly method: Method
  /** The path under /v3, as the OpenAPI document writes it. */
  readonly path: string
  readonly query?: string
  /** The scopes that permit the call, each on its own. */
  readonly scopes: readonly Scope[]
  /** A scope that permits other calls but not this one. */
  readonly unrelatedScope: Scope
  readonly success: number
  readonly multipart?: boolean
  /** Fresh resources of the admin for one call that succeeds. */
  prepare(): Promise<Call>
  /** The same call on another tenant's object, with the 404 code it must answer. */
  readonly foreign?: { readonly code: string; call(): Promise<Call> }
}

const PASSWORD = 'correct horse battery staple'
const DAY_MS = 86_400_000

// The world, built once in before(): a corporate admin with a member, the admin's number and
// upload, an unrelated individual with one object of every kind, a second corporate account,
// a suspended account, and OAuth2 tokens of the admin from two registered clients.
let t: TestApp
let admin: TestUser
let member: TestUser
let stranger: TestUser
let otherAdmin: TestUser
let otherMember: TestUser
let suspended: TestUser
let adminNumber: string
let adminUpload: string
let strangerNumber: string
let strangerUpload: string
let strangerOutboxId: string
let strangerFaxId: string
let strangerHookId: string
let client: RegisteredClient
let otherClient: RegisteredClient
let oauth: OAuthTokens

let numberCounter = 0
function freshNumberText(): string {
  numberCounter += 1
  return `+1555${String(3_000_000 + numberCounter)}`
}

async function numberOf(ownerUid: string, assignTo: string[] = []): Promise<string> {
  const number = await addNumber(t.services, { number: freshNumberText(), ownerUid, assignTo })
  return number.number
}

async function uploadOf(uid: string): Promise<string> {
  const file = anUpload(uid, { sizeBytes: 2048 })
  await t.services.store.uploads.add(file)
  return file.path
}

async function outboxOf(uid: string): Promise<string> {
  const entry = anOutboxEntry(uid, { status: 'submitted' })
  await t.services.store.outbox.create(entry, deliveriesOf(entry), aRenderJob(entry))
  return entry.id
}

/** A one-page TIFF-F in the file store, as the renderer leaves it. */
async function pagesInStore(): Promise<string> {
  const key = `documents/${newId32()}.tif`
  const tiff = writeTiffF([
    { bitmap: blankBitmap(1728, 100), compression: 'mmr', xDpi: 204, yDpi: 196 },
  ])
  await t.services.files.put(key, Readable.from([tiff]), tiff.length)
  return key
}

async function renderedOutboxOf(uid: string): Promise<string> {
  const entry = anOutboxEntry(uid, {
    status: 'scheduled_for_sending',
    pageCount: 1,
    documentKey: await pagesInStore(),
  })
  await t.services.store.outbox.create(entry, deliveriesOf(entry), aRenderJob(entry))
  return entry.id
}

async function faxWithPagesOf(uid: string): Promise<string> {
  const fax = aFaxRecord(uid, { documentKey: await pagesInStore() })
  await t.services.store.faxes.add(fax)
  return fax.id
}

async function faxOf(uid: string): Promise<string> {
  const fax = aFaxRecord(uid)
  await t.services.store.faxes.add(fax)
  return fax.id
}

async function hookOf(uid: string): Promise<string> {
  const hook = aWebhook(uid)
  await t.services.store.webhooks.add(hook)
  return hook.id
}

const READ_FAX: readonly Scope[] = ['fax:all:read', 'fax:fax:read']
const EDIT_FAX: readonly Scope[] = ['fax:all:edit', 'fax:fax:edit']
const READ_NUMBERS: readonly Scope[] = ['fax:all:read', 'fax:numbers:read']
const EDIT_NUMBERS: readonly Scope[] = ['fax:all:edit', 'fax:numbers:edit']

const ENDPOINTS: readonly Endpoint[] = [
  {
    method: 'GET',
    path: '/accounts',
    scopes: ['fax:all:read', 'fax:member:read'],
    unrelatedScope: 'fax:fax:read',
    success: 200,
    prepare: async () => ({ params: {} }),
  },
  {
    method: 'GET',
    path: '/accounts/{user_id}',
    scopes: ['fax:all:read', 'fax:member:read', 'fax:user:read'],
    unrelatedScope: 'fax:fax:read',
    success: 200,
    prepare: async () => ({ params: { user_id: 'self' } }),
  },
  {
    method: 'PUT',
    path: '/accounts/{user_id}',
    scopes: ['fax:all:edit', 'fax:member:edit', 'fax:user:edit'],
    unrelatedScope: 'fax:user:read',
    success: 200,
    prepare: async () => ({ params: { user_id: 'self' }, body: { name: 'Grace' } }),
  },
  {
    method: 'GET',
    path: '/accounts/self/member-details/{member_user_id}',
    scopes: ['fax:all:read', 'fax:member:read'],
    unrelatedScope: 'fax:user:read',
    success: 200,
    prepare: async () => ({ params: { member_user_id: member.account.uid } }),
  },
  {
    method: 'PUT',
    path: '/accounts/self/member-details/{member_user_id}',
    scopes: ['fax:all:edit', 'fax:member:edit'],
    unrelatedScope: 'fax:member:read',
    success: 200,
    prepare: async () => ({
      params: { member_user_id: member.account.uid },
      body: { quota: 100, role: 'clerk' },
    }),
  },
  {
    method: 'GET',
    path: '/accounts/{user_id}/numbers',
    scopes: READ_NUMBERS,
    unrelatedScope: 'fax:fax:read',
    success: 200,
    prepare: async () => ({ params: { user_id: 'self' } }),
  },
  {
    method: 'GET',
    path: '/accounts/{user_id}/numbers/{number}',
    scopes: READ_NUMBERS,
    unrelatedScope: 'fax:fax:read',
    success: 200,
    prepare: async () => ({ params: { user_id: 'self', number: adminNumber } }),
    foreign: {
      code: 'number_not_found',
      call: async () => ({ params: { user_id: 'self', number: strangerNumber } }),
    },
  },
  ...(['PUT', 'POST'] as const).map((method): Endpoint => ({
    method,
    path: '/accounts/{user_id}/numbers/{number}',
    scopes: EDIT_NUMBERS,
    unrelatedScope: 'fax:numbers:read',
    success: 200,
    prepare: async () => ({
      params: { user_id: 'self', number: await numberOf(admin.account.uid) },
      body: { assigned_to: member.account.uid },
    }),
    foreign: {
      code: 'number_not_found',
      call: async () => ({
        params: { user_id: 'self', number: strangerNumber },
        body: { assigned_to: admin.account.uid },
      }),
    },
  })),
  {
    method: 'DELETE',
    path: '/accounts/{user_id}/numbers/{number}',
    scopes: EDIT_NUMBERS,
    unrelatedScope: 'fax:numbers:read',
    success: 200,
    prepare: async () => ({
      params: {
        user_id: member.account.uid,
        number: await numberOf(admin.account.uid, [member.account.uid]),
      },
    }),
    foreign: {
      code: 'number_not_found',
      call: async () => ({ params: { user_id: 'self', number: strangerNumber } }),
    },
  },
  {
    method: 'POST',
    path: '/accounts/{user_id}/files',
    query: 'format=pdf',
    scopes: ['fax:all:edit', 'fax:file:edit'],
    unrelatedScope: 'fax:fax:edit',
    success: 200,
    multipart: true,
    prepare: async () => ({ params: { user_id: 'self' } }),
  },
  {
    method: 'GET',
    path: '/accounts/{user_id}/files/pages/{page}',
    scopes: READ_FAX,
    unrelatedScope: 'fax:file:edit',
    success: 200,
    prepare: async () => ({
      params: { user_id: 'self', page: '1' },
      query: `path=${encodeURIComponent(await t.upload(admin, readDocument('letter.pdf'), 'letter.pdf'))}&width=64`,
    }),
  },
  {
    method: 'GET',
    path: '/accounts/{user_id}/files/{fax_id}',
    query: 'format=pdf',
    scopes: READ_FAX,
    unrelatedScope: 'fax:file:edit',
    success: 200,
    prepare: async () => ({
      params: { user_id: 'self', fax_id: await faxWithPagesOf(admin.account.uid) },
    }),
    foreign: {
      code: 'fax_not_found',
      call: async () => ({ params: { user_id: 'self', fax_id: strangerFaxId } }),
    },
  },
  {
    method: 'POST',
    path: '/accounts/{user_id}/outbox',
    scopes: EDIT_FAX,
    unrelatedScope: 'fax:file:edit',
    success: 201,
    prepare: async () => ({
      params: { user_id: 'self' },
      body: { from: adminNumber, to: ['+4930123456'], files: [adminUpload] },
    }),
  },
  {
    method: 'GET',
    path: '/accounts/{user_id}/outbox',
    scopes: READ_FAX,
    unrelatedScope: 'fax:webhook:read',
    success: 200,
    prepare: async () => ({ params: { user_id: 'self' } }),
  },
  {
    method: 'GET',
    path: '/accounts/{user_id}/outbox/{outbox_fax_id}',
    scopes: READ_FAX,
    unrelatedScope: 'fax:webhook:read',
    success: 200,
    prepare: async () => ({
      params: { user_id: 'self', outbox_fax_id: await outboxOf(admin.account.uid) },
    }),
    foreign: {
      code: 'outbox_fax_not_found',
      call: async () => ({ params: { user_id: 'self', outbox_fax_id: strangerOutboxId } }),
    },
  },
  {
    method: 'GET',
    path: '/accounts/{user_id}/outbox/{outbox_fax_id}/pages/{page}',
    scopes: READ_FAX,
    unrelatedScope: 'fax:webhook:read',
    success: 200,
    prepare: async () => ({
      params: {
        user_id: 'self',
        outbox_fax_id: await renderedOutboxOf(admin.account.uid),
        page: '1',
      },
    }),
    foreign: {
      code: 'outbox_fax_not_found',
      call: async () => ({
        params: { user_id: 'self', outbox_fax_id: strangerOutboxId, page: '1' },
      }),
    },
  },
  {
    method: 'PUT',
    path: '/accounts/{user_id}/outbox/{outbox_fax_id}',
    scopes: EDIT_FAX,
    unrelatedScope: 'fax:fax:read',
    success: 200,
    prepare: async () => ({
      params: { user_id: 'self', outbox_fax_id: await outboxOf(admin.account.uid) },
      body: { comment: 'changed' },
    }),
    foreign: {
      code: 'outbox_fax_not_found',
      call: async () => ({
        params: { user_id: 'self', outbox_fax_id: strangerOutboxId },
        body: { comment: 'changed' },
      }),
    },
  },
  {
    method: 'DELETE',
    path: '/accounts/{user_id}/outbox/{outbox_fax_id}',
    scopes: EDIT_FAX,
    unrelatedScope: 'fax:fax:read',
    success: 200,
    prepare: async () => ({
      params: { user_id: 'self', outbox_fax_id: await outboxOf(admin.account.uid) },
    }),
    foreign: {
      code: 'outbox_fax_not_found',
      call: async () => ({ params: { user_id: 'self', outbox_fax_id: strangerOutboxId } }),
    },
  },
  {
    method: 'GET',
    path: '/accounts/{user_id}/faxes',
    scopes: READ_FAX,
    unrelatedScope: 'fax:webhook:read',
    success: 200,
    prepare: async () => ({ params: { user_id: 'self' } }),
  },
  {
    method: 'GET',
    path: '/accounts/{user_id}/faxes/{fax_id}',
    scopes: READ_FAX,
    unrelatedScope: 'fax:webhook:read',
    success: 200,
    prepare: async () => ({ params: { user_id: 'self', fax_id: await faxOf(admin.account.uid) } }),
    foreign: {
      code: 'fax_not_found',
      call: async () => ({ params: { user_id: 'self', fax_id: strangerFaxId } }),
    },
  },
  {
    method: 'GET',
    path: '/accounts/{user_id}/faxes/{fax_id}/pages/{page}',
    scopes: READ_FAX,
    unrelatedScope: 'fax:webhook:read',
    success: 200,
    prepare: async () => ({
      params: { user_id: 'self', fax_id: await faxWithPagesOf(admin.account.uid), page: '1' },
    }),
    foreign: {
      code: 'fax_not_found',
      call: async () => ({ params: { user_id: 'self', fax_id: strangerFaxId, page: '1' } }),
    },
  },
  {
    method: 'GET',
    path: '/accounts/{user_id}/faxes/{fax_id}/attempts',
    scopes: READ_FAX,
    unrelatedScope: 'fax:webhook:read',
    success: 200,
    prepare: async () => ({ params: { user_id: 'self', fax_id: await faxOf(admin.account.uid) } }),
    foreign: {
      code: 'fax_not_found',
      call: async () => ({ params: { user_id: 'self', fax_id: strangerFaxId } }),
    },
  },
  {
    method: 'GET',
    path: '/accounts/{user_id}/report/{fax_id}',
    scopes: READ_FAX,
    unrelatedScope: 'fax:webhook:read',
    success: 200,
    prepare: async () => ({
      params: { user_id: 'self', fax_id: await faxWithPagesOf(admin.account.uid) },
    }),
    foreign: {
      code: 'fax_not_found',
      call: async () => ({ params: { user_id: 'self', fax_id: strangerFaxId } }),
    },
  },
  {
    method: 'PUT',
    path: '/accounts/{user_id}/faxes/{fax_id}',
    scopes: EDIT_FAX,
    unrelatedScope: 'fax:fax:read',
    success: 200,
    prepare: async () => ({
      params: { user_id: 'self', fax_id: await faxOf(admin.account.uid) },
      body: { comment: 'filed', is_read: true },
    }),
    foreign: {
      code: 'fax_not_found',
      call: async () => ({
        params: { user_id: 'self', fax_id: strangerFaxId },
        body: { comment: 'filed', is_read: true },
      }),
    },
  },
  {
    method: 'DELETE',
    path: '/accounts/{user_id}/faxes/{fax_id}',
    scopes: EDIT_FAX,
    unrelatedScope: 'fax:webhook:edit',
    success: 200,
    prepare: async () => ({ params: { user_id: 'self', fax_id: await faxOf(admin.account.uid) } }),
    foreign: {
      code: 'fax_not_found',
      call: async () => ({ params: { user_id: 'self', fax_id: strangerFaxId } }),
    },
  },
  {
    method: 'GET',
    path: '/hooks',
    query: 'event=fax_received',
    scopes: ['fax:all:read', 'fax:webhook:read'],
    unrelatedScope: 'fax:fax:read',
    success: 200,
    prepare: async () => ({ params: {} }),
  },
  {
    method: 'POST',
    path: '/hooks',
    scopes: ['fax:all:edit', 'fax:webhook:edit'],
    unrelatedScope: 'fax:webhook:read',
    success: 200,
    prepare: async () => ({
      params: {},
      body: { target: 'https://hooks.example.test/new', event: 'fax_sent' },
    }),
  },
  {
    method: 'DELETE',
    path: '/hooks/{hook_id}',
    scopes: ['fax:all:edit', 'fax:webhook:edit'],
    unrelatedScope: 'fax:fax:edit',
    success: 200,
    prepare: async () => ({ params: { hook_id: await hookOf(admin.account.uid) } }),
    foreign: {
      code: 'webhook_not_found',
      call: async () => ({ params: { hook_id: strangerHookId } }),
    },
  },
  {
    method: 'GET',
    path: '/hooks/{hook_id}/deliveries',
    scopes: ['fax:all:read', 'fax:webhook:read'],
    unrelatedScope: 'fax:fax:read',
    success: 200,
    prepare: async () => ({ params: { hook_id: await hookOf(admin.account.uid) } }),
    foreign: {
      code: 'webhook_not_found',
      call: async () => ({ params: { hook_id: strangerHookId } }),
    },
  },
  {
    method: 'POST',
    path: '/hooks/{hook_id}/rotate-secret',
    scopes: ['fax:all:edit', 'fax:webhook:edit'],
    unrelatedScope: 'fax:webhook:read',
    success: 200,
    prepare: async () => ({ params: { hook_id: await hookOf(admin.account.uid) } }),
    foreign: {
      code: 'webhook_not_found',
      call: async () => ({ params: { hook_id: strangerHookId } }),
    },
  },
]

const BOUNDARY = '----faxd-auth-test'
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n', 'latin1')

function multipartBody(): Buffer {
  return Buffer.concat([
    Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="fax_file"; filename="a.pdf"\r\n` +
        'Content-Type: application/pdf\r\n\r\n',
    ),
    PDF,
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ])
}

function urlOf(
  endpoint: Endpoint,
  params: Readonly<Record<string, string>>,
  query = endpoint.query,
): string {
  const path = endpoint.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name]
    if (value === undefined) {
      throw new Error(`no value for {${name}} of ${endpoint.path}`)
    }
    return encodeURIComponent(value)
  })
  return `/v3${path}${query ? `?${query}` : ''}`
}

async function send(
  endpoint: Endpoint,
  call: Call,
  headers: Record<string, string>,
  method: Method | 'HEAD' = endpoint.method,
): Promise<LightMyRequestResponse> {
  const all: Record<string, string> = { ...headers }
  let payload: string | Buffer | undefined
  if (endpoint.multipart) {
    all['content-type'] = `multipart/form-data; boundary=${BOUNDARY}`
    payload = multipartBody()
  } else if (call.body !== undefined) {
    all['content-type'] = 'application/json'
    payload = JSON.stringify(call.body)
  }
  return t.app.inject({
    method,
    url: urlOf(endpoint, call.params, call.query),
    headers: all,
    ...(payload === undefined ? {} : { payload }),
  })
}

function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` }
}

function oauthHeaders(clientId: string | null, token = oauth.accessToken): Record<string, string> {
  return { ...bearer(token), ...(clientId === null ? {} : { 'x-fax-clientid': clientId }) }
}

function assertErrorAnswer(response: LightMyRequestResponse, status: number, code: string): void {
  assert.equal(response.statusCode, status, response.body)
  const body = response.json<Record<string, unknown>>()
  assert.deepEqual(Object.keys(body).sort(), ['description', 'error'], response.body)
  assert.equal(body['error'], code)
  assert.equal(typeof body['description'], 'string')
}

/**
 * Sends the call and checks the refusal; the database and files must not change. A 401 or 403
 * carries the WWW-Authenticate of its code, and no other refusal carries one.
 */
async function assertRefused(
  endpoint: Endpoint,
  call: Call,
  headers: Record<string, string>,
  status: number,
  code: string,
): Promise<LightMyRequestResponse> {
  const before = await t.snapshot()
  const response = await send(endpoint, call, headers)
  assertErrorAnswer(response, status, code)
  const challenge = response.headers['www-authenticate']
  if (status === 401 || status === 403) {
    assert.ok(CHALLENGE_OF[code], `the test knows no WWW-Authenticate for ${code}`)
    assert.equal(challenge, CHALLENGE_OF[code], `WWW-Authenticate of ${code}`)
  } else {
    assert.equal(challenge, undefined, `a ${status} ${code} carries WWW-Authenticate`)
  }
  assert.equal(await t.snapshot(), before, 'a refused request changed the database or files')
  return response
}

async function assertSucceeds(
  endpoint: Endpoint,
  call: Call,
  headers: Record<string, string>,
): Promise<LightMyRequestResponse> {
  const response = await send(endpoint, call, headers)
  assert.equal(response.statusCode, endpoint.success, response.body)
  return response
}

function nameOf(endpoint: Endpoint): string {
  return `${endpoint.method} /v3${endpoint.path}`
}

function isRead(endpoint: Endpoint): boolean {
  return endpoint.method === 'GET'
}

/** The path parameter that names a user, if the path has one. */
function userParamOf(endpoint: Endpoint): 'user_id' | 'member_user_id' | null {
  if (endpoint.path.includes('{user_id}')) {
    return 'user_id'
  }
  return endpoint.path.includes('{member_user_id}') ? 'member_user_id' : null
}

before(async () => {
  t = await openTestApp('sqlite')
  admin = await t.user({ type: 'corporate_admin', password: PASSWORD })
  member = await t.user({ adminUid: admin.account.uid })
  stranger = await t.user({ password: PASSWORD })
  otherAdmin = await t.user({ type: 'corporate_admin' })
  otherMember = await t.user({ adminUid: otherAdmin.account.uid })
  suspended = await t.user()
  await t.testStore
    .database()
    .updateTable('accounts')
    .set({ status: 'suspended' })
    .where('uid', '=', suspended.account.uid)
    .execute()

  adminNumber = await numberOf(admin.account.uid)
  adminUpload = await uploadOf(admin.account.uid)
  strangerNumber = await numberOf(stranger.account.uid)
  strangerUpload = await uploadOf(stranger.account.uid)
  strangerOutboxId = await outboxOf(stranger.account.uid)
  strangerFaxId = await faxOf(stranger.account.uid)
  strangerHookId = await hookOf(stranger.account.uid)

  client = await registerClient(t.services, admin.account.uid)
  otherClient = await registerClient(t.services, stranger.account.uid)
  oauth = await obtainOAuthTokens(t.app, client, { email: admin.account.email, password: PASSWORD })
})

after(async () => {
  await t.close()
})

for (const endpoint of ENDPOINTS) {
  describe(nameOf(endpoint), () => {
    describe('credentials', () => {
      it('refuses a request without Authorization: 401 missing_token, WWW-Authenticate: Bearer realm="faxd"', async () => {
        const response = await assertRefused(
          endpoint,
          await endpoint.prepare(),
          {},
          401,
          'missing_token',
        )
        assert.equal(response.headers['www-authenticate'], 'Bearer realm="faxd"')
      })

      for (const header of ['Basic abc', 'Bearer', 'Bearer   ', 'gar bage', 'Bearer a b']) {
        it(`refuses the malformed header ${JSON.stringify(header)}: 401 malformed_token`, async () => {
          const call = await endpoint.prepare()
          const response = await assertRefused(
            endpoint,
            call,
            { authorization: header },
            401,
            'malformed_token',
          )
          assert.equal(
            response.headers['www-authenticate'],
            'Bearer realm="faxd", error="invalid_request"',
          )
        })
      }

      it('refuses an unknown token: 401 invalid_token', async () => {
        const call = await endpoint.prepare()
        const response = await assertRefused(
          endpoint,
          call,
          bearer('faxd_pat_nonsense'),
          401,
          'invalid_token',
        )
        assert.equal(
          response.headers['www-authenticate'],
          'Bearer realm="faxd", error="invalid_token"',
        )
      })

      it('refuses an expired personal token: 401 token_expired', async () => {
        const token = await t.token(admin.account.uid, { expiresInDays: 1 })
        const call = await endpoint.prepare()
        const startMs = t.clock.now()
        t.clock.advance(2 * DAY_MS)
        try {
          await assertRefused(endpoint, call, bearer(token), 401, 'token_expired')
        } finally {
          t.clock.set(startMs)
        }
      })

      it('accepts a personal token before it expires', async () => {
        const token = await t.token(admin.account.uid, { expiresInDays: 1 })
        await assertSucceeds(endpoint, await endpoint.prepare(), bearer(token))
      })

      it('refuses the token of a suspended account: 403 account_inactive', async () => {
        const call = await endpoint.prepare()
        await assertRefused(endpoint, call, bearer(suspended.token), 403, 'account_inactive')
      })

      if (endpoint.method === 'GET') {
        it('refuses HEAD without Authorization as well: 401', async () => {
          const response = await send(endpoint, await endpoint.prepare(), {}, 'HEAD')
          assert.equal(response.statusCode, 401)
          assert.equal(response.headers['www-authenticate'], 'Bearer realm="faxd"')
        })
      }
    })

    describe('scopes', () => {
      it(`refuses a token with only ${endpoint.unrelatedScope}: 403 insufficient_scope`, async () => {
        const token = await t.token(admin.account.uid, { scopes: [endpoint.unrelatedScope] })
        const call = await endpoint.prepare()
        const response = await assertRefused(
          endpoint,
          call,
          bearer(token),
          403,
          'insufficient_scope',
        )
        assert.equal(
          response.headers['www-authenticate'],
          'Bearer realm="faxd", error="insufficient_scope"',
        )
      })

      it('refuses a token holding every other scope but none that permits it: 403', async () => {
        const covering = isRead(endpoint) ? ['fax:all:read', 'fax:all:edit'] : ['fax:all:edit']
        const others = SCOPES.filter((s) => !endpoint.scopes.includes(s) && !covering.includes(s))
        const token = await t.token(admin.account.uid, { scopes: others })
        const call = await endpoint.prepare()
        await assertRefused(endpoint, call, bearer(token), 403, 'insufficient_scope')
      })

      for (const scope of endpoint.scopes) {
        it(`accepts a token with only ${scope}`, async () => {
          const token = await t.token(admin.account.uid, { scopes: [scope] })
          await assertSucceeds(endpoint, await endpoint.prepare(), bearer(token))
        })
      }

      if (isRead(endpoint)) {
        it('accepts fax:all:read, which grants every read scope', async () => {
          const token = await t.token(admin.account.uid, { scopes: ['fax:all:read'] })
          await assertSucceeds(endpoint, await endpoint.prepare(), bearer(token))
        })
      } else {
        it('refuses fax:all:read on an edit route: 403 insufficient_scope', async () => {
          const token = await t.token(admin.account.uid, { scopes: ['fax:all:read'] })
          const call = await endpoint.prepare()
          await assertRefused(endpoint, call, bearer(token), 403, 'insufficient_scope')
        })
      }

      it('accepts fax:all:edit, which grants every scope', async () => {
        const token = await t.token(admin.account.uid, { scopes: ['fax:all:edit'] })
        await assertSucceeds(endpoint, await endpoint.prepare(), bearer(token))
      })
    })

    describe('OAuth2 access token', () => {
      it('refuses it without x-fax-clientid: 401 client_id_required', async () => {
        const call = await endpoint.prepare()
        await assertRefused(endpoint, call, oauthHeaders(null), 401, 'client_id_required')
      })

      it('refuses it with an empty x-fax-clientid: 401 client_id_required', async () => {
        const call = await endpoint.prepare()
        await assertRefused(endpoint, call, oauthHeaders(''), 401, 'client_id_required')
      })

      it("refuses it with another client's x-fax-clientid: 401 invalid_client_id", async () => {
        const call = await endpoint.prepare()
        const headers = oauthHeaders(otherClient.clientId)
        await assertRefused(endpoint, call, headers, 401, 'invalid_client_id')
      })

      it('accepts it with the x-fax-clientid it was issued to', async () => {
        await assertSucceeds(endpoint, await endpoint.prepare(), oauthHeaders(client.clientId))
      })

      it('refuses a refresh token as a bearer token: 401 invalid_token', async () => {
        const call = await endpoint.prepare()
        const headers = oauthHeaders(client.clientId, oauth.refreshToken)
        await assertRefused(endpoint, call, headers, 401, 'invalid_token')
      })
    })

    const userParam = userParamOf(endpoint)
    const foreign = endpoint.foreign
    if (userParam !== null || foreign !== undefined) {
      describe("other tenants' ids", () => {
        if (userParam !== null) {
          it(`refuses the uid of an unrelated account as ${userParam}: 400 invalid_user_id`, async () => {
            const call = await endpoint.prepare()
            const params = { ...call.params, [userParam]: stranger.account.uid }
            const foreignCall = { ...call, params }
            await assertRefused(endpoint, foreignCall, bearer(admin.token), 400, 'invalid_user_id')
          })

          it(`refuses the uid of another admin's member as ${userParam}: 400 invalid_user_id`, async () => {
            const call = await endpoint.prepare()
            const params = { ...call.params, [userParam]: otherMember.account.uid }
            const foreignCall = { ...call, params }
            await assertRefused(endpoint, foreignCall, bearer(admin.token), 400, 'invalid_user_id')
          })

          it(`refuses the uid of an unknown account as ${userParam}: 400 invalid_user_id`, async () => {
            const call = await endpoint.prepare()
            const params = { ...call.params, [userParam]: 'f'.repeat(32) }
            const foreignCall = { ...call, params }
            await assertRefused(endpoint, foreignCall, bearer(admin.token), 400, 'invalid_user_id')
          })

          if (userParam === 'user_id') {
            it("refuses a corporate member acting with its admin's uid: 400 invalid_user_id", async () => {
              const call = await endpoint.prepare()
              const params = { ...call.params, user_id: admin.account.uid }
              const foreignCall = { ...call, params }
              await assertRefused(
                endpoint,
                foreignCall,
                bearer(member.token),
                400,
                'invalid_user_id',
              )
            })
          } else {
            it("refuses a corporate member asking for its admin's details: 403 not_corporate_admin", async () => {
              const call = await endpoint.prepare()
              const params = { ...call.params, member_user_id: admin.account.uid }
              const foreignCall = { ...call, params }
              await assertRefused(
                endpoint,
                foreignCall,
                bearer(member.token),
                403,
                'not_corporate_admin',
              )
            })
          }
        }

        if (foreign !== undefined) {
          it(`answers 404 ${foreign.code} for another account's object`, async () => {
            await assertRefused(
              endpoint,
              await foreign.call(),
              bearer(admin.token),
              404,
              foreign.code,
            )
          })
        }
      })
    }
  })
}

describe('GET /v3/accounts by a corporate member', () => {
  it('is refused: 403 not_corporate_admin', async () => {
    const endpoint = ENDPOINTS[0]!
    await assertRefused(endpoint, { params: {} }, bearer(member.token), 403, 'not_corporate_admin')
  })
})

describe("other tenants' ids in request bodies", () => {
  const sendFax = ENDPOINTS.find((e) => e.method === 'POST' && e.path.endsWith('/outbox'))!
  const assign = ENDPOINTS.find((e) => e.method === 'PUT' && e.path.endsWith('/{number}'))!
  const valid = { from: '', to: ['+4930123456'], files: [] as string[] }

  it("sendFax refuses another account's number as from: 400 invalid_from_number", async () => {
    const body = { ...valid, from: strangerNumber, files: [adminUpload] }
    const call = { params: { user_id: 'self' }, body }
    await assertRefused(sendFax, call, bearer(admin.token), 400, 'invalid_from_number')
  })

  it("sendFax refuses another account's upload in files: 400 file_not_found", async () => {
    const body = { ...valid, from: adminNumber, files: [strangerUpload] }
    const call = { params: { user_id: 'self' }, body }
    await assertRefused(sendFax, call, bearer(admin.token), 400, 'file_not_found')
  })

  it("sendFax refuses another account's fax as from_fax: 400 from_fax_not_found", async () => {
    const fromFax = { fax_id: strangerFaxId, user_id: stranger.account.uid }
    const body = { ...valid, from: adminNumber, from_fax: fromFax }
    const call = { params: { user_id: 'self' }, body }
    await assertRefused(sendFax, call, bearer(admin.token), 400, 'from_fax_not_found')
  })

  it("sendFax refuses another account's fax id under the caller's own user id", async () => {
    const fromFax = { fax_id: strangerFaxId, user_id: 'self' }
    const body = { ...valid, from: adminNumber, from_fax: fromFax }
    const call = { params: { user_id: 'self' }, body }
    await assertRefused(sendFax, call, bearer(admin.token), 400, 'from_fax_not_found')
  })

  it('updateNumber refuses to assign a number to an unrelated account: 400 invalid_member', async () => {
    const call = await assign.prepare()
    const foreignCall = { ...call, body: { assigned_to: stranger.account.uid } }
    await assertRefused(assign, foreignCall, bearer(admin.token), 400, 'invalid_member')
  })

  it("updateNumber refuses to assign a number to another admin's member: 400 invalid_member", async () => {
    const call = await assign.prepare()
    const foreignCall = { ...call, body: { assigned_to: otherMember.account.uid } }
    await assertRefused(assign, foreignCall, bearer(admin.token), 400, 'invalid_member')
  })
})

describe("lists show none of another tenant's objects", () => {
  const listed = async (url: string): Promise<string> => {
    const response = await t.request('GET', url, { token: admin.token })
    assert.equal(response.statusCode, 200, response.body)
    return response.body
  }

  it('numbers, outbox, faxes and hooks of the admin do not mention the stranger', async () => {
    for (const url of [
      '/v3/accounts/self/numbers',
      '/v3/accounts/self/outbox',
      '/v3/accounts/self/faxes',
      '/v3/hooks?event=fax_received',
      '/v3/accounts',
    ]) {
      const body = await listed(url)
      for (const id of [
        stranger.account.uid,
        strangerNumber,
        strangerOutboxId,
        strangerFaxId,
        strangerHookId,
      ]) {
        assert.ok(!body.includes(id), `${url} shows ${id}`)
      }
    }
  })
})

describe('the endpoint table', () => {
  const tableKeys = ENDPOINTS.map((e) => `${e.method} ${e.path}`).sort()

  it('has no endpoint twice', () => {
    assert.equal(new Set(tableKeys).size, tableKeys.length)
  })

  it('covers every operation of /v3/openapi.json, with the same scopes', async () => {
    const response = await t.request('GET', '/v3/openapi.json')
    assert.equal(response.statusCode, 200)
    const document = response.json<{
      paths: Record<string, Record<string, { security?: Record<string, string[]>[] }>>
    }>()
    const documented: string[] = []
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const key = `${method.toUpperCase()} ${path}`
        documented.push(key)
        const endpoint = ENDPOINTS.find((e) => `${e.method} ${e.path}` === key)
        const personal = operation.security?.find((s) => 'personal_access_token' in s)
        assert.deepEqual(
          [...(personal?.['personal_access_token'] ?? [])].sort(),
          [...(endpoint?.scopes ?? [])].sort(),
          `scopes of ${key}`,
        )
      }
    }
    assert.deepEqual(documented.sort(), tableKeys)
  })

  it('covers every route registered under /v3 (also those missing from the document)', () => {
    const registered = registeredRoutes(t.app.printRoutes({ commonPrefix: false }))
      .filter((r) => r.path.startsWith('/v3/') && r.path !== '/v3/openapi.json')
      .flatMap((r) => r.methods.filter((m) => m !== 'HEAD').map((m) => `${m} ${r.path}`))
      .map((key) => key.replace(' /v3/', ' /').replace(/:(\w+)/g, '{$1}'))
      .sort()
    assert.deepEqual(registered, tableKeys)
  })
})

/** Reads Fastify's printRoutes tree ("│   └── /segment (GET, HEAD)") into full paths. */
function registeredRoutes(tree: string): { path: string; methods: string[] }[] {
  const stack: string[] = []
  const routes: { path: string; methods: string[] }[] = []
  for (const line of tree.split('\n')) {
    const match = /^([│ ]*)[├└]── (\S+)(?: \(([^)]*)\))?/.exec(line)
    if (!match) {
      continue
    }
    const depth = (match[1] ?? '').length / 4
    const path = (stack[depth - 1] ?? '') + (match[2] ?? '')
    stack[depth] = path
    stack.length = depth + 1
    if (match[3]) {
      routes.push({ path, methods: match[3].split(',').map((m) => m.trim()) })
    }
  }
  assert.ok(routes.length > 0, `could not read the route tree:\n${tree}`)
  return routes
}
