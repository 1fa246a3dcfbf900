/**
 * Every answer matches what /v3/openapi.json says of it. The document's response schemas are
 * compiled with Ajv (OpenAPI 3.0 `nullable` understood) and real answers of a populated account
 * are checked against them, beside the fields the official Python SDK requires.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import SwaggerParser from '@apidevtools/swagger-parser'
import { Ajv, type ValidateFunction } from 'ajv'
import { addNumber } from '../../src/use-cases/add-number.js'
import { aFaxRecord } from '../support/sample-records.js'
import { type TestApp, type TestUser, openTestApp } from '../support/test-app.js'

type Json = Record<string, any>

describe('answers match the OpenAPI document', () => {
  let t: TestApp
  let admin: TestUser
  let member: TestUser
  let document: Json
  const validators = new Map<string, ValidateFunction>()
  let outboxId = ''
  let faxId = ''
  let hookId = ''

  before(async () => {
    t = await openTestApp()
    admin = await t.user({ type: 'corporate_admin' })
    member = await t.user({ adminUid: admin.account.uid })
    await addNumber(t.services, {
      number: '+15555550150',
      ownerUid: admin.account.uid,
      assignTo: [member.account.uid],
    })
    const file = await t.upload(admin)
    const sent = await t.request('POST', '/v3/accounts/self/outbox', {
      token: admin.token,
      body: {
        from: '+15555550150',
        to: ['+15555550100'],
        files: [file],
        return_ids: true,
        comment: { text: 'hello', tags: ['a'] },
        options: { retry: { count: 1, delay: 90 }, partially_sent_retry: true },
        cover_page: { name_to: 'A', name_from: 'B', subject: 'C', flags: ['urgent'] },
        send_time: '2030-01-01 00:00:00 +0000',
      },
    })
    assert.equal(sent.statusCode, 201)
    const list = await t.request('GET', '/v3/accounts/self/outbox', { token: admin.token })
    outboxId = list.json<{ records: { id: string }[] }>().records[0]?.id ?? ''
    const fax = aFaxRecord(admin.account.uid)
    await t.services.store.faxes.add(fax)
    faxId = fax.id
    const hook = await t.request('POST', '/v3/hooks', {
      token: admin.token,
      body: { target: 'https://example.test/hook', event: 'fax_sent' },
    })
    hookId = hook.json<{ id: string }>().id

    const raw = (await t.request('GET', '/v3/openapi.json')).json<Json>()
    // The parser's types want its own Document type; it checks the served JSON itself.
    const dereferenced: unknown = await SwaggerParser.dereference(
      structuredClone(raw) as unknown as string,
    )
    document = dereferenced as Json
    const ajv = new Ajv({ strict: false, allErrors: true })
    for (const [path, methods] of Object.entries(document['paths'] as Json)) {
      for (const [method, operation] of Object.entries(methods as Json)) {
        for (const [status, response] of Object.entries(operation.responses as Json)) {
          const schema = response?.content?.['application/json']?.schema
          if (schema && status !== 'default') {
            validators.set(`${method.toUpperCase()} ${path} ${status}`, ajv.compile(schema))
          }
        }
      }
    }
  })
  after(async () => t.close())

  async function check(method: 'GET' | 'POST', template: string, url: string, token: string) {
    const response = await t.request(method, url, { token })
    const validate = validators.get(`${method} ${template} ${response.statusCode}`)
    assert.ok(
      validate,
      `no schema for ${method} ${template} ${response.statusCode}: ${response.body}`,
    )
    const answer = response.json<Json>()
    assert.ok(validate(answer), `${method} ${url}: ${JSON.stringify(validate.errors)}`)
    return answer
  }

  it('getAccounts, getUser and getMemberDetails', async () => {
    await check('GET', '/accounts', '/v3/accounts', admin.token)
    await check('GET', '/accounts/{user_id}', '/v3/accounts/self', member.token)
    await check('GET', '/accounts/{user_id}', `/v3/accounts/${member.account.uid}`, admin.token)
    await check(
      'GET',
      '/accounts/self/member-details/{member_user_id}',
      `/v3/accounts/self/member-details/${member.account.uid}`,
      admin.token,
    )
  })

  it('listNumbers and getNumber', async () => {
    await check('GET', '/accounts/{user_id}/numbers', '/v3/accounts/self/numbers', member.token)
    await check(
      'GET',
      '/accounts/{user_id}/numbers/{number}',
      '/v3/accounts/self/numbers/%2B15555550150',
      admin.token,
    )
  })

  it('listOutboxFaxes and getOutboxFax, with the Python SDK’s bounds on retry', async () => {
    const list = await check(
      'GET',
      '/accounts/{user_id}/outbox',
      '/v3/accounts/self/outbox',
      admin.token,
    )
    const entry = await check(
      'GET',
      '/accounts/{user_id}/outbox/{outbox_fax_id}',
      `/v3/accounts/self/outbox/${outboxId}`,
      admin.token,
    )
    for (const record of [...list['records'], entry]) {
      for (const retry of [record.retry, record.options.retry]) {
        assert.ok(retry.delay === undefined || (retry.delay >= 0 && retry.delay <= 30))
        assert.ok(retry.count >= 0 && retry.count <= 3)
      }
    }
  })

  it('listFaxes and getFax, with every field the Python SDK requires', async () => {
    const list = await check(
      'GET',
      '/accounts/{user_id}/faxes',
      '/v3/accounts/self/faxes',
      admin.token,
    )
    const fax = await check(
      'GET',
      '/accounts/{user_id}/faxes/{fax_id}',
      `/v3/accounts/self/faxes/${faxId}`,
      admin.token,
    )
    for (const record of [...list['data']['records'], fax]) {
      for (const field of ['comment', 'cost_details', 'id', 'owner_id', 'pages', 'status']) {
        assert.ok(record[field] !== undefined && record[field] !== null, field)
      }
    }
  })

  it('getWebhooks', async () => {
    const hooks = await check('GET', '/hooks', '/v3/hooks?event=fax_sent', admin.token)
    assert.deepEqual(
      (hooks['data'] as Json[]).map((h) => h['id'] as string),
      [hookId],
    )
  })
})
