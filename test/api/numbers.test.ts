/** Numbers: list, get (with the SDKs' %2B), assign with PUT or POST, revoke. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { addNumber } from '../../src/use-cases/add-number.js'
import { type TestApp, type TestUser, openTestApp } from '../support/test-app.js'

describe('numbers', () => {
  let t: TestApp
  let admin: TestUser
  let member: TestUser
  let individual: TestUser

  before(async () => {
    t = await openTestApp()
    admin = await t.user({ type: 'corporate_admin' })
    member = await t.user({ adminUid: admin.account.uid })
    individual = await t.user({ numbers: ['+15555550180'] })
    await addNumber(t.services, {
      number: '+15555550181',
      ownerUid: admin.account.uid,
      assignTo: [],
    })
    await addNumber(t.services, {
      number: '+15555550182',
      ownerUid: admin.account.uid,
      assignTo: [member.account.uid],
    })
  })
  after(async () => t.close())

  const numbersOf = async (user: TestUser, userId = 'self') => {
    const response = await t.request('GET', `/v3/accounts/${userId}/numbers`, { token: user.token })
    assert.equal(response.statusCode, 200)
    return response.json<{ numbers: { number: string; assigned_to: string[] }[] }>().numbers
  }

  it('lists what an owner owns and what a member is assigned', async () => {
    assert.deepEqual((await numbersOf(admin)).map((n) => n.number).sort(), [
      '+15555550181',
      '+15555550182',
    ])
    assert.deepEqual(
      (await numbersOf(member)).map((n) => n.number),
      ['+15555550182'],
    )
    assert.deepEqual(
      (await numbersOf(admin, member.account.uid)).map((n) => n.number),
      ['+15555550182'],
    )
    assert.deepEqual(
      (await numbersOf(individual)).map((n) => n.number),
      ['+15555550180'],
    )
  })

  it('gets a number written %2B…, +… or with digits only', async () => {
    for (const written of ['%2B15555550181', '+15555550181', '15555550181']) {
      const response = await t.request('GET', `/v3/accounts/self/numbers/${written}`, {
        token: admin.token,
      })
      assert.equal(response.statusCode, 200, written)
      const number = response.json<Record<string, unknown>>()
      assert.equal(number['number'], '+15555550181')
      assert.equal(number['owner_id'], admin.account.uid)
      assert.equal(number['status'], 'active')
      assert.match(String(number['acquired_date']), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/)
    }
  })

  it("answers 404 number_not_found for someone else's number", async () => {
    const response = await t.request('GET', '/v3/accounts/self/numbers/%2B15555550180', {
      token: admin.token,
    })
    assert.equal(response.statusCode, 404)
    assert.equal(response.json<{ error: string }>().error, 'number_not_found')
  })

  it('assigns with PUT and with POST, and revokes', async () => {
    const url = '/v3/accounts/self/numbers/%2B15555550181'
    const put = await t.request('PUT', url, {
      token: admin.token,
      body: { assigned_to: member.account.uid },
    })
    assert.equal(put.statusCode, 200)
    assert.ok((await numbersOf(member)).some((n) => n.number === '+15555550181'))

    const revoke = await t.request(
      'DELETE',
      `/v3/accounts/${member.account.uid}/numbers/%2B15555550181`,
      {
        token: admin.token,
      },
    )
    assert.equal(revoke.statusCode, 200)
    assert.ok(!(await numbersOf(member)).some((n) => n.number === '+15555550181'))

    const post = await t.request('POST', url, {
      token: admin.token,
      body: { assigned_to: member.account.uid },
    })
    assert.equal(post.statusCode, 200)
    assert.ok((await numbersOf(member)).some((n) => n.number === '+15555550181'))
  })

  it('refuses to assign to someone outside the account with invalid_member', async () => {
    const before = await t.snapshot()
    const response = await t.request('PUT', '/v3/accounts/self/numbers/%2B15555550181', {
      token: admin.token,
      body: { assigned_to: individual.account.uid },
    })
    assert.equal(response.statusCode, 400)
    assert.equal(response.json<{ error: string }>().error, 'invalid_member')
    assert.equal(await t.snapshot(), before)
  })

  it('never revokes a number from its owner', async () => {
    const response = await t.request('DELETE', '/v3/accounts/self/numbers/%2B15555550181', {
      token: admin.token,
    })
    assert.equal(response.statusCode, 400)
    assert.equal(response.json<{ error: string }>().error, 'cannot_revoke_from_owner')
  })

  it('requires assigned_to', async () => {
    const response = await t.request('PUT', '/v3/accounts/self/numbers/%2B15555550181', {
      token: admin.token,
      body: {},
    })
    assert.equal(response.statusCode, 400)
    assert.equal(response.json<{ error: string }>().error, 'missing_field')
  })
})
