/**
 * A webhook's signing secret through the API, on each engine: the delivery log answers it only
 * to a token that may edit webhooks (a read-only token gets the log without it), and
 * POST /v3/hooks/{hook_id}/rotate-secret gives the hook a new one, answering it with the end of
 * the old one's grace period. Both answers match what /v3/openapi.json says of them.
 */
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import SwaggerParser from '@apidevtools/swagger-parser'
import { Ajv } from 'ajv'
import type { AccessToken } from '../../src/domain/credentials.js'
import { sha256Hex } from '../../src/shared/secrets.js'
import { enqueueWebhookEvent } from '../../src/webhooks/enqueue-webhook-event.js'
import type { Actor } from '../../src/use-cases/context.js'
import { listWebhookDeliveries } from '../../src/use-cases/list-webhook-deliveries.js'
import { ENGINES } from '../support/test-database.js'
import { type TestApp, type TestUser, openTestApp } from '../support/test-app.js'

type Json = Record<string, any>

const SECRET = /^whsec_[A-Za-z0-9_-]{43}$/

for (const engine of ENGINES) {
  describe(`${engine}: webhook signing secrets`, () => {
    let t: TestApp
    let user: TestUser

    beforeEach(async () => {
      t = await openTestApp(engine)
      user = await t.user()
    })

    afterEach(async () => {
      await t.close()
    })

    async function createHook(owner: TestUser = user): Promise<string> {
      const created = await t.request('POST', '/v3/hooks', {
        token: owner.token,
        body: { target: 'https://hooks.example.test/fax', event: 'fax_received' },
      })
      assert.equal(created.statusCode, 200, created.body)
      return created.json<{ id: string }>().id
    }

    async function logOf(hookId: string, token: string) {
      return t.request('GET', `/v3/hooks/${hookId}/deliveries`, { token })
    }

    async function rotate(hookId: string, token = user.token) {
      return t.request('POST', `/v3/hooks/${hookId}/rotate-secret`, { token })
    }

    /** A fax_received event for the user's hooks, queued (no worker runs in these tests). */
    async function receiveFax(): Promise<void> {
      await enqueueWebhookEvent(t.services.store, t.clock, {
        uid: user.account.uid,
        event: 'fax_received',
        hookIdForPayload: 'a'.repeat(24),
        data: { id: 'a'.repeat(24), uid: user.account.uid, pages: 1, status: 'success' },
      })
    }

    async function operation(path: string, method: 'get' | 'post'): Promise<Json> {
      const raw = (await t.request('GET', '/v3/openapi.json')).json<Json>()
      const document = (await SwaggerParser.dereference(
        structuredClone(raw) as unknown as string,
      )) as unknown as Json
      const found = document['paths'][path]?.[method] as Json | undefined
      assert.ok(found, `${method} ${path} is in the OpenAPI document`)
      return found
    }

    function validator(op: Json, status: string) {
      const schema = op['responses'][status]['content']['application/json'].schema
      return new Ajv({ strict: false, allErrors: true }).compile(schema)
    }

    it('a token that may only read webhooks gets the log without the secret, and changes nothing', async () => {
      const hookId = await createHook()
      await receiveFax()
      const validate = validator(await operation('/hooks/{hook_id}/deliveries', 'get'), '200')
      for (const scopes of [['fax:webhook:read'], ['fax:all:read']]) {
        const token = await t.token(user.account.uid, { scopes })
        const before = await t.snapshot()
        const response = await logOf(hookId, token)
        assert.equal(response.statusCode, 200, response.body)
        const body = response.json<Json>()
        assert.deepEqual(Object.keys(body), ['records'], `${scopes.join(' ')}: no signing_secret`)
        assert.equal(body['records'].length, 1, 'the log itself is answered')
        assert.doesNotMatch(response.body, /whsec_/)
        assert.ok(validate(body), JSON.stringify(validate.errors))
        assert.equal(await t.snapshot(), before, 'no secret was made for the hook')
      }
    })

    it('a token that may edit webhooks gets the secret with the log', async () => {
      const hookId = await createHook()
      await receiveFax()
      const validate = validator(await operation('/hooks/{hook_id}/deliveries', 'get'), '200')
      const answers: string[] = []
      for (const scopes of [['fax:webhook:read', 'fax:webhook:edit'], ['fax:all:edit']]) {
        const token = await t.token(user.account.uid, { scopes })
        const response = await logOf(hookId, token)
        assert.equal(response.statusCode, 200, response.body)
        const body = response.json<Json>()
        assert.match(body['signing_secret'], SECRET, scopes.join(' '))
        assert.equal(body['records'].length, 1)
        assert.ok(validate(body), JSON.stringify(validate.errors))
        answers.push(body['signing_secret'])
      }
      assert.equal(new Set(answers).size, 1, 'the same secret for both')
    })

    it('the secret follows the token: OAuth2 `all` sees it, read scopes alone do not', async () => {
      const hookId = await createHook()
      // The user's real token, read back from the store, given other kinds and scopes.
      const stored = await t.services.store.tokens.findBySecretHash(sha256Hex(user.token))
      assert.ok(stored)
      const actorWith = (kind: AccessToken['kind'], scopes: string[]): Actor => ({
        account: user.account,
        ip: '127.0.0.1',
        token: { ...stored, kind, scopes },
      })
      const oauth = await listWebhookDeliveries(
        t.services,
        actorWith('oauth_access', ['all']),
        hookId,
      )
      assert.match(oauth.signingSecret ?? '', SECRET)
      for (const scopes of [['fax:all:read'], ['fax:webhook:read', 'fax:fax:edit']]) {
        const log = await listWebhookDeliveries(t.services, actorWith('personal', scopes), hookId)
        assert.equal(log.signingSecret, null, scopes.join(' '))
      }
    })

    it('rotate-secret answers a new secret and the end of the old one, which the log then shows', async () => {
      const hookId = await createHook()
      const first = (await logOf(hookId, user.token)).json<Json>()['signing_secret'] as string
      assert.match(first, SECRET)
      t.clock.advance(90_000)
      const response = await rotate(hookId)
      assert.equal(response.statusCode, 200, response.body)
      const body = response.json<Json>()
      assert.deepEqual(Object.keys(body).sort(), ['previous_secret_valid_until', 'signing_secret'])
      assert.match(body['signing_secret'], SECRET)
      assert.notEqual(body['signing_secret'], first)
      assert.equal(body['previous_secret_valid_until'], '2026-11-28 12:01:30', '24 hours on')
      const validate = validator(await operation('/hooks/{hook_id}/rotate-secret', 'post'), '200')
      assert.ok(validate(body), JSON.stringify(validate.errors))
      const after = (await logOf(hookId, user.token)).json<Json>()
      assert.equal(after['signing_secret'], body['signing_secret'])

      const again = (await rotate(hookId)).json<Json>()
      assert.notEqual(again['signing_secret'], body['signing_secret'])
      assert.notEqual(again['signing_secret'], first)
      assert.equal(again['previous_secret_valid_until'], '2026-11-28 12:01:30')
    })

    it('rotating a hook that has no secret yet answers no previous one', async () => {
      const hookId = await createHook()
      const response = await rotate(hookId)
      assert.equal(response.statusCode, 200, response.body)
      const body = response.json<Json>()
      assert.match(body['signing_secret'], SECRET)
      assert.equal(body['previous_secret_valid_until'], null)
      const validate = validator(await operation('/hooks/{hook_id}/rotate-secret', 'post'), '200')
      assert.ok(validate(body), JSON.stringify(validate.errors))
      const log = (await logOf(hookId, user.token)).json<Json>()
      assert.equal(log['signing_secret'], body['signing_secret'])
    })

    it('rotate-secret needs an edit scope: 403 insufficient_scope for a read-only token', async () => {
      const hookId = await createHook()
      await logOf(hookId, user.token)
      const readOnly = [
        await t.token(user.account.uid, { scopes: ['fax:webhook:read'] }),
        await t.token(user.account.uid, { scopes: ['fax:all:read'] }),
      ]
      const edit = await t.token(user.account.uid, { scopes: ['fax:webhook:edit'] })
      const before = await t.snapshot()
      for (const token of readOnly) {
        const response = await rotate(hookId, token)
        assert.equal(response.statusCode, 403, response.body)
        assert.equal(response.json<Json>()['error'], 'insufficient_scope')
      }
      assert.equal(await t.snapshot(), before, 'the secret is unchanged')
      assert.equal((await rotate(hookId, edit)).statusCode, 200, 'fax:webhook:edit alone will do')
      assert.notEqual(await t.snapshot(), before)
    })

    it("answers 404 webhook_not_found for another account's hook and an unknown hook", async () => {
      const stranger = await t.user()
      const foreignHook = await createHook(stranger)
      const theirs = (await logOf(foreignHook, stranger.token)).json<Json>()['signing_secret']
      const before = await t.snapshot()
      for (const hookId of [foreignHook, 'f'.repeat(24)]) {
        const response = await rotate(hookId)
        assert.equal(response.statusCode, 404, response.body)
        assert.deepEqual(Object.keys(response.json<Json>()).sort(), ['description', 'error'])
        assert.equal(response.json<Json>()['error'], 'webhook_not_found')
      }
      assert.equal(await t.snapshot(), before, "the stranger's secret is untouched")
      const still = (await logOf(foreignHook, stranger.token)).json<Json>()['signing_secret']
      assert.equal(still, theirs)
      assert.equal((await rotate(foreignHook, stranger.token)).statusCode, 200)
    })

    it('is in the OpenAPI document as rotateWebhookSecret, with the edit scopes', async () => {
      const op = await operation('/hooks/{hook_id}/rotate-secret', 'post')
      assert.equal(op['operationId'], 'rotateWebhookSecret')
      assert.deepEqual(op['security'][0].personal_access_token, [
        'fax:all:edit',
        'fax:webhook:edit',
      ])
      assert.deepEqual(op['security'][1].oauth2, ['all'])
      assert.equal(op['requestBody'], undefined)
    })
  })
}
