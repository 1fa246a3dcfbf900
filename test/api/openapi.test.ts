/**
 * GET /v3/openapi.json: a valid OpenAPI 3.0 document that lists every operation faxd serves
 * (the whole Fax.Plus table), with sendFax as the seed defines it.
 */
import { SCOPES } from '../../src/domain/scopes.js'
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import SwaggerParser from '@apidevtools/swagger-parser'
import { type TestApp, openTestApp } from '../support/test-app.js'

const FAX_PLUS_OPERATIONS = [
  'getAccounts',
  'getUser',
  'updateUser',
  'getMemberDetails',
  'updateMemberDetails',
  'listNumbers',
  'getNumber',
  'updateNumber',
  'revokeNumber',
  'listFaxes',
  'getFax',
  'updateFax',
  'deleteFax',
  'uploadFile',
  'getFile',
  'getFaxReport',
  'listOutboxFaxes',
  'sendFax',
  'getOutboxFax',
  'updateOutboxFax',
  'deleteOutboxFax',
  'getWebhooks',
  'createWebhook',
  'deleteWebhook',
]

type Json = Record<string, any>

describe('the OpenAPI document', () => {
  let t: TestApp
  let document: Json

  before(async () => {
    t = await openTestApp()
    const response = await t.request('GET', '/v3/openapi.json')
    assert.equal(response.statusCode, 200)
    document = response.json<Json>()
  })
  after(async () => t.close())

  it('is valid OpenAPI 3.0 with every $ref resolving', async () => {
    await SwaggerParser.validate(structuredClone(document) as never)
  })

  it('lists every Fax.Plus operation faxd implements, each with its scopes and an error answer', () => {
    const operations = new Map<string, Json>()
    for (const methods of Object.values(document['paths'] as Json)) {
      for (const operation of Object.values(methods as Json)) {
        operations.set(operation.operationId, operation)
      }
    }
    for (const id of FAX_PLUS_OPERATIONS) {
      const operation = operations.get(id)
      assert.ok(operation, `${id} is missing`)
      assert.ok(operation.security[0].personal_access_token.length > 0, `${id} has no scopes`)
      assert.ok(operation.responses.default, `${id} has no error answer`)
    }
  })

  it('lets an OAuth2 token with any one of an operation’s scopes, or all, call it', () => {
    const flow = document['components']['securitySchemes']['oauth2'].flows.authorizationCode
    assert.deepEqual(Object.keys(flow.scopes).sort(), ['all', ...SCOPES].sort())
    for (const methods of Object.values(document['paths'] as Json)) {
      for (const operation of Object.values(methods as Json)) {
        const security = operation.security as Record<string, string[]>[]
        const permitted = security[0]?.['personal_access_token'] ?? []
        const oauth = security.flatMap((requirement) => requirement['oauth2'] ?? [])
        assert.deepEqual(oauth.sort(), ['all', ...permitted].sort(), String(operation.operationId))
      }
    }
  })

  it('describes sendFax with the seed’s patterns, bounds and additionalProperties', () => {
    const sendFax = document['paths']['/accounts/{user_id}/outbox']['post']
    assert.ok(sendFax.responses['201'])
    const payload = document['components']['schemas']['PayloadOutbox']
    assert.equal(payload.additionalProperties, false)
    assert.deepEqual(payload.required, ['to', 'from'])
    // The seed's patterns with [*]{0,10} written [*]{1,10}: the same strings, matched in linear
    // time (test/api/patterns.test.ts).
    assert.equal(payload.properties.to.items.pattern, '^[+][0-9]{8,}([*]{1,10}[0-9]+)?$')
    assert.equal(payload.properties.to.minItems, 1)
    assert.equal(
      payload.properties.from.pattern,
      '^(([+][0-9]{8,}([*]{1,10}[0-9]+)?)|(no_number)|(NO_NUMBER))(,(([+][0-9]{8,}([*]{1,10}[0-9]+)?)|(no_number)|(NO_NUMBER)))*$',
    )
    assert.deepEqual(payload.properties.resolution.enum, ['fine', 'superfine'])
    const retry = document['components']['schemas']['RetryOptions']
    assert.equal(retry.additionalProperties, false)
    assert.deepEqual([retry.properties.count.minimum, retry.properties.count.maximum], [0, 3])
    assert.deepEqual([retry.properties.delay.minimum, retry.properties.delay.maximum], [0, 180])
  })

  it('is served without credentials', async () => {
    const response = await t.request('GET', '/v3/openapi.json', { token: null })
    assert.equal(response.statusCode, 200)
  })
})
