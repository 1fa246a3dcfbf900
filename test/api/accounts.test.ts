/** Accounts: members, account information, changes and member details, over the API. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type TestApp, type TestUser, openTestApp } from '../support/test-app.js'

const FIVE_SWITCHES = {
  low_credit: true,
  new_feature: false,
  receive_fax: true,
  send_fax: true,
  voicemail: false,
}

describe('accounts', () => {
  let t: TestApp
  let admin: TestUser
  let member: TestUser
  let otherMember: TestUser
  let individual: TestUser

  before(async () => {
    t = await openTestApp()
    admin = await t.user({ type: 'corporate_admin' })
    member = await t.user({ adminUid: admin.account.uid })
    otherMember = await t.user({ adminUid: admin.account.uid })
    individual = await t.user()
  })
  after(async () => t.close())

  it('lists the members of a corporate admin', async () => {
    const response = await t.request('GET', '/v3/accounts', { token: admin.token })
    assert.equal(response.statusCode, 200)
    const uids = response
      .json<{ members: { uid: string }[] }>()
      .members.map((m) => m.uid)
      .sort()
    assert.deepEqual(uids, [member.account.uid, otherMember.account.uid].sort())
  })

  it('refuses the member list to anyone but an admin with 403 not_corporate_admin', async () => {
    for (const user of [member, individual]) {
      const response = await t.request('GET', '/v3/accounts', { token: user.token })
      assert.equal(response.statusCode, 403)
      assert.equal(response.json<{ error: string }>().error, 'not_corporate_admin')
    }
  })

  it('answers self with the fields the Python SDK requires, in its formats', async () => {
    const response = await t.request('GET', '/v3/accounts/self', { token: member.token })
    assert.equal(response.statusCode, 200)
    const account = response.json<Record<string, unknown>>()
    assert.equal(account['uid'], member.account.uid)
    assert.equal(account['account_type'], 'corporate_member')
    assert.equal(account['status'], 'active')
    assert.match(String(account['email']), /^[a-zA-Z0-9_.+-]+@[a-zA-Z0-9-]+.[a-zA-Z0-9-.]+$/)
    assert.match(String(account['creation_date']), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/)
    assert.deepEqual(account['member_of'], [admin.account.uid])
    assert.equal('phone' in account, false, 'an unset phone is left out, not sent empty')
  })

  it("lets an admin read and change its member's account", async () => {
    const put = await t.request('PUT', `/v3/accounts/${member.account.uid}`, {
      token: admin.token,
      body: {
        name: 'Grace',
        lastname: 'Hopper',
        phone: '+41781234567',
        settings: { caller_id_name: 'GH' },
      },
    })
    assert.equal(put.statusCode, 200)
    assert.equal(put.body, '')
    const read = await t.request('GET', `/v3/accounts/${member.account.uid}`, {
      token: admin.token,
    })
    const account = read.json<Record<string, unknown>>()
    assert.equal(account['name'], 'Grace')
    assert.equal(account['lastname'], 'Hopper')
    assert.equal(account['phone'], '+41781234567')
    assert.deepEqual(account['settings'], { caller_id_name: 'GH' })
  })

  it("refuses a member reading another member's account", async () => {
    const response = await t.request('GET', `/v3/accounts/${otherMember.account.uid}`, {
      token: member.token,
    })
    assert.equal(response.statusCode, 400)
    assert.equal(response.json<{ error: string }>().error, 'invalid_user_id')
  })

  it('refuses an email that another account has with 409 email_taken, changing nothing', async () => {
    const before = await t.snapshot()
    const response = await t.request('PUT', '/v3/accounts/self', {
      token: individual.token,
      body: { email: admin.account.email, name: 'Changed' },
    })
    assert.equal(response.statusCode, 409)
    assert.equal(response.json<{ error: string }>().error, 'email_taken')
    assert.equal(await t.snapshot(), before)
  })

  it('refuses a malformed phone, an unknown field and a wrong type', async () => {
    const cases: [unknown, string][] = [
      [{ phone: '12' }, 'invalid_phone'],
      [{ nickname: 'x' }, 'unknown_field'],
      [{ settings: 'x' }, 'invalid_settings'],
    ]
    for (const [body, code] of cases) {
      const response = await t.request('PUT', '/v3/accounts/self', {
        token: individual.token,
        body,
      })
      assert.equal(response.statusCode, 400)
      assert.equal(response.json<{ error: string }>().error, code)
    }
  })

  it('keeps full account_data, settings and notifications as given, for the SDKs to read back', async () => {
    const parts = {
      account_data: {
        company_logo: 'logo.png',
        company_name: 'Example AG',
        deactivation_reason: '',
        default_file_type: 'pdf',
        role: 'owner',
        save_history: true,
      },
      settings: {
        caller_id_name: 'Example',
        options: { anything: ['kept', 1] },
        send_fax: { retry: { count: 3, delay: 30 }, options: {}, should_enhance: false },
        should_enhance: true,
      },
      notifications: {
        black_list: { uids: ['0123456789abcdef0123456789abcdef'] },
        settings: {
          email: {
            addresses: ['fax@example.com'],
            attachments: { confirmation_page: true, receive_fax: true, send_fax: false },
            ...FIVE_SWITCHES,
          },
          language: 'en',
          push_notifications: { ...FIVE_SWITCHES, new_feature: true },
          slack: { receive_fax: 'with_attachment', send_fax: 'off', target_channel: '#faxes' },
          sms: { numbers: ['+41781234567'], ...FIVE_SWITCHES },
        },
      },
    }
    const put = await t.request('PUT', '/v3/accounts/self', {
      token: individual.token,
      body: parts,
    })
    assert.equal(put.statusCode, 200)
    const read = await t.request('GET', '/v3/accounts/self', { token: individual.token })
    const account = read.json<Record<string, unknown>>()
    assert.deepEqual(account['account_data'], parts.account_data)
    assert.deepEqual(account['settings'], parts.settings)
    assert.deepEqual(account['notifications'], parts.notifications)

    const minimal = {
      settings: { email: FIVE_SWITCHES, push_notifications: FIVE_SWITCHES, sms: FIVE_SWITCHES },
    }
    const putMinimal = await t.request('PUT', '/v3/accounts/self', {
      token: individual.token,
      body: { account_data: {}, settings: {}, notifications: minimal },
    })
    assert.equal(putMinimal.statusCode, 200)
    const readMinimal = await t.request('GET', '/v3/accounts/self', { token: individual.token })
    const replaced = readMinimal.json<Record<string, unknown>>()
    assert.deepEqual(replaced['account_data'], {})
    assert.deepEqual(replaced['settings'], {})
    assert.deepEqual(replaced['notifications'], minimal)
  })

  it('refuses account parts the Python SDK could not read back, changing nothing', async () => {
    const channels = { email: FIVE_SWITCHES, push_notifications: FIVE_SWITCHES, sms: FIVE_SWITCHES }
    const { voicemail: _, ...fourSwitches } = FIVE_SWITCHES
    const slack = { receive_fax: 'off', send_fax: 'off', target_channel: '#faxes' }
    const cases: [string, unknown, string][] = [
      ['empty notifications', { notifications: {} }, 'invalid_notifications'],
      [
        'no sms',
        { notifications: { settings: { ...channels, sms: undefined } } },
        'invalid_notifications',
      ],
      [
        'a missing switch',
        { notifications: { settings: { ...channels, push_notifications: fourSwitches } } },
        'invalid_notifications',
      ],
      [
        'a switch that is not a boolean',
        {
          notifications: { settings: { ...channels, sms: { ...FIVE_SWITCHES, send_fax: 'yes' } } },
        },
        'invalid_notifications',
      ],
      [
        'attachments without send_fax',
        {
          notifications: {
            settings: {
              ...channels,
              email: { ...FIVE_SWITCHES, attachments: { receive_fax: true } },
            },
          },
        },
        'invalid_notifications',
      ],
      [
        'language fa',
        { notifications: { settings: { ...channels, language: 'fa' } } },
        'invalid_notifications',
      ],
      [
        'slack send_fax always',
        { notifications: { settings: { ...channels, slack: { ...slack, send_fax: 'always' } } } },
        'invalid_notifications',
      ],
      [
        'slack without target_channel',
        {
          notifications: {
            settings: { ...channels, slack: { ...slack, target_channel: undefined } },
          },
        },
        'invalid_notifications',
      ],
      [
        'black_list without uids',
        { notifications: { black_list: {}, settings: channels } },
        'invalid_notifications',
      ],
      [
        'an unknown channel',
        { notifications: { settings: { ...channels, fax: FIVE_SWITCHES } } },
        'unknown_field',
      ],
      ['retry delay 31', { settings: { send_fax: { retry: { delay: 31 } } } }, 'invalid_settings'],
      ['retry count 4', { settings: { send_fax: { retry: { count: 4 } } } }, 'invalid_settings'],
      [
        'retry count 1.5',
        { settings: { send_fax: { retry: { count: 1.5 } } } },
        'invalid_settings',
      ],
      ['should_enhance "yes"', { settings: { should_enhance: 'yes' } }, 'invalid_settings'],
      ['a misspelt setting', { settings: { caller_id: 'GH' } }, 'unknown_field'],
      [
        'an unknown retry key',
        { settings: { send_fax: { retry: { tries: 2 } } } },
        'unknown_field',
      ],
      [
        'default_file_type docx',
        { account_data: { default_file_type: 'docx' } },
        'invalid_account_data',
      ],
      ['save_history 1', { account_data: { save_history: 1 } }, 'invalid_account_data'],
      ['an unknown account_data key', { account_data: { company: 'x' } }, 'unknown_field'],
    ]
    const before = await t.snapshot()
    for (const [name, rawBody, code] of cases) {
      const body: unknown = JSON.parse(JSON.stringify(rawBody))
      const response = await t.request('PUT', '/v3/accounts/self', {
        token: individual.token,
        body: { name: 'Changed', ...(body as object) },
      })
      assert.equal(response.statusCode, 400, name)
      assert.equal(response.json<{ error: string }>().error, code, name)
    }
    assert.equal(await t.snapshot(), before)
  })

  it('keeps member details set by the admin', async () => {
    const url = `/v3/accounts/self/member-details/${member.account.uid}`
    const put = await t.request('PUT', url, {
      token: admin.token,
      body: { quota: 250, role: 'billing' },
    })
    assert.equal(put.statusCode, 200)
    const read = await t.request('GET', url, { token: admin.token })
    assert.deepEqual(read.json(), { quota: 250, role: 'billing' })
  })

  it('refuses member details to a member and for a stranger', async () => {
    const asMember = await t.request(
      'GET',
      `/v3/accounts/self/member-details/${otherMember.account.uid}`,
      {
        token: member.token,
      },
    )
    assert.equal(asMember.statusCode, 403)
    const stranger = await t.request(
      'GET',
      `/v3/accounts/self/member-details/${individual.account.uid}`,
      {
        token: admin.token,
      },
    )
    assert.equal(stranger.statusCode, 400)
    assert.equal(stranger.json<{ error: string }>().error, 'invalid_user_id')
  })

  it('refuses a negative quota', async () => {
    const response = await t.request(
      'PUT',
      `/v3/accounts/self/member-details/${member.account.uid}`,
      {
        token: admin.token,
        body: { quota: -1 },
      },
    )
    assert.equal(response.statusCode, 400)
    assert.equal(response.json<{ error: string }>().error, 'invalid_quota')
  })
})
